"""The v1 knowledge endpoints as an integrator sees them: documents, versions and rollback,
the review workflow, ratings, categories, statistics, recommendations — and that refusals are
clear errors that change nothing."""

from __future__ import annotations

import pytest

from knowledge import services
from knowledge.models import Document, DocumentRating, DocumentVersion, TicketDocumentLink
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def parsed_tags(html: str) -> list[tuple[str, list]]:
    """Every element of ``html`` as a browser's parser sees it (tag, attributes)."""
    from html.parser import HTMLParser

    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(html)
    return found


DOCS = "/api/v1/knowledge/documents"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_create_answers_the_documented_shape_with_a_readable_slug(kb, api):
    body = {
        "title": "Linux服务器故障排查指南",
        "content": "# 指南\n\n## CPU 使用率过高",
        "content_type": "markdown",
        "tags": ["linux", "故障排查"],
        "keywords": ["CPU"],
        "is_public": True,
        "difficulty_level": "intermediate",
        "estimated_read_time": 15,
    }
    response = api(kb.author).post(DOCS, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["slug"] == "linux-fuwuqi-guzhang-paicha-zhinan"
    assert (data["status"], data["version"], data["author"]["id"]) == ("draft", "1.0", kb.author.pk)
    again = api(kb.author).post(DOCS, body, format="json").json()["data"]
    assert again["slug"] == "linux-fuwuqi-guzhang-paicha-zhinan-2"
    detail = api(kb.author).get(f"{DOCS}/{data['id']}").json()["data"]
    assert detail["attachments"] == []
    assert detail["estimated_read_time"] == 15 and detail["version_info"]["total_versions"] == 1


@pytest.mark.parametrize(
    ("title", "content", "summary"),
    [
        (
            "Server disk almost full",
            "# Server disk almost full\n\nCheck the usage **first**.",
            "Check the usage first.",
        ),
        ("打印机卡纸处理", "## 打印机卡纸处理：\n\n打开前盖，取出卡住的纸张。", "打开前盖，取出卡住的纸张。"),
        ("VPN", "VPN client setup: install the client.", "VPN client setup: install the client."),
        ("VPN", "# VPN client setup\n\nInstall it.", "VPN client setup Install it."),
        ("Title only", "# Title only", "Title only"),
    ],
)
def test_automatic_summary_leaves_out_the_opening_heading_that_repeats_the_title(kb, title, content, summary):
    """Lists show the title and then the summary: an article that opens with its own heading
    would otherwise show its title twice."""
    assert kb.draft(title=title, content=content).summary == summary


def test_bad_input_is_refused_and_nothing_is_created(kb, other_kb, api):
    before = Document.all_objects.count()
    for body in (
        {"content": "没有标题"},
        {"title": "x", "content": "y", "difficulty_level": "expert"},
        {"title": "x", "content": "y", "attachments": [{"filename": "a", "file_url": "javascript:alert(1)"}]},
        {"title": "x", "content": "y", "category_id": "abc"},
    ):
        response = api(kb.author).post(DOCS, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert response.json()["data"]["errors"]
    foreign = services.category_create(tenant=other_kb.tenant, by=other_kb.admin, data={"name": "别人的"})
    response = api(kb.author).post(DOCS, {"title": "x", "content": "y", "category_id": foreign.pk}, format="json")
    assert response.status_code == 404
    assert Document.all_objects.count() == before


def test_detail_renders_sanitised_html(kb, api):
    document = kb.published(
        content='# 标题\n\n<script>alert(1)</script>\n\n[点我](javascript:alert(2)) <img src=x onerror="alert(3)">\n\n'
        "[ok](https://example.com) `code`"
    )
    html = api(kb.requester).get(f"{DOCS}/{document.pk}").json()["data"]["content_html"]
    tags = parsed_tags(html)
    assert "script" not in {tag for tag, _attrs in tags} and "img" not in {tag for tag, _attrs in tags}
    assert not [name for _tag, attrs in tags for name, _value in attrs if name.startswith("on")]
    assert not [value for _tag, attrs in tags for name, value in attrs if name == "href" and "javascript" in value]
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "&lt;script&gt;" in html and "<h1>标题</h1>" in html


def test_list_filters_and_sorts(kb, api, commit):
    parent = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "技术文档"})
    child = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "故障排查", "parent_id": parent.pk})
    with commit():
        a = kb.published(title="打印机卡纸", category_id=child.pk, tags=["打印机"], difficulty_level="beginner")
        b = kb.published(
            title="VPN 断线", content="检查网络", category_id=parent.pk, tags=["VPN"], difficulty_level="advanced"
        )
        kb.draft(title="草稿 VPN", tags=["VPN"])
    for _ in range(3):
        services.document_record_view(document=b, user=kb.requester)

    def ids(user, **params):
        response = api(user).get(DOCS, params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["data"]["items"]]

    assert set(ids(kb.requester, category_id=parent.pk)) == {a.pk, b.pk}  # descendants included
    assert ids(kb.requester, category_id=child.pk) == [a.pk]
    assert ids(kb.requester, tags="VPN") == [b.pk]  # the draft is not the requester's to see
    assert len(ids(kb.reviewer, tags="VPN")) == 2
    assert ids(kb.requester, difficulty_level="beginner") == [a.pk]
    assert ids(kb.requester, keyword="卡纸") == [a.pk]
    assert ids(kb.requester, sort="view_count", order="desc")[0] == b.pk
    assert ids(kb.requester, status="draft") == []
    assert api(kb.requester).get(DOCS, {"sort": "title"}).status_code == 400


def test_every_save_is_a_numbered_immutable_version_and_rollback_adds_one(kb, api):
    document = kb.draft(title="VPN 指南", content="第一版")
    url = f"{DOCS}/{document.pk}"
    r1 = api(kb.author).put(
        url, {"title": "VPN 指南", "content": "第二版", "change_summary": "修正错别字"}, format="json"
    )
    assert r1.status_code == 200 and r1.json()["data"]["version"] == "1.1"
    r2 = api(kb.author).put(
        url, {"title": "VPN 指南", "content": "第三版", "change_type": "major", "change_summary": "重写"}, format="json"
    )
    assert r2.json()["data"]["version"] == "2.0"
    versions = api(kb.author).get(f"{url}/versions").json()["data"]
    assert [(v["version"], v["is_current"]) for v in versions] == [("2.0", True), ("1.1", False), ("1.0", False)]
    assert versions[0]["change_type"] == "major" and versions[1]["change_summary"] == "修正错别字"
    one = api(kb.author).get(f"{url}/versions/1.0").json()["data"]
    assert (one["content"], one["title"], one["version"]) == ("第一版", "VPN 指南", "1.0")
    assert api(kb.author).get(f"{url}/versions/9.9").status_code == 404
    rolled = api(kb.author).post(f"{url}/versions/1.0/rollback", {}, format="json")
    assert rolled.status_code == 200
    assert (rolled.json()["data"]["version"], rolled.json()["data"]["content"]) == ("2.1", "第一版")
    # nothing was lost: every earlier version is still there, unchanged
    stored = {v.version: v.content for v in DocumentVersion.objects.filter(document=document)}
    assert stored == {"1.0": "第一版", "1.1": "第二版", "2.0": "第三版", "2.1": "第一版"}
    assert DocumentVersion.objects.get(document=document, major=2, minor=1).rollback_of == "1.0"


def test_review_workflow(kb, api):
    document = kb.draft()
    url = f"{DOCS}/{document.pk}"
    # a draft cannot be approved without submission
    response = api(kb.reviewer).post(f"{url}/review", {"action": "approve"}, format="json")
    assert response.status_code == 400 and response.json()["data"]["status"] == "draft"
    assert api(kb.author).post(f"{url}/submit-review", {"urgency": "high"}, format="json").status_code == 200
    pending = api(kb.reviewer).get("/api/v1/knowledge/reviews/pending").json()["data"]
    assert [(i["id"], i["urgency"], i["review_type"]) for i in pending["items"]] == [(document.pk, "high", "publish")]
    # rejecting needs a reason; comments and suggestions stay readable on the document
    assert api(kb.reviewer).post(f"{url}/review", {"action": "reject"}, format="json").status_code == 400
    response = api(kb.reviewer).post(
        f"{url}/review",
        {"action": "reject", "comment": "缺少截图", "suggestions": ["增加示例", "添加链接"]},
        format="json",
    )
    assert response.status_code == 200 and response.json()["data"]["status"] == "rejected"
    detail = api(kb.author).get(url).json()["data"]
    assert detail["reviews"][0]["comment"] == "缺少截图"
    assert detail["reviews"][0]["suggestions"] == ["增加示例", "添加链接"]
    versions = api(kb.author).get(f"{url}/versions").json()["data"]
    assert [r["action"] for r in versions[0]["reviews"]] == ["reject", "submit"]
    # resubmitted, then approved by a reviewer who is not the author
    api(kb.author).post(f"{url}/submit-review", {}, format="json")
    assert api(kb.reviewer).post(f"{url}/review", {"action": "approve"}, format="json").json()["data"]["status"] == (
        "published"
    )
    assert api(kb.requester).get(url).status_code == 200
    # an author's edit of a published document goes back to review
    api(kb.author).put(url, {"title": "打印机卡纸处理", "content": "新步骤"}, format="json")
    assert Document.objects.get(pk=document.pk).status == "pending_review"
    assert api(kb.requester).get(url).status_code == 404


def test_reviewers_never_approve_their_own_document(kb, api):
    document = kb.draft(by=kb.reviewer)
    api(kb.reviewer).post(f"{DOCS}/{document.pk}/submit-review", {}, format="json")
    response = api(kb.reviewer).post(f"{DOCS}/{document.pk}/review", {"action": "approve"}, format="json")
    assert response.status_code == 403
    assert Document.objects.get(pk=document.pk).status == "pending_review"
    assert api(kb.reviewer).get("/api/v1/knowledge/reviews/pending").json()["data"]["total"] == 0
    assert api(kb.admin).post(f"{DOCS}/{document.pk}/review", {"action": "approve"}, format="json").status_code == 200


def test_a_second_rating_replaces_the_first(kb, api):
    document = kb.published()
    url = f"{DOCS}/{document.pk}/rating"
    api(kb.requester).post(url, {"rating": 2, "comment": "一般"}, format="json")
    response = api(kb.requester).post(url, {"rating": 5, "helpful": True, "tags": ["实用"]}, format="json")
    assert response.status_code == 200
    api(kb.author).post(url, {"rating": 4}, format="json")
    assert DocumentRating.objects.filter(document=document).count() == 2
    document.refresh_from_db()
    assert (document.rating_avg, document.rating_count, document.like_count) == (4.5, 2, 1)
    assert api(kb.requester).post(url, {"rating": 6}, format="json").status_code == 400
    draft = kb.draft(title="草稿")
    assert api(kb.author).post(f"{DOCS}/{draft.pk}/rating", {"rating": 5}, format="json").status_code == 400


def test_category_tree_counts_and_sort_order(kb, other_kb, api):
    root = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "技术文档", "sort_order": 1})
    second = services.category_create(
        tenant=kb.tenant, by=kb.admin, data={"name": "操作手册", "parent_id": root.pk, "sort_order": 2}
    )
    first = services.category_create(
        tenant=kb.tenant, by=kb.admin, data={"name": "故障排查", "parent_id": root.pk, "sort_order": 1}
    )
    kb.published(category_id=first.pk)
    kb.published(title="手册", category_id=second.pk)
    kb.draft(title="草稿", category_id=second.pk)
    tree = api(kb.requester).get("/api/v1/knowledge/categories").json()["data"]
    assert [(n["name"], n["document_count"]) for n in tree] == [("技术文档", 2)]
    assert [(c["name"], c["document_count"]) for c in tree[0]["children"]] == [("故障排查", 1), ("操作手册", 1)]
    assert api(kb.reviewer).get("/api/v1/knowledge/categories").json()["data"][0]["document_count"] == 3
    created = api(kb.admin).post(
        "/api/v1/knowledge/categories", {"name": "网络配置", "parent_id": root.pk, "icon": "network"}, format="json"
    )
    assert created.status_code == 200 and created.json()["data"]["parent_id"] == root.pk
    foreign = api(other_kb.admin).post(
        "/api/v1/knowledge/categories", {"name": "x", "parent_id": root.pk}, format="json"
    )
    assert foreign.status_code == 404
    assert api(other_kb.admin).get("/api/v1/knowledge/categories").json()["data"] == []


def test_statistics_are_computed_from_records(kb, api):
    a = kb.published(title="A")
    kb.published(title="B")
    kb.draft(title="C")
    services.document_record_view(document=a, user=kb.requester)
    services.document_rate(document=a, by=kb.requester, rating=4, helpful=True)
    data = (
        api(kb.reviewer).get("/api/v1/knowledge/statistics", {"time_range": "7d", "group_by": "author"}).json()["data"]
    )
    overview = data["overview"]
    assert (overview["total_documents"], overview["published_documents"], overview["total_views"]) == (3, 2, 1)
    assert (overview["avg_rating"], overview["total_likes"], overview["active_authors"]) == (4.0, 1, 1)
    assert len(data["trends"]) == 7 and data["trends"][-1]["views"] == 1
    assert data["top_documents"][0]["id"] == a.pk and data["groups"][0]["count"] == 3


def test_recommendations_for_a_ticket_rank_by_relevance_and_learn_from_resolved_tickets(kb, api, commit):
    with commit():
        printer = kb.published(title="打印机卡纸处理方法", content="打开前盖取出卡纸")
        vpn = kb.published(title="VPN 连接失败", content="检查账号密码")
        kb.published(title="打印机内部手册", content="打印机卡纸", is_public=False)
        kb.draft(title="打印机卡纸草稿", content="打印机卡纸")
        toner = kb.published(title="硒鼓更换", content="更换硒鼓步骤")
    ticket = ticket_services.ticket_create(
        tenant=kb.tenant, by=kb.requester, data={"title": "三楼打印机卡纸", "description": "打印机一直卡纸"}
    )
    params = {"context": "ticket", "ticket_id": ticket.pk}
    data = api(kb.requester).get("/api/v1/knowledge/recommendations", params).json()["data"]
    ids = [r["id"] for r in data["recommendations"]]
    assert ids[0] == printer.pk and vpn.pk not in ids
    assert data["context_info"]["ticket_title"] == "三楼打印机卡纸"
    assert all(r["relevance_score"] <= 1 for r in data["recommendations"])
    titles = {r["title"] for r in data["recommendations"]}
    assert "打印机内部手册" not in titles and "打印机卡纸草稿" not in titles  # requesters: published public only
    # a document that helped resolve an earlier ticket of the same category is learnt
    category = ticket_services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "打印机"})
    solved = ticket_services.ticket_create(
        tenant=kb.tenant, by=kb.requester, data={"title": "打印模糊", "category": category}
    )
    solved = ticket_services.ticket_assign(ticket=solved, by=kb.reviewer, assignee=kb.author)
    solved = ticket_services.ticket_transition(ticket=solved, to="in_progress", by=kb.author)
    ticket_services.ticket_transition(ticket=solved, to="resolved", by=kb.author)
    services.ticket_link(ticket=solved, document=toner, by=kb.author)
    fresh = ticket_services.ticket_create(
        tenant=kb.tenant, by=kb.requester, data={"title": "打印效果差", "category": category}
    )
    data = api(kb.requester).get("/api/v1/knowledge/recommendations", {"context": "ticket", "ticket_id": fresh.pk})
    assert toner.pk in [r["id"] for r in data.json()["data"]["recommendations"]]
    assert TicketDocumentLink.objects.count() == 1


def test_recommendations_need_a_visible_ticket(kb, other_kb, api):
    theirs = ticket_services.ticket_create(tenant=other_kb.tenant, by=other_kb.requester, data={"title": "打印机"})
    response = api(kb.requester).get("/api/v1/knowledge/recommendations", {"context": "ticket", "ticket_id": theirs.pk})
    assert response.status_code == 404
    assert api(kb.requester).get("/api/v1/knowledge/recommendations", {"context": "ticket"}).status_code == 400


def test_deleted_documents_are_soft_deleted_and_gone(kb, api):
    document = kb.published()
    assert api(kb.reviewer).delete(f"{DOCS}/{document.pk}").status_code == 200
    assert api(kb.reviewer).get(f"{DOCS}/{document.pk}").status_code == 404
    assert Document.all_objects.get(pk=document.pk).is_deleted
    assert DocumentVersion.objects.filter(document=document).exists()
