"""How the knowledge base looks in the v1 contract. Plain functions over already-loaded rows;
each is paired with a response serializer in ``serializers`` (the OpenAPI shape)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from knowledge import search, text
from knowledge.choices import Visibility
from portal.timestamps import iso_utc


def display_name(user) -> str:
    if user is None:
        return ""
    return user.real_name or f"{user.last_name}{user.first_name}" or user.username


def author(user) -> dict:
    return {"id": user.pk, "name": display_name(user), "avatar": user.avatar or None}


def category_ref(category) -> dict | None:
    if category is None:
        return None
    return {"id": category.pk, "name": category.name, "icon": category.icon}


def document_created(document) -> dict:
    return {
        "id": document.pk,
        "title": document.title,
        "slug": document.slug,
        "status": document.status,
        "version": document.version,
        "created_at": iso_utc(document.created_at),
        "author": author(document.author),
    }


def document_item(document) -> dict:
    return {
        "id": document.pk,
        "title": document.title,
        "slug": document.slug,
        "summary": document.summary,
        "category": category_ref(document.category),
        "tags": document.tags,
        "author": author(document.author),
        "status": document.status,
        "visibility": document.visibility,
        "version": document.version,
        "difficulty_level": document.difficulty_level,
        "estimated_read_time": document.estimated_read_time,
        "view_count": document.view_count,
        "like_count": document.like_count,
        "rating": round(document.rating_avg, 2),
        "created_at": iso_utc(document.created_at),
        "updated_at": iso_utc(document.updated_at),
        "last_viewed_at": iso_utc(document.last_viewed_at),
    }


def review(row) -> dict:
    return {
        "id": row.pk,
        "action": row.action,
        "review_type": row.review_type,
        "urgency": row.urgency,
        "comment": row.comment,
        "suggestions": row.suggestions,
        "version": row.version,
        "reviewer": author(row.actor),
        "created_at": iso_utc(row.created_at),
    }


def attachment(row, request=None) -> dict:
    if row.external_url:
        url = row.external_url
    else:
        url = reverse("v1-knowledge-attachment-download", kwargs={"pk": row.pk})
        url = request.build_absolute_uri(url) if request is not None else url
    return {
        "id": row.pk,
        "filename": row.filename,
        "file_url": url,
        "file_size": row.file_size,
        "file_type": row.file_type,
    }


def document_detail(document, *, versions, attachments, related, reviews, my_rating, request=None) -> dict:
    latest = versions[0] if versions else None
    category = document.category
    return {
        "id": document.pk,
        "title": document.title,
        "slug": document.slug,
        "content": document.content,
        "content_html": text.render_document(document.content, document.content_type),
        "content_type": document.content_type,
        "summary": document.summary,
        "category": {"id": category.pk, "name": category.name, "path": category.path} if category else None,
        "tags": document.tags,
        "keywords": document.keywords,
        "author": {**author(document.author), "email": document.author.email},
        "status": document.status,
        "visibility": document.visibility,
        "is_public": document.visibility == Visibility.PUBLIC,
        "version": document.version,
        "difficulty_level": document.difficulty_level,
        "estimated_read_time": document.estimated_read_time,
        "attachments": [attachment(a, request) for a in attachments],
        "statistics": {
            "view_count": document.view_count,
            "like_count": document.like_count,
            "comment_count": sum(1 for _r in reviews if _r.comment),
            "share_count": 0,
            "rating": round(document.rating_avg, 2),
            "rating_count": document.rating_count,
        },
        "related_documents": [{"id": d.pk, "title": d.title, "similarity": s} for d, s in related],
        "version_info": {
            "current_version": document.version,
            "total_versions": len(versions),
            "last_updated_by": display_name(document.last_updated_by) if document.last_updated_by else None,
            "change_summary": latest.change_summary if latest else "",
        },
        "reviews": [review(r) for r in reviews],
        "my_rating": my_rating.rating if my_rating else None,
        "created_at": iso_utc(document.created_at),
        "updated_at": iso_utc(document.updated_at),
    }


def version(row, *, current: str, reviews) -> dict:
    return {
        "version": row.version,
        "title": row.title,
        "author": author(row.author),
        "change_summary": row.change_summary,
        "change_type": row.change_type,
        "rollback_of": row.rollback_of or None,
        "created_at": iso_utc(row.created_at),
        "is_current": row.version == current,
        "reviews": [review(r) for r in reviews if r.version == row.version],
    }


def version_detail(row, *, current: str, reviews, content_type: str) -> dict:
    data = version(row, current=current, reviews=reviews)
    data.update(
        {
            "content": row.content,
            "content_html": text.render_document(row.content, content_type),
            "summary": row.summary,
            "tags": row.tags,
        }
    )
    return data


def search_item(document, groups, *, highlight: bool) -> dict:
    marked = search.highlight_item(document, groups, enabled=highlight)
    user = document.author
    return {
        "id": document.pk,
        "title": marked["title"],
        "summary": text.highlight(document.summary, groups if highlight else []),
        "category": category_ref(document.category),
        "tags": document.tags,
        "author": {**author(user), "title": user.job_title or None},
        "score": search.normalised(getattr(document, "score", None) or getattr(document, "relevance", 0)),
        "rating": round(document.rating_avg, 2),
        "rating_count": document.rating_count,
        "view_count": document.view_count,
        "like_count": document.like_count,
        "difficulty_level": document.difficulty_level,
        "estimated_read_time": document.estimated_read_time,
        "updated_at": iso_utc(document.updated_at),
        "highlight": marked,
    }


def search_result(result, *, highlight: bool) -> dict:
    return {
        "query": result.query,
        "total": result.total,
        "total_exact": result.total_exact,
        "took": result.took,
        "page": result.page,
        "size": result.size,
        "suggestions": result.suggestions,
        "facets": result.facets,
        "items": [search_item(d, result.groups, highlight=highlight) for d in result.items],
    }


REASONS = {
    "linked": lambda: _("Helped resolve similar tickets"),
    "relevant": lambda: _("Highly relevant to this ticket"),
    "category": lambda: _("Same category as this ticket"),
    "related": lambda: _("Related to this ticket"),
    "behavior": lambda: _("Related to what you read recently"),
    "popular": lambda: _("Popular in your organisation"),
}


def recommendation(row) -> dict:
    document = row["document"]
    return {
        "id": document.pk,
        "title": document.title,
        "summary": document.summary,
        "category": {
            "id": document.category_id,
            "name": document.category.name if document.category_id else None,
        },
        "relevance_score": row["score"],
        "reason": REASONS[row["reason"]](),
        "estimated_read_time": document.estimated_read_time,
        "rating": round(document.rating_avg, 2),
        "view_count": document.view_count,
    }


def rating(row, document) -> dict:
    return {
        "document_id": document.pk,
        "rating": row.rating,
        "comment": row.comment,
        "helpful": row.helpful,
        "tags": row.tags,
        "average_rating": round(document.rating_avg, 2),
        "rating_count": document.rating_count,
        "updated_at": iso_utc(row.updated_at),
    }


def review_result(document, row) -> dict:
    return {"document_id": document.pk, "status": document.status, "version": document.version, "review": review(row)}


def pending_item(document, submission) -> dict:
    return {
        "id": document.pk,
        "title": document.title,
        "author": author(document.author),
        "review_type": submission.review_type if submission else "publish",
        "submitted_at": iso_utc(submission.created_at) if submission else None,
        "urgency": submission.urgency if submission else "normal",
        "category": document.category.name if document.category_id else None,
        "estimated_read_time": document.estimated_read_time,
        "version": document.version,
    }


def category_node(entry) -> dict:
    node = entry["node"]
    return {
        "id": node.pk,
        "name": node.name,
        "description": node.description,
        "icon": node.icon,
        "sort_order": node.sort_order,
        "parent_id": node.parent_id,
        "document_count": entry["total"],
        "children": [category_node(child) for child in entry["children"]],
    }


def category_created(node) -> dict:
    return {
        "id": node.pk,
        "name": node.name,
        "description": node.description,
        "icon": node.icon,
        "sort_order": node.sort_order,
        "parent_id": node.parent_id,
        "document_count": 0,
        "children": [],
    }
