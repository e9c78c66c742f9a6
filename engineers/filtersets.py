"""``EngineerFilterSet``: the v1 list filters (6A.1.1), shared by the API and the directory page."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from engineers.choices import LIST_STATUS_WORDS, EmploymentStatus, OnlineStatus

SORTS = {
    "name": ("user__real_name", "user__username"),
    "join_date": ("join_date",),
    "rating": ("avg_rating",),
    "workload": ("current_workload",),
    "performance": ("performance_score",),
    "employee_id": ("employee_no",),
}
ACTIVE = [EmploymentStatus.ACTIVE, EmploymentStatus.PROBATION]


def _csv(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class EngineerFilterSet(django_filters.FilterSet):
    status = django_filters.CharFilter(
        method="filter_status", help_text="active, inactive, busy, offline (online, away)"
    )
    skill_codes = django_filters.CharFilter(
        method="filter_skills", help_text="Comma-separated: engineers with all of them"
    )
    location = django_filters.CharFilter(method="filter_location", help_text="City or district (part of the name)")
    team_id = django_filters.NumberFilter(field_name="team_id", min_value=1, max_value=2**63 - 1)
    keyword = django_filters.CharFilter(method="filter_keyword", max_length=100)
    sort = django_filters.ChoiceFilter(choices=[(k, k) for k in SORTS], method="filter_noop")
    order = django_filters.ChoiceFilter(choices=[("asc", "asc"), ("desc", "desc")], method="filter_noop")

    class Meta:
        fields: list[str] = []

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_status(self, queryset, name, value):
        if value not in LIST_STATUS_WORDS:
            raise forms.ValidationError(
                {"status": _("Use one of: %(words)s.") % {"words": ", ".join(LIST_STATUS_WORDS)}}
            )
        if value == "active":
            return queryset.filter(employment_status__in=ACTIVE)
        if value == "inactive":
            return queryset.exclude(employment_status__in=ACTIVE)
        return queryset.filter(online_status=OnlineStatus(value))

    def filter_skills(self, queryset, name, value):
        for code in _csv(value)[:20]:
            queryset = queryset.filter(skill_rows__skill__code=code)
        return queryset

    def filter_location(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(city__icontains=value) | Q(district__icontains=value) | Q(address__icontains=value))

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(user__real_name__icontains=value)
            | Q(user__username__icontains=value)
            | Q(user__email__icontains=value)
            | Q(employee_no__icontains=value)
            | Q(title__icontains=value)
        )

    @property
    def qs(self):
        # One join per skill code on a unique (engineer, skill) row: no duplicates, no DISTINCT.
        queryset = super().qs
        sort = self.form.cleaned_data.get("sort") or "employee_id"
        descending = (
            self.form.cleaned_data.get("order") or ("desc" if sort in ("rating", "performance") else "asc")
        ) == "desc"
        keys = []
        for column in SORTS[sort]:
            expression = F(column)
            keys.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
        return queryset.order_by(*keys, "id")
