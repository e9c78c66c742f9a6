"""Substring search that an index serves at every query length (PostgreSQL).

``icontains`` becomes ``UPPER(col) LIKE '%…%'``. The pg_trgm GIN indexes serve that only when
the query yields trigrams, i.e. three characters or more; but most Chinese words have two
("网络", "权限", a name like "张三"), and those fell back to reading the whole table (≈130 ms
at 100,000 tickets). ``search_grams(text)`` — a SQL function created by the ``portal``
migration 0003 — is the array of a text's upper-cased 1- and 2-character substrings; a GIN
index over ``search_grams(col)`` finds the rows that contain a short query, and the LIKE then
checks those rows. Other databases (SQLite) run the LIKE alone.

An app that wants this for a column adds the index in its own migration
(``CREATE INDEX … USING gin (search_grams(col))``) and builds its conditions with
:func:`contains_q` / :func:`contains_any_q` (several columns) / :func:`startswith_q` /
:func:`iexact_q`.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, F, Func, Q

#: Queries shorter than this have no trigram; the gram index serves them.
SHORT = 3


class _TextTest(Func):
    """A boolean test of one column against the query text, written as SQL ``template`` with
    ``{field}`` for the column; the text is a parameter."""

    output_field = BooleanField()
    conditional = True
    template_sql = ""

    def __init__(self, field: str, text: str):
        super().__init__(F(field))
        self.text = text

    def as_sql(self, compiler, connection, **extra):
        field_sql, params = compiler.compile(self.source_expressions[0])
        return self.template_sql.format(field=f"({field_sql})::text"), (*params, self.text)


class HasGram(_TextTest):
    """The gram index's test: ``field`` contains ``text`` (1–2 characters), as far as the
    index can tell. The expression is the index's (``search_grams(col::text)``), so that the
    planner matches them."""

    template_sql = "search_grams({field}) @> ARRAY[UPPER(%s)]"


class ContainsText(_TextTest):
    """``icontains`` in a form no trigram index claims: for a short query a pg_trgm index
    would be read in full (it has no trigram to look up), and the planner still picks it."""

    template_sql = "STRPOS(UPPER({field}), UPPER(%s)) > 0"


class StartsWithText(_TextTest):
    template_sql = "STARTS_WITH(UPPER({field}), UPPER(%s))"


def _short(text: str) -> bool:
    return 0 < len(text) < SHORT and connection.vendor == "postgresql"


# The exact test comes first: rows are filtered left to right, and the gram function is the
# costlier of the two.


def contains_q(field: str, text: str) -> Q:
    """``field`` contains ``text`` (case-insensitive), index-served at any length."""
    if _short(text):
        return Q(ContainsText(field, text)) & Q(HasGram(field, text))
    return Q(**{f"{field}__icontains": text})


def contains_any_q(fields, text: str) -> Q:
    """One of ``fields`` contains ``text`` (case-insensitive), index-served at any length.

    A short query is written as "some field has the gram" AND "some field contains the text",
    not as the OR of each field's pair: the two are equal (a field that contains one or two
    characters has them among its grams), but only this form lets PostgreSQL answer the whole
    gram condition from the indexes (a BitmapOr of the gram indexes) and drop it from the
    rows' filter. In the per-field form every matching row computed its grams again
    (``search_grams`` costs ~30 µs a call): a common word's capped count of 10,000 matches
    spent 300 ms on it."""
    if not _short(text):
        q = Q()
        for field in fields:
            q |= contains_q(field, text)
        return q
    has_gram, contains = Q(), Q()
    for field in fields:
        has_gram |= Q(HasGram(field, text))
        contains |= Q(ContainsText(field, text))
    return contains & has_gram


def startswith_q(field: str, text: str) -> Q:
    if _short(text):
        return Q(StartsWithText(field, text)) & Q(HasGram(field, text))
    return Q(**{f"{field}__istartswith": text})


def iexact_q(field: str, text: str) -> Q:
    """Equality: the trigram indexes serve it at any length (the whole value is padded)."""
    return Q(**{f"{field}__iexact": text})
