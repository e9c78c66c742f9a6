"""Reads of the SLA module: calendars as engine values, policies and escalation rules."""

from __future__ import annotations

from django.db.models import Model as Tenant  # annotation only: the core refers to the tenants app by label
from django.db.models import Q

from portal.sla import engine
from portal.sla.choices import DayKind
from portal.sla.models import BusinessCalendar, CalendarDay, EscalationRule, HolidaySet, SLAPolicy


def load_business_calendar(calendar: BusinessCalendar | None) -> engine.BusinessCalendar | None:
    """The calendar as an ``engine.BusinessCalendar`` in two queries (periods, special days).
    ``None`` stays ``None`` (24×7).

    Where subscribed sets disagree about a date, the tenant's own sets win over shared sets, and
    at the same level a holiday wins over a make-up workday. Sets of another tenant are ignored
    even if linked."""
    if calendar is None:
        return None
    periods = list(calendar.periods.values_list("weekday", "start_time", "end_time"))
    rows = (
        CalendarDay.objects.filter(holiday_set__calendars=calendar)
        .filter(Q(holiday_set__tenant__isnull=True) | Q(holiday_set__tenant_id=calendar.tenant_id))
        .values_list("date", "kind", "works_as_weekday", "holiday_set__tenant_id")
    )
    chosen: dict = {}
    # Apply the weakest first so that stronger rows overwrite: shared < tenant, workday < holiday.
    for day, kind, weekday, _owner in sorted(rows, key=lambda r: (r[3] is not None, r[1] == DayKind.HOLIDAY)):
        chosen[day] = (kind, weekday)
    return engine.BusinessCalendar.build(
        time_zone=calendar.time_zone,
        periods=periods,
        holidays=[day for day, (kind, _) in chosen.items() if kind == DayKind.HOLIDAY],
        workdays={day: weekday for day, (kind, weekday) in chosen.items() if kind == DayKind.WORKDAY},
        name=calendar.name,
    )


def holiday_sets_visible_to(tenant: Tenant | None):
    return HolidaySet.objects.visible_to(tenant)


def default_calendar_for(tenant: Tenant) -> BusinessCalendar | None:
    return BusinessCalendar.objects.for_tenant(tenant).filter(is_default=True).first()


def default_policy_for(tenant: Tenant) -> SLAPolicy | None:
    """The tenant's default active policy (with its calendar), or ``None``: no SLA."""
    return (
        SLAPolicy.objects.for_tenant(tenant).filter(is_default=True, is_active=True).select_related("calendar").first()
    )


def escalation_rule_for(*, policy: SLAPolicy, target: str, kind: str) -> EscalationRule | None:
    """The rule to apply when ``target`` (response/resolution) of a ticket under ``policy`` reaches
    ``kind`` (warning/breach): the policy's own rule if there is one, else the tenant-wide rule;
    a rule for the exact target wins over one for both."""
    candidates = EscalationRule.objects.filter(
        tenant_id=policy.tenant_id, is_active=True, trigger=kind, applies_to__in=[target, "both"]
    ).filter(Q(policy=policy) | Q(policy__isnull=True))
    ranked = sorted(candidates, key=lambda r: (r.policy_id is None, r.applies_to == "both"))
    return ranked[0] if ranked else None
