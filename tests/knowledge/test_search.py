"""Search inside the database (SQLite FTS5 by default, PostgreSQL full-text with
DATABASE_URL=postgres://…): Chinese segmentation, English stemming, ranking, safe highlights,
facets over the whole result, suggestions, visibility and tenant isolation, and an index that
follows every committed save (and no rolled-back one)."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from knowledge import services
from tests.isolation import MARKER

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/knowledge/search"


def _search(api, user, **params):
    response = api(user).get(SEARCH, params)
    assert response.status_code == 200, response.content[:300]
    return response.json()["data"]


def _titles(data):
    return [re.sub(r"</?em>", "", item["title"]) for item in data["items"]]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """``with commit():`` runs the on-commit callbacks (the index refresh) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_chinese_words_are_found_through_segmentation(kb, api, commit):
    with commit():
        kb.published(title="服务器出现故障时的应急处理", content="先确认影响范围，再查看监控告警。")
        kb.published(title="打印机卡纸", content="打开前盖取出纸张。")
    data = _search(api, kb.requester, q="服务器故障")
    assert _titles(data) == ["服务器出现故障时的应急处理"]
    assert "<em>服务器</em>" in data["items"][0]["highlight"]["title"]
    assert "<em>故障</em>" in data["items"][0]["highlight"]["title"]
    assert _titles(_search(api, kb.requester, q="卡纸")) == ["打印机卡纸"]


def test_english_words_are_stemmed(kb, api, commit):
    with commit():
        kb.published(title="Printer shows offline", content="Check the printer's IP address and port.")
        kb.published(title="VPN keeps disconnecting", content="Use a wired connection.")
    assert _titles(_search(api, kb.requester, q="printers")) == ["Printer shows offline"]
    assert _titles(_search(api, kb.requester, q="disconnected VPN")) == ["VPN keeps disconnecting"]
    highlight = _search(api, kb.requester, q="printers")["items"][0]["highlight"]
    assert highlight["title"] == "<em>Printer</em> shows offline"


def test_title_matches_rank_above_body_matches(kb, api, commit):
    with commit():
        body_only = kb.published(title="网络设备巡检", content="巡检时顺便检查打印机和交换机。" * 3)
        in_title = kb.published(title="打印机驱动安装", content="下载驱动后双击安装。")
    data = _search(api, kb.requester, q="打印机")
    assert [item["id"] for item in data["items"]] == [in_title.pk, body_only.pk]
    assert data["items"][0]["score"] >= data["items"][1]["score"] >= 0


def test_popularity_blend_reorders_on_request(kb, api, commit):
    with commit():
        quiet = kb.published(title="打印机驱动安装", content="下载驱动。")
        popular = kb.published(title="打印机驱动更新", content="下载驱动。")
    for _ in range(30):
        services.document_record_view(document=popular, user=kb.requester)
    relevance = _search(api, kb.requester, q="打印机驱动")
    popularity = _search(api, kb.requester, q="打印机驱动", sort="popularity")
    assert {i["id"] for i in relevance["items"]} == {quiet.pk, popular.pk}
    assert popularity["items"][0]["id"] == popular.pk


def test_highlights_escape_everything_but_em(kb, api, commit):
    hostile_title = '<script>alert("t")</script> 打印机 <b onmouseover=x>'
    hostile_body = 'x <img src=x onerror=alert(1)> 打印机卡纸 <a href="javascript:alert(2)">y</a> &lt;script&gt;'
    with commit():
        kb.published(title=hostile_title, content=hostile_body, summary="<svg onload=alert(3)> 打印机")
    data = _search(api, kb.requester, q="打印机")
    item = data["items"][0]
    for text in (item["title"], item["summary"], item["highlight"]["title"], item["highlight"]["content"]):
        assert re.findall(r"<[^>]*>", text) and set(re.findall(r"<[^>]*>", text)) <= {"<em>", "</em>"}, text
    assert item["highlight"]["title"].startswith("&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; <em>打印机</em>")
    assert "&lt;img src=x onerror=alert(1)&gt;" in item["highlight"]["content"]


def test_facets_count_the_whole_result_not_the_page(kb, api, commit):
    printers = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "打印机"})
    network = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "网络"})
    with commit():
        for n in range(7):
            kb.published(
                title=f"打印机问题 {n}",
                content="打印机无法打印",
                category_id=(printers if n < 5 else network).pk,
                tags=["打印机", "硬件"] if n % 2 else ["打印机"],
                difficulty_level="advanced" if n == 0 else "beginner",
            )
        kb.published(title="VPN", content="与打印无关")
    data = _search(api, kb.requester, q="打印机", size=2)
    assert data["total"] == 7 and len(data["items"]) == 2
    facets = data["facets"]
    assert {(f["name"], f["count"]) for f in facets["categories"]} == {("打印机", 5), ("网络", 2)}
    assert {(f["name"], f["count"]) for f in facets["tags"]} == {("打印机", 7), ("硬件", 3)}
    assert {(f["level"], f["count"]) for f in facets["difficulty_levels"]} == {("advanced", 1), ("beginner", 6)}
    # a facet used as a filter narrows the result
    narrowed = _search(api, kb.requester, q="打印机", category_ids=str(network.pk), tags="硬件")
    assert narrowed["total"] == 1


def test_suggestions_come_from_indexed_terms(kb, api, commit):
    with commit():
        kb.published(title="打印机卡纸", tags=["打印机"], content="…")
        kb.published(title="打印队列清理", tags=["打印队列"], content="…")
    data = _search(api, kb.requester, q="打印")
    assert set(data["suggestions"]) >= {"打印机", "打印队列"}
    assert isinstance(data["took"], int) and data["query"] == "打印"


def test_requesters_find_only_published_public_documents(kb, api, commit):
    with commit():
        kb.draft(title="打印机草稿", content="打印机")
        kb.published(title="打印机内部说明", content="打印机", is_public=False)
        kb.published(title="打印机公开说明", content="打印机")
    assert _titles(_search(api, kb.requester, q="打印机")) == ["打印机公开说明"]
    staff = set(_titles(_search(api, kb.reviewer, q="打印机")))
    assert staff == {"打印机内部说明", "打印机公开说明"}
    assert "打印机草稿" in _titles(_search(api, kb.author, q="打印机"))  # the author finds their own draft


def test_another_tenant_neither_sees_nor_finds_our_documents(kb, other_kb, api, commit):
    with commit():
        ours = kb.published(title=f"{MARKER} 打印机", content="打印机卡纸")
    data = _search(api, other_kb.admin, q="打印机")
    assert data["total"] == 0 and MARKER not in str(data)
    assert api(other_kb.admin).get(f"/api/v1/knowledge/documents/{ours.pk}").status_code == 404
    recommended = api(other_kb.admin).get("/api/v1/knowledge/recommendations", {"context": "user_behavior"})
    assert MARKER not in recommended.content.decode()


def test_the_index_follows_committed_saves_only(kb, api, commit):
    with commit():
        document = kb.published(title="邮件同步", content="检查 Outlook 连接状态")
    assert _titles(_search(api, kb.requester, q="Outlook")) == ["邮件同步"]
    with commit():
        services.document_update(document=document, by=kb.reviewer, data={"content": "改用 Thunderbird 客户端"})
    assert _search(api, kb.requester, q="Outlook")["total"] == 0
    assert _titles(_search(api, kb.requester, q="Thunderbird")) == ["邮件同步"]
    # a save that rolls back changes neither the document nor the index
    with commit(), pytest.raises(RuntimeError), transaction.atomic():
        services.document_update(document=document, by=kb.reviewer, data={"content": "Evolution 客户端"})
        raise RuntimeError("rolled back")
    assert _search(api, kb.requester, q="Evolution")["total"] == 0
    assert _titles(_search(api, kb.requester, q="Thunderbird")) == ["邮件同步"]
    with commit():
        services.document_delete(document=document, by=kb.reviewer)
    assert _search(api, kb.requester, q="Thunderbird")["total"] == 0


def test_bad_search_input_is_a_400(kb, api):
    empty = api(kb.requester).get(SEARCH)  # nothing asked, nothing found
    assert empty.status_code == 200 and empty.json()["data"]["total"] == 0
    response = api(kb.requester).get(SEARCH, {"q": "，。！"})
    assert response.status_code == 400
    assert api(kb.requester).get(SEARCH, {"q": "x", "sort": "nope"}).status_code == 400
    assert api(kb.requester).get(SEARCH, {"q": "x", "date_range": "2w"}).status_code == 400
    assert api(kb.requester).get(SEARCH, {"q": "x", "category_ids": "1,abc"}).status_code == 400


def test_the_periodic_sweep_reindexes_documents_whose_index_is_stale(kb, api):
    from django_celery_beat.models import PeriodicTask

    from knowledge import search
    from knowledge.models import Document
    from knowledge.tasks import reindex_stale

    task = PeriodicTask.objects.get(task="knowledge.reindex_stale")
    assert task.enabled and task.expire_seconds < task.interval.every
    # published without running the on-commit re-index: as if the process died after commit
    document = kb.published(title="服务器出现故障时的应急处理", content="先确认影响范围。")
    assert document.pk in search.stale_documents()
    assert _titles(_search(api, kb.requester, q="服务器故障")) == []
    assert reindex_stale() >= 1
    assert document.pk not in search.stale_documents()
    assert _titles(_search(api, kb.requester, q="服务器故障")) == ["服务器出现故障时的应急处理"]
    Document.objects.filter(pk=document.pk).update(is_deleted=True)  # a deleted document leaves the index
    assert reindex_stale() >= 1 and search.stale_documents() == []
    assert reindex_stale() == 0  # idempotent: nothing left to do


def _facets(data):
    facets = data["facets"]
    return (
        {(f["name"], f["count"]) for f in facets["categories"]},
        {(f["name"], f["count"]) for f in facets["tags"]},
        {(f["level"], f["count"]) for f in facets["difficulty_levels"]},
    )


def test_facets_and_total_follow_every_save_of_the_document(kb, api, commit):
    """The index row carries the fields facets, filters and visibility read: each save that
    changes them moves the document in the facets, and archiving takes it out of the total."""
    printers = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "打印机"})
    network = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "网络"})
    with commit():
        document = kb.published(
            title="打印机脱机",
            content="检查打印机网络",
            category_id=printers.pk,
            tags=["硬件"],
            difficulty_level="beginner",
        )
        kb.published(title="打印机卡纸", content="打开前盖", category_id=printers.pk, tags=["硬件", "耗材"])
    data = _search(api, kb.requester, q="打印机")
    assert data["total"] == 2
    assert _facets(data) == ({("打印机", 2)}, {("硬件", 2), ("耗材", 1)}, {("beginner", 2)})
    with commit():
        services.document_update(
            document=document,
            by=kb.reviewer,
            data={"category_id": network.pk, "tags": ["网络"], "difficulty_level": "advanced"},
        )
    data = _search(api, kb.requester, q="打印机")
    assert data["total"] == 2
    assert _facets(data) == (
        {("打印机", 1), ("网络", 1)},
        {("硬件", 1), ("耗材", 1), ("网络", 1)},
        {("beginner", 1), ("advanced", 1)},
    )
    assert _search(api, kb.requester, q="打印机", difficulty_level="advanced")["total"] == 1
    assert _search(api, kb.requester, q="打印机", tags="网络")["total"] == 1
    with commit():
        services.document_update(document=document, by=kb.reviewer, data={"is_public": False})
    requester = _search(api, kb.requester, q="打印机")
    assert requester["total"] == 1 and _facets(requester)[0] == {("打印机", 1)}  # internal: not for requesters
    assert _search(api, kb.reviewer, q="打印机")["total"] == 2
    with commit():
        services.document_review(document=document, by=kb.reviewer, action="archive")
    assert _search(api, kb.reviewer, q="打印机")["total"] == 1
    assert _titles(_search(api, kb.reviewer, q="打印机")) == ["打印机卡纸"]


def test_facets_never_count_what_the_user_may_not_see(kb, api, commit):
    secret = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "内部"})
    with commit():
        kb.published(title="打印机公开说明", content="打印机")
        kb.published(title="打印机内部说明", content="打印机", is_public=False, category_id=secret.pk, tags=["机密"])
        kb.draft(title="打印机草稿", content="打印机", category_id=secret.pk, tags=["机密"])
    data = _search(api, kb.requester, q="打印机")
    assert data["total"] == 1
    assert "内部" not in str(data["facets"]) and "机密" not in str(data["facets"])
    # the author of the draft counts it (their own), a reviewer counts the internal one, not the draft
    assert _search(api, kb.author, q="打印机")["total"] == 3
    assert _search(api, kb.reviewer, q="打印机")["total"] == 2


def test_a_page_never_shows_a_document_its_index_row_is_behind_on(kb, api, commit):
    """The page's documents are read through the document's own rules: a document archived by
    a write that skipped the re-index (until the sweep catches up) is not shown."""
    from knowledge.models import Document

    with commit():
        shown = kb.published(title="打印机卡纸", content="打开前盖")
        hidden = kb.published(title="打印机脱机", content="检查网络")
    Document.objects.filter(pk=hidden.pk).update(status="archived")  # the index row still says published
    data = _search(api, kb.requester, q="打印机")
    assert [item["id"] for item in data["items"]] == [shown.pk]


def test_pages_walk_the_whole_ranking_in_order(kb, api, commit):
    with commit():
        in_title = kb.published(title="VPN 连接断开", content="检查证书。")
        in_body = [kb.published(title=f"网络巡检 {n}", content=f"第 {n} 项：VPN 网关状态。") for n in range(11)]
    pages = [_search(api, kb.requester, q="VPN", size=5, page=n) for n in (1, 2, 3)]
    ids = [item["id"] for page in pages for item in page["items"]]
    assert [len(page["items"]) for page in pages] == [5, 5, 2] and all(p["total"] == 12 for p in pages)
    assert ids[0] == in_title.pk  # the title match first
    assert sorted(ids) == sorted([in_title.pk, *(d.pk for d in in_body)])  # every match once
    scores = [item["score"] for page in pages for item in page["items"]]
    assert scores == sorted(scores, reverse=True)
    assert _search(api, kb.requester, q="VPN", size=5, page=4)["items"] == []


def test_date_and_rating_sorts_rank_on_request(kb, api, commit):
    with commit():
        older = kb.published(title="邮箱容量已满", content="清理邮箱")
        newer = kb.published(title="邮箱无法同步", content="检查邮箱设置")
        services.document_update(document=older, by=kb.reviewer, data={"content": "清理邮箱中的大附件"})
    assert [i["id"] for i in _search(api, kb.requester, q="邮箱", sort="date")["items"]] == [older.pk, newer.pk]
    for user in (kb.requester, kb.author, kb.other_author):
        services.document_rate(document=newer, by=user, rating=5)
    rated = _search(api, kb.requester, q="邮箱", sort="rating")
    assert rated["items"][0]["id"] == newer.pk and rated["items"][0]["rating"] == 5


def test_one_search_is_a_fixed_number_of_queries(kb, api, commit, django_assert_num_queries):
    """Match, total, facets and ranking are one statement, whatever the number of matches."""
    from knowledge import selectors
    from knowledge.search import SearchParams

    category = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "打印机"})
    with commit():
        for n in range(12):
            kb.published(title=f"打印机问题 {n}", content="打印机无法打印", category_id=category.pk, tags=[f"t{n}"])
    user = type(kb.requester).objects.get(pk=kb.requester.pk)
    selectors.run_search(user=user, params=SearchParams(q="打印机"))  # the user's permissions are cached
    # the pass, the category names, the page's documents, the suggestions
    with django_assert_num_queries(4):
        result = selectors.run_search(user=user, params=SearchParams(q="打印机", size=5))
    assert result.total == 12 and len(result.items) == 5


def test_a_match_larger_than_one_search_reads_still_ranks_title_matches_first(kb, api, client, commit, settings):
    """Under an operator's KNOWLEDGE_SEARCH_MATCH_LIMIT a search reads at most that many
    matches (a lower bound ``total`` with ``total_exact`` false, facets over those), plus the
    best documents whose title matches: the strongest document is first even when it lies
    outside the part that was read. Without it (the default) every search is exact."""
    with commit():
        body_only = [
            kb.published(title=f"网络巡检 {n}", content="巡检时检查 VPN 网关。", tags=["巡检"]) for n in range(5)
        ]
        in_title = kb.published(title="VPN 证书过期", content="更新证书。", tags=["VPN"])
    exact = _search(api, kb.requester, q="VPN")
    assert exact["total"] == 6 and exact["total_exact"] is True
    settings.KNOWLEDGE_SEARCH_MATCH_LIMIT = 3
    data = _search(api, kb.requester, q="VPN", size=10)
    assert data["total"] == 3 and data["total_exact"] is False
    assert data["items"][0]["id"] == in_title.pk
    assert {item["id"] for item in data["items"]} <= {in_title.pk, *(d.pk for d in body_only)}
    assert sum(f["count"] for f in data["facets"]["difficulty_levels"]) == 3  # the facets count what was read
    client.force_login(kb.requester)
    with translation.override("en"):
        page = client.get(reverse("knowledge:list"), {"q": "VPN"}, headers={"accept-language": "en"})
    assert page.status_code == 200 and "More than 3 results" in page.content.decode()


@pytest.mark.parametrize("sort", ["relevance", "date", "popularity", "rating"])
def test_totals_and_facets_are_exact_and_of_our_tenant_whatever_the_sort(kb, other_kb, api, commit, sort):
    """One pass counts every match the user may see (not the page, not another tenant's) for
    every sort, and ranks by the sort: the score is the relevance times the sort's boost."""
    ours = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "网络"})
    theirs = services.category_create(tenant=other_kb.tenant, by=other_kb.admin, data={"name": "外部"})
    with commit():
        for n in range(6):
            kb.published(
                title=f"VPN 断开 {n}" if n < 2 else f"网络巡检 {n}",
                content="检查 VPN 网关。",
                category_id=ours.pk,
                tags=["VPN", "网络"] if n % 2 else ["VPN"],
                difficulty_level="advanced" if n < 2 else "beginner",
            )
        kb.published(title="VPN 内部手册", content="VPN", is_public=False, tags=["内部"])
        for n in range(4):
            other_kb.published(title=f"VPN {MARKER} {n}", content="VPN", category_id=theirs.pk, tags=["外部"])
    data = _search(api, kb.requester, q="VPN", size=1, sort=sort)
    assert data["total"] == 6 and data["total_exact"] is True and len(data["items"]) == 1
    assert _facets(data) == ({("网络", 6)}, {("VPN", 6), ("网络", 3)}, {("advanced", 2), ("beginner", 4)})
    assert MARKER not in str(data) and "内部" not in str(data["facets"])
    pages = [_search(api, kb.requester, q="VPN", size=4, page=n, sort=sort) for n in (1, 2)]
    assert sum(len(p["items"]) for p in pages) == 6 and len({i["id"] for p in pages for i in p["items"]}) == 6
    if sort == "relevance":
        scores = [item["score"] for p in pages for item in p["items"]]
        assert scores == sorted(scores, reverse=True) and set(_titles(pages[0])[:2]) == {"VPN 断开 0", "VPN 断开 1"}
    reviewer = _search(api, kb.reviewer, q="VPN", sort=sort)
    assert reviewer["total"] == 7 and ("内部", 1) in _facets(reviewer)[1]
    assert _search(api, other_kb.requester, q="VPN", sort=sort)["total"] == 4


def test_snippets_are_cut_from_the_indexed_plain_text_and_follow_saves(kb, api, commit):
    """The plain text a hit's snippet comes from is written with the index row (kept apart
    from it): the snippet shows the body's matched words, escaped, follows a save and goes
    with the document."""
    from knowledge.models import DocumentText

    with commit():
        document = kb.published(
            title="邮箱容量", summary="容量说明", content="# 清理\n\n**邮箱**已满时无法接收新邮件 <script>x</script>"
        )
    content = _search(api, kb.requester, q="接收")["items"][0]["highlight"]["content"]
    assert "<em>接收</em>" in content and "<script>" not in content and "**" not in content
    with commit():
        services.document_update(document=document, by=kb.reviewer, data={"content": "请归档旧邮件后重新同步。"})
    content = _search(api, kb.requester, q="归档")["items"][0]["highlight"]["content"]
    assert "<em>归档</em>" in content and "接收" not in content
    assert _search(api, kb.requester, q="接收")["total"] == 0
    with commit():
        services.document_delete(document=document, by=kb.reviewer)
    assert _search(api, kb.requester, q="归档")["total"] == 0
    assert not DocumentText.objects.filter(document_id=document.pk).exists()


def test_a_snippet_does_not_repeat_the_title_the_article_opens_with(kb, api, commit):
    """A result shows its title, then its snippet: an article whose opening heading repeats
    the title is cut from the body after that heading. Another opening heading stays."""
    with commit():
        kb.published(title="打印机卡纸处理方法", content="# 打印机卡纸处理方法\n\n关闭**打印机**电源，打开前盖。")
        kb.published(title="网络打印机", content="# 添加步骤\n\n在设置中添加打印机。")
    items = {_titles({"items": [item]})[0]: item for item in _search(api, kb.requester, q="打印机")["items"]}
    jam = re.sub(r"</?em>", "", items["打印机卡纸处理方法"]["highlight"]["content"])
    assert jam == "关闭打印机电源，打开前盖。"
    assert items["打印机卡纸处理方法"]["highlight"]["content"].startswith("关闭<em>打印机</em>")
    assert re.sub(r"</?em>", "", items["网络打印机"]["highlight"]["content"]).startswith("添加步骤 在设置中")


def test_the_migration_trims_the_stored_snippet_text_of_existing_articles(kb, commit):
    """``knowledge 0008`` rewrites the stored text of documents indexed before the rule, and
    only where an opening heading repeats the title."""
    from importlib import import_module

    from django.apps import apps

    from knowledge.models import DocumentText

    with commit():
        opens_with_title = kb.published(title="VPN 断开", content="# VPN 断开\n\n重新登录客户端。")
        other_heading = kb.published(title="邮箱", content="# 清理\n\n删除旧邮件。")
    DocumentText.objects.filter(document=opens_with_title).update(plain_text="VPN 断开 重新登录客户端。")
    migration = import_module("knowledge.migrations.0008_snippet_text_without_title_heading")
    migration.trim_title_headings(apps, None)
    assert DocumentText.objects.get(document=opens_with_title).plain_text == "重新登录客户端。"
    assert DocumentText.objects.get(document=other_heading).plain_text == "清理 删除旧邮件。"


def test_english_snippets_and_summaries_are_cut_between_words(kb, api, commit):
    """A snippet window and an automatic summary never start or end inside an English word
    (Chinese, without spaces, is cut at any character)."""
    body = (
        "Restart the router first. Open the web configuration page from the front panel and "
        "write down the current settings before you change anything else in it. Check that "
        "your computer can reach the address of the printer, then update the port."
    )
    words = set(body.split())
    with commit():
        document = kb.published(title="Network checklist", content=body)
    content = _search(api, kb.requester, q="printer")["items"][0]["highlight"]["content"]
    assert "<em>printer</em>" in content
    shown = re.sub(r"</?em>", "", content).strip("…").split()
    assert shown[0] in words and shown[-1] in words, content
    assert document.summary.endswith("…") and document.summary[:-1].split()[-1] in words, document.summary
