"""Every read of the knowledge domain, tenant- and visibility-scoped (``knowledge.policy``).
Invisible documents are simply absent (404)."""

from __future__ import annotations

import math
from datetime import timedelta

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from knowledge import search, text
from knowledge.choices import DocumentStatus, ReviewAction, SearchSort
from knowledge.models import (
    Document,
    DocumentAttachment,
    DocumentRating,
    DocumentReview,
    DocumentSearch,
    DocumentTag,
    DocumentVersion,
    DocumentView,
    KnowledgeCategory,
    TicketDocumentLink,
)
from knowledge.policy import is_reviewer, visibility_q
from portal.errors import DomainError, ErrorCode

LIST_RELATED = ("category", "author")
SORTS = {
    "created_at": ("created_at",),
    "updated_at": ("updated_at",),
    "view_count": ("view_count",),
    "rating": ("rating_avg", "rating_count"),
}


def documents_for(user) -> QuerySet:
    """The documents ``user`` may see (alive, own tenant, visibility rules)."""
    if not user or not user.is_authenticated:
        return Document.objects.none()
    return Document.objects.for_user(user).filter(visibility_q(user))


def visible_document(user, pk) -> Document:
    try:
        return documents_for(user).select_related(*LIST_RELATED, "last_updated_by").get(pk=int(pk))
    except (Document.DoesNotExist, TypeError, ValueError, OverflowError):
        raise DomainError(ErrorCode.DOCUMENT_NOT_FOUND, details={"document_id": str(pk)[:32]}) from None


def categories_for(user) -> QuerySet:
    return KnowledgeCategory.objects.for_user(user)


def descendant_ids(user, category_id) -> list[int]:
    node = categories_for(user).filter(pk=category_id).first()
    if node is None:
        return [-1]
    return list(node.get_descendants(include_self=True).values_list("pk", flat=True))


def document_list(*, user, filters: dict) -> QuerySet:
    """Filtered, sorted documents for a list (filters already validated)."""
    queryset = documents_for(user).select_related(*LIST_RELATED)
    if filters.get("category_id"):
        queryset = queryset.filter(category_id__in=descendant_ids(user, filters["category_id"]))
    if filters.get("tags"):
        queryset = queryset.filter(
            pk__in=DocumentTag.objects.for_user(user).filter(name__in=filters["tags"]).values("document_id")
        )
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("author_id"):
        queryset = queryset.filter(author_id=filters["author_id"])
    if filters.get("difficulty_level"):
        queryset = queryset.filter(difficulty_level=filters["difficulty_level"])
    if filters.get("keyword"):
        groups = text.query_groups(filters["keyword"])
        keyword = filters["keyword"].strip()
        by_words = search.matching(queryset, groups).values("pk") if groups else Document.objects.none().values("pk")
        queryset = queryset.filter(Q(pk__in=by_words) | Q(title__icontains=keyword))
    direction = "" if filters.get("order") == "asc" else "-"
    fields = SORTS.get(filters.get("sort") or "updated_at", SORTS["updated_at"])
    return queryset.order_by(*(f"{direction}{f}" for f in fields), f"{direction}id")


def category_tree(*, user) -> list[dict]:
    """The tenant's category tree, children in ``sort_order``, each node with the number of
    documents the user may see in it and below it (one counting query, one tree query)."""
    nodes = list(categories_for(user).order_by("tree_id", "lft"))
    direct = dict(
        documents_for(user)
        .filter(category__isnull=False)
        .order_by()
        .values_list("category_id")
        .annotate(n=Count("*"))  # COUNT(*): the alive-category index answers alone
    )
    by_id = {n.pk: {"node": n, "children": [], "count": direct.get(n.pk, 0)} for n in nodes}
    roots = []
    for node in nodes:
        entry = by_id[node.pk]
        parent = by_id.get(node.parent_id)
        (parent["children"] if parent else roots).append(entry)

    def finish(entry):
        entry["children"].sort(key=lambda e: (e["node"].sort_order, e["node"].name))
        entry["total"] = entry["count"] + sum(finish(child) for child in entry["children"])
        return entry["total"]

    roots.sort(key=lambda e: (e["node"].sort_order, e["node"].name))
    for root in roots:
        finish(root)
    return roots


def versions_of(document: Document) -> QuerySet:
    return DocumentVersion.objects.filter(document=document).select_related("author").order_by("-major", "-minor")


def version_of(document: Document, version: str) -> DocumentVersion:
    try:
        major, minor = (int(part) for part in str(version).split("."))
        return versions_of(document).get(major=major, minor=minor)
    except (ValueError, TypeError, OverflowError, DocumentVersion.DoesNotExist):
        raise DomainError(ErrorCode.DOCUMENT_VERSION_NOT_FOUND, details={"version": str(version)[:16]}) from None


def reviews_of(document: Document) -> QuerySet:
    return DocumentReview.objects.filter(document=document).select_related("actor").order_by("-created_at", "-id")


def attachments_of(document: Document) -> QuerySet:
    """The alive attachments of a document already known to be visible."""
    return DocumentAttachment.objects.filter(document=document).order_by("id")


def attachment_for_download(*, user, pk) -> DocumentAttachment | None:
    """A stored attachment ``user`` may download: on a document they can see (requesters:
    published public ones), or their own upload not yet named by a document. Another tenant's
    is simply absent."""
    if not user or not user.is_authenticated:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    return (
        DocumentAttachment.objects.for_user(user)
        .filter(pk=pk)
        .exclude(file="")
        .filter(Q(document__in=documents_for(user).values("pk")) | Q(document__isnull=True, uploaded_by=user))
        .first()
    )


def pending_reviews(*, user) -> QuerySet:
    """Documents waiting for review that ``user`` may decide (never their own), oldest first;
    ``submitted_at``, ``review_type`` and ``urgency`` come from the latest submission."""
    if not is_reviewer(user):
        return Document.objects.none()
    return (
        documents_for(user)
        .filter(status=DocumentStatus.PENDING_REVIEW)
        .exclude(author=user)
        .select_related(*LIST_RELATED)
        .order_by("updated_at", "id")
    )


def latest_submissions(documents) -> dict[int, DocumentReview]:
    rows = DocumentReview.objects.filter(document__in=[d.pk for d in documents], action=ReviewAction.SUBMIT).order_by(
        "document_id", "-created_at", "-id"
    )
    out: dict[int, DocumentReview] = {}
    for row in rows:
        out.setdefault(row.document_id, row)
    return out


def user_rating(document: Document, user) -> DocumentRating | None:
    return DocumentRating.objects.filter(document=document, user=user).first()


# --- search and recommendations -----------------------------------------------------------------


def search_rows_for(user) -> QuerySet:
    """The search index rows of the documents ``user`` may see: the same rule as
    ``documents_for``, applied to the copies of the visibility fields the rows carry."""
    if not user or not user.is_authenticated:
        return DocumentSearch.objects.none()
    return DocumentSearch.objects.for_user(user).filter(visibility_q(user))


def run_search(*, user, params: search.SearchParams) -> search.SearchResult:
    """Search covers published documents the user may see, plus their own drafts."""
    findable = Q(status=DocumentStatus.PUBLISHED) | Q(author=user)
    base = documents_for(user).filter(findable)
    rows = search_rows_for(user).filter(findable)
    return search.search(user=user, base=base, rows=rows, params=params)


def related_for(document: Document, *, user, limit: int = 5):
    return search.related_documents(document, base=documents_for(user), limit=limit)


def _recommendable(user) -> QuerySet:
    """Recommendations never include drafts, reviews in progress or archived documents."""
    return documents_for(user).filter(status=DocumentStatus.PUBLISHED)


def recommend_for_ticket(*, user, ticket, limit: int = 5) -> list[dict]:
    """Published documents relevant to the ticket's title, description and category, boosted by
    their rating and by how often they were linked to resolved tickets of the same category."""
    from tickets.choices import TicketStatus

    base = _recommendable(user).select_related("category")
    groups = text.query_groups(f"{ticket.title} {ticket.title} {(ticket.description or '')[:300]}")
    category_name = ticket.category.name if ticket.category_id else ""
    if category_name:
        groups += [g for g in text.query_groups(category_name) if g not in groups]
    candidates = {}
    if groups:
        for doc in search.matching(base, groups, any_group=True).order_by("-relevance", "-id")[:40]:
            candidates[doc.pk] = (doc, search.normalised(doc.relevance))
    solved = Q(ticket__status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
    same_kind = Q(ticket__category_id=ticket.category_id) if ticket.category_id else Q(pk__in=[])
    links = dict(
        TicketDocumentLink.objects.for_user(user)
        .filter(solved & same_kind, document__in=base)
        .exclude(ticket_id=ticket.pk)
        .order_by()
        .values_list("document_id")
        .annotate(n=Count("id"))
    )
    missing = [pk for pk in links if pk not in candidates]
    for doc in base.filter(pk__in=missing):
        candidates[doc.pk] = (doc, 0.0)
    linked_here = set(TicketDocumentLink.objects.filter(ticket_id=ticket.pk).values_list("document_id", flat=True))
    scored = []
    for pk, (doc, relevance) in candidates.items():
        n = links.get(pk, 0)
        same_category = bool(category_name and doc.category_id and doc.category.name == category_name)
        score = (relevance + (0.1 if same_category else 0.0)) * search.rank_boost(doc.rating_avg, n) + 0.05 * n
        if n:
            reason = "linked"
        elif relevance >= 0.2:
            reason = "relevant"
        elif same_category:
            reason = "category"
        else:
            reason = "related"
        scored.append({"document": doc, "score": score, "reason": reason, "links": n, "linked": pk in linked_here})
    scored.sort(key=lambda r: (-r["score"], -r["document"].pk))
    top = scored[:limit]
    best = top[0]["score"] if top and top[0]["score"] > 0 else 1.0
    for row in top:
        row["score"] = round(min(row["score"] / best, 1.0) * (0.99 if row is not top[0] else 1.0), 4)
    return top


def recommend_for_category(*, user, category_id, limit: int = 5) -> list[dict]:
    docs = (
        _recommendable(user)
        .filter(category_id__in=descendant_ids(user, category_id))
        .select_related("category")
        .order_by("-rating_avg", "-view_count", "-id")[:limit]
    )
    return _popular_rows(docs, "category")


def recommend_for_user(*, user, limit: int = 5) -> list[dict]:
    """From what the user read lately: other documents in those categories and tags."""
    since = timezone.now() - timedelta(days=90)
    recent = DocumentView.objects.for_user(user).filter(user=user, viewed_at__gte=since)
    seen_ids = set(recent.values_list("document_id", flat=True)[:200])
    category_ids = set(
        Document.objects.filter(pk__in=seen_ids, category__isnull=False).values_list("category_id", flat=True)
    )
    tags = set(DocumentTag.objects.filter(document_id__in=seen_ids).values_list("name", flat=True)[:50])
    base = _recommendable(user).exclude(pk__in=seen_ids).select_related("category")
    if category_ids or tags:
        related = base.filter(
            Q(category_id__in=category_ids)
            | Q(pk__in=DocumentTag.objects.for_user(user).filter(name__in=tags).values("document_id"))
        )
        docs = list(related.order_by("-rating_avg", "-view_count", "-id")[:limit])
        if docs:
            return _popular_rows(docs, "behavior")
    return _popular_rows(base.order_by("-view_count", "-rating_avg", "-id")[:limit], "popular")


def _popular_rows(docs, reason: str) -> list[dict]:
    docs = list(docs)
    top = max((d.view_count for d in docs), default=0)
    rows = []
    for doc in docs:
        score = (0.5 + 0.1 * doc.rating_avg) * (0.5 + 0.5 * math.log1p(doc.view_count) / math.log1p(max(top, 1)))
        rows.append({"document": doc, "score": round(min(score, 1.0), 4), "reason": reason, "links": 0})
    return rows


# --- statistics -------------------------------------------------------------------------------

TIME_RANGES = {"7d": 7, "30d": 30, "90d": 90}


def statistics(*, user, time_range: str = "30d", group_by: str | None = None) -> dict:
    """Figures computed from the rows (documents, views, ratings) the user may see."""
    days = TIME_RANGES.get(time_range, 30)
    now = timezone.now()
    since = now - timedelta(days=days)
    docs = documents_for(user)
    overview = docs.aggregate(
        total_documents=Count("id"),
        published_documents=Count("id", filter=Q(status=DocumentStatus.PUBLISHED)),
        total_views=Sum("view_count"),
        total_likes=Sum("like_count"),
        active_authors=Count("author", distinct=True),
    )
    ratings = DocumentRating.objects.filter(document__in=docs)
    overview["avg_rating"] = round(ratings.aggregate(a=Avg("rating"))["a"] or 0, 2)
    overview["total_views"] = overview["total_views"] or 0
    overview["total_likes"] = overview["total_likes"] or 0

    def per_day(queryset, field):
        return dict(
            queryset.filter(**{f"{field}__gte": since})
            .annotate(day=TruncDate(field))
            .order_by()
            .values_list("day")
            .annotate(n=Count("id"))
        )

    views = per_day(DocumentView.objects.filter(document__in=docs), "viewed_at")
    created = per_day(docs, "created_at")
    rated = per_day(ratings, "updated_at")
    trends = []
    today = timezone.localdate()
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        trends.append(
            {
                "date": day.isoformat(),
                "views": views.get(day, 0),
                "new_documents": created.get(day, 0),
                "ratings": rated.get(day, 0),
            }
        )
    top = [
        {
            "id": d.pk,
            "title": d.title,
            "views": d.view_count,
            "rating": round(d.rating_avg, 2),
            "category": d.category.name if d.category_id else None,
        }
        for d in docs.select_related("category").order_by("-view_count", "-id")[:10]
    ]
    distribution = {
        (name or "—"): n
        for name, n in docs.order_by().values_list("category__name").annotate(n=Count("id")).order_by("-n")
    }
    data = {"overview": overview, "trends": trends, "top_documents": top, "category_distribution": distribution}
    if group_by == "author":
        data["groups"] = [
            {"key": name or username, "count": n}
            for name, username, n in docs.order_by()
            .values_list("author__real_name", "author__username")
            .annotate(n=Count("id"))
            .order_by("-n")[:50]
        ]
    elif group_by == "tag":
        data["groups"] = [
            {"key": name, "count": n}
            for name, n in DocumentTag.objects.filter(document__in=docs)
            .order_by()
            .values_list("name")
            .annotate(n=Count("id"))
            .order_by("-n")[:50]
        ]
    elif group_by == "category":
        data["groups"] = [{"key": k, "count": v} for k, v in distribution.items()]
    return data


__all__ = ["SearchSort"]
