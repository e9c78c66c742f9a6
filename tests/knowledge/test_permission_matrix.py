"""The permission matrix of every knowledge endpoint: anonymous (401), another tenant's admin
(404 for our objects), a requester, the author (agent), another agent and a reviewer
(supervisor). Every refused call leaves the document exactly as it was."""

from __future__ import annotations

import pytest

from knowledge import services
from knowledge.models import Document, DocumentRating, DocumentReview, DocumentVersion, KnowledgeCategory

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "other_tenant", "requester", "author", "other_author", "reviewer"]
DRAFT, PENDING, PUBLISHED = "draft", "pending_review", "published"
DOC = "/api/v1/knowledge/documents/{id}"

# (method, path, body, document state, expected status per actor in ACTORS order)
MATRIX = [
    ("get", DOC, None, PUBLISHED, [401, 404, 200, 200, 200, 200]),
    ("get", DOC, None, DRAFT, [401, 404, 404, 200, 404, 200]),
    ("put", DOC, {"title": "改", "content": "新内容"}, DRAFT, [401, 404, 403, 200, 404, 200]),
    ("put", DOC, {"title": "改", "content": "新内容"}, PUBLISHED, [401, 404, 403, 200, 403, 200]),
    ("delete", DOC, None, DRAFT, [401, 404, 403, 403, 403, 200]),
    ("get", DOC + "/versions", None, DRAFT, [401, 404, 404, 200, 404, 200]),
    ("get", DOC + "/versions/1.0", None, PUBLISHED, [401, 404, 200, 200, 200, 200]),
    ("post", DOC + "/versions/1.0/rollback", {}, DRAFT, [401, 404, 403, 200, 404, 200]),
    ("post", DOC + "/rating", {"rating": 4}, PUBLISHED, [401, 404, 200, 200, 200, 200]),
    ("post", DOC + "/submit-review", {"comment": "请审核"}, DRAFT, [401, 404, 403, 200, 404, 200]),
    ("post", DOC + "/review", {"action": "approve"}, PENDING, [401, 404, 403, 403, 403, 200]),
    ("post", DOC + "/review", {"action": "reject", "comment": "补充截图"}, PENDING, [401, 404, 403, 403, 403, 200]),
]

LISTS = [
    ("get", "/api/v1/knowledge/documents", None, [401, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/knowledge/search?q=打印机", None, [401, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/knowledge/recommendations?context=user_behavior", None, [401, 200, 200, 200, 200, 200]),
    ("get", "/api/v1/knowledge/categories", None, [401, 200, 200, 200, 200, 200]),
    ("post", "/api/v1/knowledge/categories", {"name": "新分类"}, [401, 200, 403, 403, 403, 200]),
    ("post", "/api/v1/knowledge/documents", {"title": "新文档", "content": "内容"}, [401, 200, 403, 200, 200, 200]),
    ("get", "/api/v1/knowledge/statistics", None, [401, 200, 403, 403, 403, 200]),
    ("get", "/api/v1/knowledge/reviews/pending", None, [401, 200, 403, 403, 403, 200]),
]


def _document_in(kb, state):
    document = kb.draft(title="打印机卡纸处理", content="打开前盖取出纸张")
    if state in (PENDING, PUBLISHED):
        services.document_submit_review(document=document, by=kb.author)
    if state == PUBLISHED:
        services.document_review(document=document, by=kb.admin, action="approve")
    document.refresh_from_db()
    return document


def _actor(name, kb, other_kb):
    return {
        "anonymous": None,
        "other_tenant": other_kb.admin,
        "requester": kb.requester,
        "author": kb.author,
        "other_author": kb.other_author,
        "reviewer": kb.reviewer,
    }[name]


def _snapshot(document):
    row = Document.all_objects.get(pk=document.pk)
    return (
        row.title,
        row.content,
        row.status,
        row.version,
        row.is_deleted,
        DocumentVersion.objects.filter(document=row).count(),
        DocumentReview.objects.filter(document=row).count(),
        DocumentRating.objects.filter(document=row).count(),
    )


def _call(api, user, method, path, body):
    client = api(user)
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


@pytest.mark.parametrize(
    ("method", "path", "body", "state", "expected"), MATRIX, ids=[f"{m} {p} {s}" for m, p, _b, s, _e in MATRIX]
)
def test_document_matrix(method, path, body, state, expected, kb, other_kb, api):
    for actor, status in zip(ACTORS, expected, strict=True):
        document = _document_in(kb, state)
        before = _snapshot(document)
        response = _call(api, _actor(actor, kb, other_kb), method, path.format(id=document.pk), body)
        assert response.status_code == status, (actor, response.status_code, response.content[:300])
        if status >= 400:
            assert _snapshot(document) == before, f"refused call by {actor} changed the document"
        if status == 403:
            assert response.json()["code"] == 403


@pytest.mark.parametrize(("method", "path", "body", "expected"), LISTS, ids=[f"{m} {p}" for m, p, _b, _e in LISTS])
def test_list_matrix(method, path, body, expected, kb, other_kb, api):
    for actor, status in zip(ACTORS, expected, strict=True):
        documents = Document.all_objects.count()
        categories = KnowledgeCategory.objects.count()
        response = _call(api, _actor(actor, kb, other_kb), method, path, body)
        assert response.status_code == status, (actor, response.status_code, response.content[:300])
        if status >= 400:
            assert (Document.all_objects.count(), KnowledgeCategory.objects.count()) == (documents, categories)
