"""Full-text search of the knowledge base, inside the database.

Index: every save schedules ``index_document`` after commit. It writes the document's terms
(``knowledge.text.terms``: jieba-segmented Chinese, Snowball-stemmed English) in three weight
classes — title (A), tags/keywords/summary (B), body (C) — to ``DocumentSearch``; on PostgreSQL
into the GIN-indexed ``tsvector`` column (``'simple'`` configuration: the terms are already
normalised), on SQLite into the FTS5 table ``knowledge_fts``.

Query: the same normalisation turns the query into groups of alternatives (``query_groups``),
all groups must match (if none does, any group may). Ranking is ``ts_rank`` (PostgreSQL) or
``bm25`` (FTS5) with the title weighted highest, optionally blended with popularity or
rating. Facets and the total are SQL aggregates over the whole match; only the page's rows are
highlighted (``knowledge.text.highlight``/``snippet``, escape-then-wrap).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import Count, F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Ln
from django.utils import timezone

from knowledge import text
from knowledge.choices import DATE_RANGES, DocumentStatus, SearchSort, Visibility
from knowledge.models import Document, DocumentSearch, DocumentTag, KnowledgeCategory, SearchTerm

log = logging.getLogger(__name__)

MAX_BODY_TERMS = 4000
FTS_TABLE = "knowledge_fts"
PG_WEIGHTS = [0.1, 0.2, 0.4, 1.0]  # D, C, B, A: title matches weigh most
FTS_WEIGHTS = (10.0, 4.0, 1.0)  # title, tags, body


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- index ------------------------------------------------------------------------------------


def schedule_index(document_id: int) -> None:
    """Re-index ``document_id`` once the current transaction commits (nothing if it rolls back)."""

    def index_committed():  # a named function: Django's robust on_commit logs its name
        index_document(document_id)

    transaction.on_commit(index_committed, robust=True)


def build_terms(document: Document) -> dict:
    plain = text.plain_text(document.content, document.content_type)
    extra = " ".join([*document.tags, *document.keywords, document.summary])
    return {
        "title_terms": " ".join(text.terms(document.title)),
        "tag_terms": " ".join(text.terms(extra)),
        "body_terms": " ".join(text.terms(plain)[:MAX_BODY_TERMS]),
        "plain_text": plain,
    }


def vocabulary(document: Document) -> set[str]:
    words = set(text.words(document.title))
    words.update(t.lower() for t in [*document.tags, *document.keywords] if t and len(t) <= 64)
    return {w for w in words if len(w) > 1}


@transaction.atomic
def index_document(document_id: int) -> None:
    """Bring the index rows of one document up to date with its committed state (idempotent).
    The document row is locked so two indexers of one document run one after the other."""
    document = Document.all_objects.select_for_update().filter(pk=document_id).first()
    if document is None or document.is_deleted:
        DocumentSearch.objects.filter(document_id=document_id).delete()
        SearchTerm.objects.filter(document_id=document_id).delete()
        if not is_postgres():
            _fts_delete(document_id)
        return
    values = build_terms(document)
    DocumentSearch.objects.update_or_create(
        document_id=document.pk,
        defaults={**values, "tenant_id": document.tenant_id, "source_updated_at": document.updated_at},
    )
    if is_postgres():
        DocumentSearch.objects.filter(document_id=document.pk).update(
            vector=SearchVector(Value(values["title_terms"]), weight="A", config="simple")
            + SearchVector(Value(values["tag_terms"]), weight="B", config="simple")
            + SearchVector(Value(values["body_terms"]), weight="C", config="simple")
        )
    else:
        _fts_delete(document.pk)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, title, tags, body) VALUES (%s, %s, %s, %s)",  # noqa: S608 - constant table
                [document.pk, values["title_terms"], values["tag_terms"], values["body_terms"]],
            )
    SearchTerm.objects.filter(document_id=document.pk).delete()
    if document.status == DocumentStatus.PUBLISHED:
        public = document.visibility == Visibility.PUBLIC
        SearchTerm.objects.bulk_create(
            [
                SearchTerm(tenant_id=document.tenant_id, document_id=document.pk, term=w, is_public=public)
                for w in sorted(vocabulary(document))
            ]
        )


def _fts_delete(document_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [document_id])  # noqa: S608 - constant table


def stale_documents(limit: int = 500) -> list[int]:
    """Documents whose index row is missing or older than the document (the sweep's work)."""
    alive = Document.objects.filter(Q(search__isnull=True) | ~Q(search__source_updated_at=F("updated_at")))
    gone = DocumentSearch.objects.filter(document__is_deleted=True).values_list("document_id", flat=True)
    return list(alive.values_list("pk", flat=True)[:limit]) + list(gone[:limit])


def reindex_stale(limit: int = 500) -> int:
    """The sweep: re-index every document whose index row is missing or behind it (e.g. a
    re-index lost when the process died after commit). Each document in its own transaction."""
    ids = stale_documents(limit)
    for document_id in dict.fromkeys(ids):
        with transaction.atomic():
            index_document(document_id)
    return len(ids)


# --- match ------------------------------------------------------------------------------------


def _expression(groups, *, any_group: bool, quote, AND: str, OR: str) -> str:
    clauses = []
    for group in groups:
        alternatives = ["(" + f" {AND} ".join(quote(t) for t in alternative) + ")" for alternative in group]
        clauses.append("(" + f" {OR} ".join(alternatives) + ")")
    return f" {OR if any_group else AND} ".join(clauses)


def _pg_tsquery(groups, *, any_group: bool) -> str:
    """``(('服务器') | ('服务' & '务器')) & ('故障')``; terms are quoted lexemes."""
    return _expression(
        groups, any_group=any_group, quote=lambda t: "'" + t.replace("\\", "").replace("'", "") + "'", AND="&", OR="|"
    )


def _fts_match(groups, *, any_group: bool) -> str:
    """The same expression in FTS5 syntax, terms as quoted strings."""
    return _expression(groups, any_group=any_group, quote=lambda t: '"' + t.replace('"', "") + '"', AND="AND", OR="OR")


def matching(queryset: QuerySet, groups: list[list[str]], *, any_group: bool = False) -> QuerySet:
    """``queryset`` (of Document) narrowed to the documents matching the query groups, with a
    ``relevance`` annotation (higher is better)."""
    if not groups:
        return queryset.none().annotate(relevance=Value(0.0, output_field=FloatField()))
    if is_postgres():
        query = SearchQuery(_pg_tsquery(groups, any_group=any_group), search_type="raw", config="simple")
        return queryset.filter(search__vector=query).annotate(
            relevance=SearchRank(F("search__vector"), query, weights=PG_WEIGHTS, normalization=Value(32))
        )
    # Only constants are formatted into the SQL (table names, weights); the match expression
    # is a parameter.
    match = _fts_match(groups, any_group=any_group)
    table = Document._meta.db_table
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    rowids = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    rank = (
        f"(SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {table}.id)"
    )
    return queryset.filter(id__in=RawSQL(rowids, [match])).annotate(  # noqa: S611
        relevance=RawSQL(rank, [match], output_field=FloatField())  # noqa: S611
    )


def normalised(score: float | None) -> float:
    """A relevance in 0..1 for presentation (PostgreSQL's rank is already rank/(rank+1))."""
    score = max(float(score or 0.0), 0.0)
    if not is_postgres():
        score = score / (score + 1.0)
    return round(score, 4)


# --- the search operation -----------------------------------------------------------------------


@dataclass
class SearchParams:
    q: str
    category_ids: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    difficulty_level: str | None = None
    content_type: str | None = None
    date_range: str | None = None
    sort: str = SearchSort.RELEVANCE
    highlight: bool = True
    page: int = 1
    size: int = 10


@dataclass
class SearchResult:
    query: str
    total: int
    took: int
    page: int
    size: int
    items: list
    facets: dict
    suggestions: list[str]
    groups: list[list[str]]


def _with_descendants(tenant, category_ids: list[int]) -> list[int]:
    nodes = KnowledgeCategory.objects.for_tenant(tenant).filter(pk__in=category_ids)
    ids = set()
    for node in nodes:
        ids.update(node.get_descendants(include_self=True).values_list("pk", flat=True))
    return sorted(ids) or [-1]


def apply_filters(queryset: QuerySet, params: SearchParams, *, tenant) -> QuerySet:
    if params.category_ids:
        queryset = queryset.filter(category_id__in=_with_descendants(tenant, params.category_ids))
    if params.tags:
        queryset = queryset.filter(
            pk__in=DocumentTag.objects.filter(tenant=tenant, name__in=params.tags).values("document_id")
        )
    if params.difficulty_level:
        queryset = queryset.filter(difficulty_level=params.difficulty_level)
    if params.content_type:
        queryset = queryset.filter(content_type=params.content_type)
    if params.date_range:
        queryset = queryset.filter(updated_at__gte=timezone.now() - timedelta(days=DATE_RANGES[params.date_range]))
    return queryset


def ordered(queryset: QuerySet, sort: str) -> QuerySet:
    if sort == SearchSort.DATE:
        return queryset.order_by("-updated_at", "-id")
    if sort == SearchSort.POPULARITY:
        blended = F("relevance") * (Value(1.0) + Ln(Cast(F("view_count"), FloatField()) + Value(1.0)) / Value(5.0))
        return queryset.annotate(score=blended).order_by("-score", "-id")
    if sort == SearchSort.RATING:
        blended = F("relevance") * (Value(1.0) + F("rating_avg") / Value(5.0))
        return queryset.annotate(score=blended).order_by("-score", "-id")
    return queryset.annotate(score=F("relevance")).order_by("-score", "-id")


FACET_LIMIT = 20


def facets_of(matched: QuerySet, *, tenant) -> dict:
    """Counts over the whole match (not the page), in ONE statement: the match is computed once
    (a materialised CTE) and grouped three ways — categories, tags, difficulty levels."""
    inner_sql, params = matched.order_by().values("id", "category_id", "difficulty_level").query.sql_with_params()
    tags = DocumentTag._meta.db_table
    # Only constants (table names, the limit) are formatted into the SQL; values are parameters.
    sql = (
        f"WITH m AS MATERIALIZED ({inner_sql}) "  # noqa: S608
        "SELECT 'c', CAST(category_id AS TEXT), COUNT(*) FROM m WHERE category_id IS NOT NULL GROUP BY category_id "
        "UNION ALL SELECT 'd', difficulty_level, COUNT(*) FROM m GROUP BY difficulty_level "
        f"UNION ALL SELECT * FROM (SELECT 't', t.name, COUNT(*) AS n FROM {tags} t "
        f"INNER JOIN m ON m.id = t.document_id WHERE t.tenant_id = %s GROUP BY t.name "
        f"ORDER BY n DESC, t.name LIMIT {FACET_LIMIT}) top_tags"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, tenant.pk])
        rows = cursor.fetchall()
    category_counts = {int(key): count for kind, key, count in rows if kind == "c"}
    names = dict(KnowledgeCategory.objects.filter(pk__in=category_counts).values_list("pk", "name"))
    categories = sorted(
        ({"id": pk, "name": names.get(pk, ""), "count": n} for pk, n in category_counts.items()),
        key=lambda f: (-f["count"], f["name"]),
    )[:FACET_LIMIT]
    tag_rows = sorted(((key, n) for kind, key, n in rows if kind == "t"), key=lambda r: (-r[1], r[0]))
    levels = sorted(((key, n) for kind, key, n in rows if kind == "d"), key=lambda r: (-r[1], r[0]))
    return {
        "categories": categories,
        "tags": [{"name": name, "count": n} for name, n in tag_rows],
        "difficulty_levels": [{"level": level, "count": n} for level, n in levels],
    }


def suggestions_for(q: str, *, user, total: int, limit: int = 5) -> list[str]:
    """Completions of the query's last word from the indexed vocabulary of published documents
    the user may see (requesters: public ones only)."""
    from knowledge.policy import sees_only_public

    query_words = text.words(q)
    if not query_words:
        return []
    last = query_words[-1]
    terms = SearchTerm.objects.for_user(user).filter(term__startswith=last).exclude(term=last)
    if sees_only_public(user):
        terms = terms.filter(is_public=True)
    completions = [row["term"] for row in terms.values("term").annotate(n=Count("id")).order_by("-n", "term")[:limit]]
    head = q.strip()
    stem_at = head.lower().rfind(last)
    prefix = head[:stem_at] if stem_at >= 0 else head + " "
    return [f"{prefix}{term}" for term in completions]


def search(*, user, base: QuerySet, params: SearchParams) -> SearchResult:
    """Run one search over ``base`` (the documents ``user`` may see)."""
    started = time.perf_counter()
    tenant = user.tenant
    groups = text.query_groups(params.q)
    filtered = apply_filters(base, params, tenant=tenant)
    empty = {"categories": [], "tags": [], "difficulty_levels": []}
    matched = matching(filtered, groups)
    facets = facets_of(matched, tenant=tenant) if groups else empty
    if not facets["difficulty_levels"] and len(groups) > 1:  # nothing has every word: any word
        matched = matching(filtered, groups, any_group=True)
        facets = facets_of(matched, tenant=tenant)
    # every document has a difficulty level, so its facet counts the whole match
    total = sum(f["count"] for f in facets["difficulty_levels"])
    start = (params.page - 1) * params.size
    page = []
    if total > start:
        page = list(
            ordered(matched, params.sort)
            .select_related("category", "author", "search")
            .defer("search__vector", "search__title_terms", "search__tag_terms", "search__body_terms", "content")[
                start : start + params.size
            ]
        )
    suggestions = suggestions_for(params.q, user=user, total=total)
    took = round((time.perf_counter() - started) * 1000)
    return SearchResult(
        query=params.q,
        total=total,
        took=took,
        page=params.page,
        size=params.size,
        items=page,
        facets=facets,
        suggestions=suggestions,
        groups=groups,
    )


def highlight_item(document: Document, groups: list[list[str]], *, enabled: bool = True) -> dict:
    """The escaped title and content snippet of one hit, matched words in ``<em>``."""
    plain = getattr(getattr(document, "search", None), "plain_text", "") or document.summary
    if not enabled:
        return {"title": text.highlight(document.title, []), "content": text.snippet(plain, [])}
    return {"title": text.highlight(document.title, groups), "content": text.snippet(plain, groups)}


def related_documents(document: Document, *, base: QuerySet, limit: int = 5) -> list[tuple[Document, float]]:
    """Published documents sharing words with this one's title and tags, most similar first."""
    groups = text.query_groups(" ".join([document.title, *document.tags]))
    if not groups:
        return []
    candidates = (
        matching(base.filter(status=DocumentStatus.PUBLISHED).exclude(pk=document.pk), groups, any_group=True)
        .order_by("-relevance", "-id")
        .select_related("category")[:limit]
    )
    return [(doc, normalised(doc.relevance)) for doc in candidates]


def rank_boost(rating_avg: float, links: int) -> float:
    return 1.0 + 0.1 * (rating_avg or 0) + 0.3 * math.log1p(links)
