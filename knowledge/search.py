"""Full-text search of the knowledge base, inside the database.

Index: every save schedules ``index_document`` after commit. It writes the document's terms
(``knowledge.text.terms``: jieba-segmented Chinese, Snowball-stemmed English) in three weight
classes — title (A), tags/keywords/summary (B), body (C) — on PostgreSQL into the GIN-indexed
``tsvector`` column of ``DocumentSearch`` (``'simple'`` configuration: the terms are already
normalised), on SQLite into the FTS5 table ``knowledge_fts``. The same row carries copies of
the fields that decide visibility and that filters and facets use; the plain text of the
snippets and the title vector live apart (``DocumentText``), as a search reads them only for
some documents.

Query: the same normalisation turns the query into groups of alternatives (``query_groups``),
all groups must match (if none does, any group may). One statement over the index rows the
user may see does the whole search: the match (GIN / FTS5), the total and the facets over the
whole match (grouped once), and the ranked ids of the requested page — ``ts_rank``
(PostgreSQL) or ``bm25`` (FTS5) with the title weighted highest, optionally blended with
popularity or rating. Only the page's documents are then read (through the document's own
visibility rules) and highlighted (``knowledge.text.highlight``/``snippet``, escape-then-wrap).

Cost: a search reads every matching index row once, so its cost grows with the match. By
default every search is exact. With ``KNOWLEDGE_SEARCH_MATCH_LIMIT`` = N (an operator's
choice, see ``match_limit``) a larger match is read as its first N rows plus the best documents
whose title matches (the GIN index of ``DocumentText.head`` / an FTS5 ``{title}`` filter): the
total is then a lower bound (``total_exact`` false) and the facets count the rows read; title
matches still rank first, the body-only rest is ranked within the rows read.
"""

from __future__ import annotations

import json
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
from knowledge.models import Document, DocumentSearch, DocumentTag, DocumentText, KnowledgeCategory, SearchTerm

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
    """The terms of the three weight classes, and the plain text snippets are cut from: the
    body without an opening heading that repeats the title (a result shows the title above its
    snippet). The body terms keep that heading, so the ranking is the same either way."""
    plain = text.plain_text(document.content, document.content_type)
    extra = " ".join([*document.tags, *document.keywords, document.summary])
    return {
        "title_terms": " ".join(text.terms(document.title)),
        "tag_terms": " ".join(text.terms(extra)),
        "body_terms": " ".join(text.terms(plain)[:MAX_BODY_TERMS]),
        "plain_text": text.body_text(document.content, document.content_type, title=document.title, plain=plain),
    }


def row_fields(document: Document) -> dict:
    """The document's fields that searches filter, facet and check visibility on, as the
    index row keeps them."""
    return {
        "tenant_id": document.tenant_id,
        "status": document.status,
        "visibility": document.visibility,
        "author_id": document.author_id,
        "category_id": document.category_id,
        "difficulty_level": document.difficulty_level,
        "content_type": document.content_type,
        "tags": json.dumps(list(dict.fromkeys(document.tags)), ensure_ascii=False),
        "source_updated_at": document.updated_at,
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
        DocumentText.objects.filter(document_id=document_id).delete()
        SearchTerm.objects.filter(document_id=document_id).delete()
        if not is_postgres():
            _fts_delete(document_id)
        return
    values = build_terms(document)
    DocumentSearch.objects.update_or_create(document_id=document.pk, defaults=row_fields(document))
    DocumentText.objects.update_or_create(
        document_id=document.pk, defaults={"tenant_id": document.tenant_id, "plain_text": values["plain_text"]}
    )
    if is_postgres():
        DocumentSearch.objects.filter(document_id=document.pk).update(
            vector=SearchVector(Value(values["title_terms"]), weight="A", config="simple")
            + SearchVector(Value(values["tag_terms"]), weight="B", config="simple")
            + SearchVector(Value(values["body_terms"]), weight="C", config="simple"),
        )
        DocumentText.objects.filter(document_id=document.pk).update(
            head=SearchVector(Value(values["title_terms"]), config="simple")
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


def matching(
    queryset: QuerySet, groups: list[list[str]], *, any_group: bool = False, in_head: bool = False
) -> QuerySet:
    """``queryset`` (of ``Document`` or of ``DocumentSearch`` rows) narrowed to the documents
    matching the query groups, with a ``relevance`` annotation (higher is better). ``in_head``
    (``DocumentSearch`` rows only): the query must also match the title alone."""
    if not groups:
        return queryset.none().annotate(relevance=Value(0.0, output_field=FloatField()))
    on_rows = queryset.model is DocumentSearch
    if is_postgres():
        vector = "vector" if on_rows else "search__vector"
        query = SearchQuery(_pg_tsquery(groups, any_group=any_group), search_type="raw", config="simple")
        queryset = queryset.filter(**{vector: query})
        if in_head:  # the title vector lives apart from the index row (DocumentText)
            titled = DocumentText.objects.filter(head=query).values("document_id")
            queryset = queryset.filter(document_id__in=titled)
        return queryset.annotate(relevance=SearchRank(F(vector), query, weights=PG_WEIGHTS, normalization=Value(32)))
    # Only constants are formatted into the SQL (table and column names, weights); the match
    # expression is a parameter.
    match = _fts_match(groups, any_group=any_group)
    key = f"{queryset.model._meta.db_table}.{queryset.model._meta.pk.column}"
    weights = ", ".join(str(w) for w in FTS_WEIGHTS)
    rowids = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    if in_head:
        queryset = queryset.filter(pk__in=RawSQL(rowids, ["{title} : (" + match + ")"]))  # noqa: S611
    rank = (
        f"(SELECT -bm25({FTS_TABLE}, {weights}) FROM {FTS_TABLE} "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s AND {FTS_TABLE}.rowid = {key})"
    )
    return queryset.filter(pk__in=RawSQL(rowids, [match])).annotate(  # noqa: S611
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
    total_exact: bool = True


def _with_descendants(tenant, category_ids: list[int]) -> list[int]:
    nodes = KnowledgeCategory.objects.for_tenant(tenant).filter(pk__in=category_ids)
    ids = set()
    for node in nodes:
        ids.update(node.get_descendants(include_self=True).values_list("pk", flat=True))
    return sorted(ids) or [-1]


def apply_filters(rows: QuerySet, params: SearchParams, *, tenant) -> QuerySet:
    """``rows`` (``DocumentSearch``) narrowed by the search's filters."""
    if params.category_ids:
        rows = rows.filter(category_id__in=_with_descendants(tenant, params.category_ids))
    if params.tags:
        rows = rows.filter(pk__in=DocumentTag.objects.filter(tenant=tenant, name__in=params.tags).values("document_id"))
    if params.difficulty_level:
        rows = rows.filter(difficulty_level=params.difficulty_level)
    if params.content_type:
        rows = rows.filter(content_type=params.content_type)
    if params.date_range:
        rows = rows.filter(source_updated_at__gte=timezone.now() - timedelta(days=DATE_RANGES[params.date_range]))
    return rows


def boosted(rows: QuerySet, sort: str) -> QuerySet:
    """``rows`` with the ``boost`` their relevance is multiplied by: popularity or rating on
    request (those figures change with every view, so they stay on the document and only these
    two sorts join it), otherwise 1. The score is ``relevance * boost``, computed over the
    matched rows, so the rank function runs once per row (an annotation that refers to another
    repeats its SQL)."""
    if sort == SearchSort.POPULARITY:
        views = Cast(F("document__view_count"), FloatField())
        return rows.annotate(boost=Value(1.0) + Ln(views + Value(1.0)) / Value(5.0))
    if sort == SearchSort.RATING:
        return rows.annotate(boost=Value(1.0) + F("document__rating_avg") / Value(5.0))
    return rows.annotate(boost=Value(1.0, output_field=FloatField()))


FACET_LIMIT = 20


def match_limit() -> int | None:
    """The most matches one search reads (counts, facets, ranks): the setting
    ``KNOWLEDGE_SEARCH_MATCH_LIMIT``, by default none — every search is exact, as the issue's
    rules ask (facets over the whole result set, ranking over every match). An operator of a
    very large knowledge base may set one: a larger match is then read as its first N documents
    plus the N best documents whose title alone matches (through the head index); its total is
    "more than N" (``total_exact`` false), its facets count that part, and a body-only match
    is ranked within the part read. docs/performance.md gives the measured trade."""
    from django.conf import settings

    return getattr(settings, "KNOWLEDGE_SEARCH_MATCH_LIMIT", None) or None


@dataclass
class Found:
    """What one pass over the match yields: the total (at most the match limit, ``exact``
    false when the match is larger), the facet counts and the ranked ``(document_id,
    relevance, score)`` of the first ``window`` results."""

    total: int = 0
    exact: bool = True
    categories: dict[int, int] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    tags: list[tuple[str, int]] = field(default_factory=list)
    ranked: list[tuple[int, float, float]] = field(default_factory=list)


def _tag_counts_sql(counted: str) -> str:
    if is_postgres():
        # group the tag lists first: far fewer distinct lists than documents; the index row
        # keeps its list as JSON text, which hashes far cheaper than jsonb (or a cast of it),
        # and only the distinct lists are parsed
        return (
            "SELECT tag, CAST(SUM(n) AS BIGINT) AS n "  # noqa: S608 - constant CTE names
            f"FROM (SELECT tags, COUNT(*) AS n FROM {counted} GROUP BY 1) lists "
            "CROSS JOIN LATERAL jsonb_array_elements_text(CAST(lists.tags AS jsonb)) AS tag GROUP BY tag"
        )
    return f"SELECT j.value AS tag, COUNT(*) AS n FROM {counted}, json_each({counted}.tags) AS j GROUP BY j.value"  # noqa: S608


def _order(sort: str) -> str:
    return "source_updated_at DESC, document_id DESC" if sort == SearchSort.DATE else "score DESC, document_id DESC"


def _columns(sort: str) -> tuple[str, ...]:
    """What the match keeps of each row: the facets' fields, the relevance, and only for the
    sorts that use them the boost and the date (every column is copied for every match)."""
    extra = {SearchSort.POPULARITY: ("boost",), SearchSort.RATING: ("boost",), SearchSort.DATE: ("source_updated_at",)}
    return ("document_id", "category_id", "difficulty_level", "tags", "relevance", *extra.get(sort, ()))


def _ranked(sort: str) -> str:
    """What ranking reads of a matched row; the score is derived from the row's relevance (read
    from a materialised row, so the rank function is not evaluated again), times the boost
    where the sort has one."""
    score = "relevance * boost" if sort in (SearchSort.POPULARITY, SearchSort.RATING) else "relevance"
    date = ", source_updated_at" if sort == SearchSort.DATE else ""
    return f"document_id, relevance, {score} AS score{date}"


def one_pass(filtered: QuerySet, groups, *, any_group: bool, sort: str, window: int) -> Found:
    """The total, the facets (categories × difficulty levels grouped once, the top tags) and
    the first ``window`` ranked ids of the match of ``groups`` in ``filtered``
    (``DocumentSearch`` rows), in ONE statement over the index rows alone. The match is read
    once (``m``, the rank computed once per row) and every part is computed from it: the
    total is the sum of the category × level groups, so an exact search needs no separate
    count. Under a match limit N at most N + 1 rows are read, and the ranking also sees the
    best documents whose title matches (``h``, found through the head index), so a large match
    still ranks its strongest documents first."""
    limit = match_limit()
    columns, ranked = _columns(sort), _ranked(sort)
    sampled = boosted(matching(filtered, groups, any_group=any_group), sort).order_by().values(*columns)
    m_sql, m_params = (sampled if limit is None else sampled[: limit + 1]).query.sql_with_params()
    order = _order(sort)
    big, txt, flt = "CAST(NULL AS BIGINT)", "CAST(NULL AS TEXT)", "CAST(NULL AS FLOAT)"
    if limit is None:  # exact: the match is every candidate, the groups count all of it
        ctes, counted, h_params, counting = "", "m", [], ""
        candidates = f"(SELECT {ranked} FROM m)"  # noqa: S608
    else:
        strong = boosted(matching(filtered, groups, any_group=any_group, in_head=True), sort).order_by()
        h_sql, h_params = strong.values(*columns).query.sql_with_params()
        ctes = f", counted AS MATERIALIZED (SELECT * FROM m LIMIT {int(limit)})"  # noqa: S608
        counted = "counted"
        # OFFSET 0 keeps the head rows a subquery of their own on PostgreSQL (not pulled up),
        # so their relevance is computed once
        fence = " OFFSET 0" if is_postgres() else ""
        candidates = (
            f"(SELECT {ranked} FROM m UNION SELECT * FROM (SELECT {ranked} FROM "  # noqa: S608
            f"({h_sql}{fence}) h ORDER BY {order} LIMIT {int(limit)}) h_top)"
        )
        counting = f"SELECT 'n', {big}, {txt}, COUNT(*), {flt}, {flt} FROM m UNION ALL "  # noqa: S608
    # Only constants (the ordering, limits, NULL casts) and our own compiled queries are
    # formatted into the SQL; values are parameters of the inner queries.
    sql = (
        f"WITH m AS MATERIALIZED ({m_sql}){ctes} "  # noqa: S608
        f"{counting}"
        f"SELECT 'g', category_id, difficulty_level, COUNT(*), {flt}, {flt} FROM {counted} "
        "GROUP BY category_id, difficulty_level "
        f"UNION ALL SELECT * FROM (SELECT 't', {big}, tag, n, {flt}, {flt} FROM ({_tag_counts_sql(counted)}) by_tag "
        f"ORDER BY n DESC, tag LIMIT {FACET_LIMIT}) top_tags "
        f"UNION ALL SELECT * FROM (SELECT 'r', document_id, {txt}, {big}, relevance, score FROM "
        f"{candidates} candidates ORDER BY {order} LIMIT {int(window)}) top_rows"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*m_params, *h_params])
        rows = cursor.fetchall()
    found = Found()
    for kind, key, name, count, relevance, score in rows:
        if kind == "n":
            found.exact = count <= limit
        elif kind == "g":
            found.total += count
            if key is not None:
                found.categories[key] = found.categories.get(key, 0) + count
            found.levels[name] = found.levels.get(name, 0) + count
        elif kind == "t":
            found.tags.append((name, count))
        else:
            found.ranked.append((key, float(relevance or 0.0), float(score or 0.0)))
    return found


def facets_of(found: Found, *, tenant) -> dict:
    """The facet lists of a pass: counts over the whole match (not the page)."""
    names = dict(KnowledgeCategory.objects.for_tenant(tenant).filter(pk__in=found.categories).values_list("pk", "name"))
    categories = sorted(
        ({"id": pk, "name": names.get(pk, ""), "count": n} for pk, n in found.categories.items()),
        key=lambda f: (-f["count"], f["name"]),
    )[:FACET_LIMIT]
    return {
        "categories": categories,
        "tags": [{"name": name, "count": n} for name, n in sorted(found.tags, key=lambda r: (-r[1], r[0]))],
        "difficulty_levels": [
            {"level": level, "count": n} for level, n in sorted(found.levels.items(), key=lambda r: (-r[1], r[0]))
        ],
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
    # COUNT(*), not COUNT(id): on PostgreSQL the prefix index answers alone (index-only scan)
    counted = terms.values("term").annotate(n=Count("*")).order_by("-n", "term")[:limit]
    completions = [row["term"] for row in counted]
    head = q.strip()
    stem_at = head.lower().rfind(last)
    prefix = head[:stem_at] if stem_at >= 0 else head + " "
    return [f"{prefix}{term}" for term in completions]


def search(*, user, base: QuerySet, rows: QuerySet, params: SearchParams) -> SearchResult:
    """Run one search: ``rows`` are the index rows of the documents ``user`` may find (they
    decide the total, facets and ranking), ``base`` the same documents — the page's rows are
    read through it, so a document the index has not caught up with is never shown."""
    started = time.perf_counter()
    tenant = user.tenant
    groups = text.query_groups(params.q)
    start = (params.page - 1) * params.size
    window = start + params.size
    filtered = apply_filters(rows, params, tenant=tenant)
    found = Found()
    if groups:
        found = one_pass(filtered, groups, any_group=False, sort=params.sort, window=window)
        if not found.total and len(groups) > 1:  # nothing has every word: any word
            found = one_pass(filtered, groups, any_group=True, sort=params.sort, window=window)
    page = []
    wanted = found.ranked[start:window]
    if wanted:
        documents = base.filter(pk__in=[pk for pk, _r, _s in wanted]).select_related("category", "author", "plain")
        by_id = {d.pk: d for d in documents.defer("content")}
        for pk, relevance, score in wanted:
            document = by_id.get(pk)
            if document is not None:
                document.relevance, document.score = relevance, score
                page.append(document)
    empty = {"categories": [], "tags": [], "difficulty_levels": []}
    facets = facets_of(found, tenant=tenant) if found.total else empty
    suggestions = suggestions_for(params.q, user=user, total=found.total)
    took = round((time.perf_counter() - started) * 1000)
    return SearchResult(
        query=params.q,
        total=found.total,
        total_exact=found.exact,
        took=took,
        page=params.page,
        size=params.size,
        items=page,
        facets=facets,
        suggestions=suggestions,
        groups=groups,
    )


def plain_text_of(document: Document) -> str:
    """The indexed plain text of a search hit (read with the page), or its summary."""
    return getattr(getattr(document, "plain", None), "plain_text", "") or document.summary or ""


def highlight_item(document: Document, groups: list[list[str]], *, enabled: bool = True) -> dict:
    """The escaped title and content snippet of one hit, matched words in ``<em>``."""
    plain = plain_text_of(document)
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
