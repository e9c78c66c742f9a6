"""The knowledge pages: home with tree and search, article page, history with diff and
rollback, editor with preview, review queue, and the ticket page's suggested-articles panel.
Hostile content is shown escaped everywhere."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from knowledge import services
from knowledge.models import Document, DocumentVersion
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = "<script>alert(1)</script> 打印机"
HOSTILE_BODY = "打印机卡纸 <img src=x onerror=alert(2)> [x](javascript:alert(3))\n\n<script>alert(4)</script>"


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _page(client, user, url, status=200, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def _no_live_markup(html: str) -> None:
    assert "<script>alert" not in html
    assert not re.search(r"<img[^>]*onerror", html)
    assert 'href="javascript:' not in html


def test_home_shows_tree_and_highlighted_escaped_results(kb, client, commit):
    root = services.category_create(tenant=kb.tenant, by=kb.admin, data={"name": "硬件"})
    with commit():
        kb.published(title=HOSTILE_TITLE, content=HOSTILE_BODY, category_id=root.pk, tags=["打印机"])
    html = _page(client, kb.requester, reverse("knowledge:list"))
    assert "硬件" in html and "&lt;script&gt;alert(1)&lt;/script&gt; 打印机" in html
    html = _page(client, kb.requester, reverse("knowledge:list"), q="打印机")
    _no_live_markup(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <em>打印机</em>" in html
    assert "<em>打印机</em>卡纸 &lt;img src=x onerror=alert(2)&gt;" in html
    assert "kb-facets" in html  # facet filters


def test_article_page_renders_sanitised_markdown(kb, client):
    document = kb.published(title=HOSTILE_TITLE, content="# 步骤\n\n" + HOSTILE_BODY)
    html = _page(client, kb.requester, reverse("knowledge:detail", args=[document.pk]))
    _no_live_markup(html)
    assert "<h1>步骤</h1>" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert Document.objects.get(pk=document.pk).view_count == 1


def test_requesters_get_404_for_drafts_and_internal_articles(kb, client):
    draft = kb.draft()
    internal = kb.published(title="内部", is_public=False)
    for document in (draft, internal):
        _page(client, kb.requester, reverse("knowledge:detail", args=[document.pk]), status=404)
    _page(client, kb.author, reverse("knowledge:detail", args=[draft.pk]))


def test_editor_saves_versions_and_preview_is_sanitised(kb, client):
    client.force_login(kb.author)
    response = client.post(
        reverse("knowledge:create"),
        {"title": "VPN 指南", "content": "第一行\n第二行", "visibility": "public", "difficulty_level": "beginner"},
    )
    assert response.status_code == 302
    document = Document.objects.get(title="VPN 指南")
    response = client.post(
        reverse("knowledge:edit", args=[document.pk]),
        {
            "title": "VPN 指南",
            "content": "第一行\n第二行（已改）",
            "visibility": "public",
            "difficulty_level": "beginner",
            "change_type": "minor",
            "change_summary": "补充",
        },
    )
    assert response.status_code == 302
    assert [v.version for v in DocumentVersion.objects.filter(document=document)] == ["1.1", "1.0"]
    preview = client.post(reverse("knowledge:preview"), {"content": HOSTILE_BODY}).content.decode()
    _no_live_markup(preview)
    assert "<p>" in preview
    html = _page(client, kb.author, reverse("knowledge:edit", args=[document.pk]))
    assert 'id="kb-preview"' in html and "knowledge/editor.js" in html


def test_history_diff_and_rollback(kb, client):
    document = kb.draft(content="甲\n乙\n丙")
    services.document_update(document=document, by=kb.author, data={"content": "甲\n乙改\n丙\n丁 <b>x</b>"})
    html = _page(client, kb.author, reverse("knowledge:history", args=[document.pk]), a="1.0", b="1.1")
    assert "kb-diff-del" in html and "kb-diff-add" in html and "丁 &lt;b&gt;x&lt;/b&gt;" in html
    client.force_login(kb.author)
    response = client.post(reverse("knowledge:action", args=[document.pk, "rollback"]), {"version": "1.0"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert (document.version, document.content) == ("1.2", "甲\n乙\n丙")


def test_review_queue_and_decision_from_the_page(kb, client):
    document = kb.draft(title="待审文章")
    services.document_submit_review(document=document, by=kb.author)
    html = _page(client, kb.reviewer, reverse("knowledge:reviews"))
    assert "待审文章" in html
    _page(client, kb.requester, reverse("knowledge:reviews"), status=403)
    client.force_login(kb.reviewer)
    client.post(
        reverse("knowledge:action", args=[document.pk, "review"]),
        {"action": "reject", "comment": "请补充截图", "suggestions": "加截图\n加链接"},
    )
    document.refresh_from_db()
    assert document.status == "rejected"
    html = _page(client, kb.author, reverse("knowledge:detail", args=[document.pk]))
    assert "请补充截图" in html and "加链接" in html


def test_ticket_page_loads_suggested_articles_from_the_knowledge_base(kb, other_kb, client, commit):
    with commit():
        article = kb.published(title="打印机卡纸处理方法", content="取出卡纸")
    ticket = ticket_services.ticket_create(tenant=kb.tenant, by=kb.requester, data={"title": "打印机卡纸"})
    html = _page(client, kb.requester, reverse("tickets:detail", args=[ticket.pk]))
    panel_url = reverse("knowledge:ticket_suggestions", args=[ticket.pk])
    assert f'hx-get="{panel_url}"' in html
    fragment = _page(client, kb.requester, panel_url)
    assert "打印机卡纸处理方法" in fragment and "This helped" not in fragment and "有帮助" not in fragment
    # an agent can record that the article helped; another tenant gets a 404
    assigned = ticket_services.ticket_assign(ticket=ticket, by=kb.reviewer, assignee=kb.author)
    client.force_login(kb.author)
    response = client.post(panel_url, {"document": article.pk})
    assert response.status_code == 200 and "badge-success" in response.content.decode()
    assert assigned.pk == ticket.pk
    _page(client, other_kb.admin, panel_url, status=404)


def test_history_of_a_single_version_shows_it_all_added(kb, client):
    document = kb.draft(content="第一行\n第二行 <b>x</b>")
    html = _page(client, kb.author, reverse("knowledge:history", args=[document.pk]))
    assert html.count('class="kb-diff-add"') == 2 and "kb-diff-del" not in html and "kb-diff-same" not in html
    assert "第二行 &lt;b&gt;x&lt;/b&gt;" in html and "No differences" not in html
