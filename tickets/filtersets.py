"""Ticket filters shared by both APIs and the pages. Each contract speaks its own words for
status and priority; the filtersets translate them to canonical values through
``tickets.choices`` and leave the query itself to one implementation."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.filters import IdFilter, MomentFilter
from portal.textsearch import contains_any_q
from tickets.choices import (
    DESK,
    V1,
    TicketPriority,
    TicketStatus,
    TicketType,
    priority_from_word,
    priority_words,
    status_words,
    statuses_for_word,
)
from tickets.models import Category

SORTS = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "due_date": "due_date",
    "due_time": "due_date",
    "sla_due_date": "sla_due_date",
    "priority": "priority_rank",
    "status": "status",
    "id": "id",
    "ticket_number": "number",
}


#: The columns the ticket search reads; each has a trigram and a gram index on PostgreSQL
#: (migrations 0002 and 0009), so a match of any length is found through an index.
SEARCH_FIELDS = (
    "number",
    "title",
    "description",
    "customer_name",
    "customer_company",
    "customer_email",
    "customer_phone",
)
CUSTOMER_FIELDS = ("customer_name", "customer_company", "customer_email", "customer_phone")


def search_q(text: str, fields=SEARCH_FIELDS) -> Q:
    """Number, title, description and customer name/company/email/phone contain ``text``
    (``contains_any_q``: a short query's gram condition is answered by the indexes alone)."""
    return contains_any_q(fields, text)


def _words(value: str) -> list[str]:
    return [w.strip() for w in (value or "").split(",") if w.strip()]


class WordsFilter(django_filters.CharFilter):
    """A comma-separated list of contract words translated to canonical values."""

    def __init__(self, *args, translate=None, allowed=(), **kwargs):
        self.translate = translate
        self.allowed = allowed
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        words = _words(value)
        if not words:
            return qs
        canonical = []
        for word in words:
            if word not in self.allowed:
                raise forms.ValidationError(_("Unknown value: %(value)s") % {"value": word})
            canonical += self.translate(word)
        return qs.filter(**{f"{self.field_name}__in": canonical})


class _SortMixin(django_filters.FilterSet):
    sort = django_filters.CharFilter(method="filter_sort")
    order = django_filters.ChoiceFilter(choices=[("asc", "asc"), ("desc", "desc")], method="filter_noop")

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_sort(self, queryset, name, value):
        return queryset  # applied in ``filter_queryset`` so that order applies without sort

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        sort = self.form.cleaned_data.get("sort") or "created_at"
        field = SORTS.get(sort)
        if field is None:
            raise forms.ValidationError({"sort": _("Unknown sort field: %(value)s") % {"value": sort}})
        direction = "" if self.form.cleaned_data.get("order") == "asc" else "-"
        return queryset.order_by(f"{direction}{field}", f"{direction}id")


class DeskTicketFilterSet(_SortMixin):
    """Query parameters of desk ``GET /api/tickets`` (and my-tickets, unassigned)."""

    status = WordsFilter(
        field_name="status", translate=lambda w: statuses_for_word(w, DESK), allowed=status_words(DESK)
    )
    priority = WordsFilter(
        field_name="priority", translate=lambda w: [priority_from_word(w, DESK)], allowed=priority_words(DESK)
    )
    type = WordsFilter(field_name="type", translate=lambda w: [w], allowed=TicketType.values)
    assigned_to_id = IdFilter(field_name="assigned_to_id")
    created_by_id = IdFilter(field_name="created_by_id")
    category_id = IdFilter(method="filter_category")
    search = django_filters.CharFilter(method="filter_search")

    def filter_category(self, queryset, name, value):
        return filter_category_tree(queryset, value)

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value.strip())) if value and value.strip() else queryset


def filter_category_tree(queryset, value):
    """Tickets of a category and of every category below it."""
    category = Category.objects.filter(pk=value).first()
    if category is None:
        return queryset.none()
    ids = category.get_descendants(include_self=True).values("pk")
    return queryset.filter(category_id__in=ids)


class V1TicketFilterSet(_SortMixin):
    """Query parameters of v1 ``GET /api/v1/tickets``."""

    status = WordsFilter(field_name="status", translate=lambda w: statuses_for_word(w, V1), allowed=status_words(V1))
    priority = WordsFilter(
        field_name="priority", translate=lambda w: [priority_from_word(w, V1)], allowed=priority_words(V1)
    )
    category = django_filters.CharFilter(method="filter_category")
    assigned_to = IdFilter(field_name="assigned_to_id")
    customer_id = IdFilter(field_name="customer_id")
    created_start = MomentFilter(field_name="created_at", lookup_expr="gte")
    created_end = MomentFilter(field_name="created_at", lookup_expr="lte")
    keyword = django_filters.CharFilter(method="filter_search")

    def filter_category(self, queryset, name, value):
        found = Category.objects.filter(Q(code=value) | Q(pk=int(value) if value.isdigit() else 0)).filter(
            tenant_id__in=queryset.values("tenant_id")[:1]
        )
        category = found.first()
        return filter_category_tree(queryset, category.pk) if category else queryset.none()

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value.strip())) if value and value.strip() else queryset


class PageTicketFilterSet(_SortMixin):
    """Filters of the ticket list pages (canonical values, labelled choices)."""

    status = django_filters.MultipleChoiceFilter(choices=TicketStatus.choices, label=_("Status"))
    priority = django_filters.MultipleChoiceFilter(choices=TicketPriority.choices, label=_("Priority"))
    type = django_filters.ChoiceFilter(choices=TicketType.choices, label=_("Type"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.none(), method="filter_category", label=_("Category")
    )
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["category"].queryset = Category.objects.for_user(user)
        self.form.fields["category"].queryset = Category.objects.for_user(user)

    def filter_category(self, queryset, name, value):
        return filter_category_tree(queryset, value.pk) if value else queryset

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value.strip())) if value and value.strip() else queryset
