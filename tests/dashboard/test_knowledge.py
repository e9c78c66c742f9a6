"""The knowledge base's contribution: its own search in the global search (published
documents and one's own drafts only) and the knowledge activity widget."""

from __future__ import annotations

import pytest

from tests.knowledge.conftest import _cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def kb(tenant_a, make_user):
    return _cast(tenant_a, make_user, "k_")


@pytest.fixture
def other_kb(tenant_b, make_user):
    return _cast(tenant_b, make_user, "kb_")


def test_global_search_finds_knowledge_with_its_visibility(kb, other_kb, api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written on commit
        published = kb.published(title="打印机卡纸处理手册")
        kb.draft(by=kb.other_author, title="打印机草稿（别人的）")
        other_kb.published(title="打印机 乙租户")
    data = api(kb.requester).get("/api/v1/dashboard/search?q=打印机&type=knowledge").json()["data"]
    titles = [r["title"] for r in data["results"]]
    assert titles == ["打印机卡纸处理手册"]
    hit = data["results"][0]
    assert hit["type"] == "knowledge" and hit["id"] == str(published.pk) and "<em>打印机</em>" in hit["highlight"]
    assert 0 < hit["score"] <= 1
    everything = api(kb.other_author).get("/api/v1/dashboard/search?q=打印机").json()["data"]
    assert {"打印机卡纸处理手册", "打印机草稿（别人的）"} <= {r["title"] for r in everything["results"]}


def test_global_search_ranks_knowledge_like_the_knowledge_search(kb, api, django_capture_on_commit_callbacks):
    """The global search shows the knowledge search's own order, and when no document has
    every word, documents with any of them, as the knowledge search does."""
    with django_capture_on_commit_callbacks(execute=True):
        in_title = kb.published(title="VPN 连接失败怎么办", content="重新安装客户端。")
        in_body = kb.published(title="远程办公指南", content="如果 VPN 连接失败，请先检查网络。")
        kb.published(title="邮箱配额", content="清理邮件。")
    own = api(kb.requester).get("/api/v1/knowledge/search", {"q": "VPN 连接失败"}).json()["data"]
    data = api(kb.requester).get("/api/v1/dashboard/search?q=VPN 连接失败&type=knowledge").json()["data"]
    assert [r["id"] for r in data["results"]] == [str(d["id"]) for d in own["items"]][:10]
    assert [r["id"] for r in data["results"]] == [str(in_title.pk), str(in_body.pk)]
    assert data["groups"] == [{"type": "knowledge", "name": data["groups"][0]["name"], "count": 2}]
    any_word = api(kb.requester).get("/api/v1/dashboard/search?q=邮箱 打印机&type=knowledge").json()["data"]
    assert [r["title"] for r in any_word["results"]] == ["邮箱配额"]


def test_knowledge_activity_widget(kb, api):
    kb.published()
    data = api(kb.reviewer).get("/api/v1/dashboard/widgets/knowledge_activity/data?time_range=7d").json()["data"]
    assert len(data["chart_data"]["labels"]) == 7 and data["summary"]["documents"] == 1
    one_day = api(kb.reviewer).get("/api/v1/dashboard/widgets/knowledge_activity/data?time_range=1d").json()["data"]
    assert len(one_day["chart_data"]["labels"]) == 1
