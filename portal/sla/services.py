"""Writes of the SLA module: calendars, policies, holiday data and the "flag once" primitive."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Model as Tenant  # annotation only: the core refers to the tenants app by label
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.sla.choices import Priority, SLAEventKind, SLATarget
from portal.sla.models import BusinessCalendar, CalendarDay, HolidaySet, SLAEvent, SLAPolicy, WorkingPeriod
from portal.sla.validation import validate_working_periods

CHINA_HOLIDAYS_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "china_holidays_2026_2027.json"
CHINA_SET_CODE = "cn-mainland"


def _check_holiday_sets(tenant: Tenant, holiday_sets: Iterable[HolidaySet]) -> list[HolidaySet]:
    sets = list(holiday_sets)
    for holiday_set in sets:
        if holiday_set.tenant_id not in (None, tenant.pk):
            raise ValidationError(_("A calendar can only follow shared holiday sets or its own tenant's."))
    return sets


@transaction.atomic
def calendar_create(
    *,
    tenant: Tenant,
    name: str,
    periods: Iterable[tuple[int, time, time]],
    time_zone: str = "Asia/Shanghai",
    holiday_sets: Iterable[HolidaySet] = (),
    is_default: bool = False,
) -> BusinessCalendar:
    """A business calendar with its working periods and subscribed holiday sets. Making it the
    default takes the default flag from the tenant's previous default calendar."""
    periods = list(periods)
    validate_working_periods(periods)
    sets = _check_holiday_sets(tenant, holiday_sets)
    calendar = BusinessCalendar(tenant=tenant, name=name, time_zone=time_zone, is_default=is_default)
    if is_default:  # inside the transaction: a failed validation below rolls this back
        BusinessCalendar.objects.filter(tenant=tenant, is_default=True).update(is_default=False)
    calendar.full_clean()
    calendar.save()
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(calendar=calendar, weekday=w, start_time=s, end_time=e) for w, s, e in periods
    )
    calendar.holiday_sets.set(sets)
    return calendar


@transaction.atomic
def calendar_set_working_periods(*, calendar: BusinessCalendar, periods: Iterable[tuple[int, time, time]]) -> None:
    """Replace all working periods of ``calendar`` (validated as a whole)."""
    periods = list(periods)
    validate_working_periods(periods)
    BusinessCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    calendar.periods.all().delete()
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(calendar=calendar, weekday=w, start_time=s, end_time=e) for w, s, e in periods
    )


@transaction.atomic
def calendar_subscribe(*, calendar: BusinessCalendar, holiday_set: HolidaySet) -> None:
    _check_holiday_sets(calendar.tenant, [holiday_set])
    calendar.holiday_sets.add(holiday_set)


@transaction.atomic
def policy_create(
    *,
    tenant: Tenant,
    name: str,
    targets: Mapping[str, tuple[int, int]],
    calendar: BusinessCalendar | None = None,
    warning_share: Decimal | float | str = Decimal("0.80"),
    is_default: bool = False,
    description: str = "",
) -> SLAPolicy:
    """An SLA policy. ``targets`` maps every priority to ``(response, resolution)`` minutes."""
    missing = [p for p in Priority.values if p not in targets]
    if missing:
        raise ValidationError(_("Targets are missing for: %(priorities)s."), params={"priorities": ", ".join(missing)})
    if calendar is not None and calendar.tenant_id != tenant.pk:
        raise ValidationError(_("The calendar belongs to another tenant."))
    fields = {}
    for priority in Priority.values:
        response, resolution = targets[priority]
        fields[f"{priority}_response_minutes"] = response
        fields[f"{priority}_resolution_minutes"] = resolution
    policy = SLAPolicy(
        tenant=tenant,
        name=name,
        description=description,
        calendar=calendar,
        warning_share=Decimal(str(warning_share)),
        is_default=is_default,
        **fields,
    )
    if is_default:  # inside the transaction: a failed validation below rolls this back
        SLAPolicy.objects.filter(tenant=tenant, is_default=True).update(is_default=False)
    policy.full_clean()
    policy.save()
    return policy


def sla_event_flag_once(
    *, tenant: Tenant | int, ticket_id: int, target: str, kind: str, due_at: datetime, now: datetime | None = None
) -> tuple[SLAEvent, bool]:
    """Record that ``target`` of ticket ``ticket_id`` reached ``kind``; ``created`` is True for
    exactly one caller however many race (scheduled task, retry, sweep). Only the caller that
    created the row sends notifications and runs escalations, after commit."""
    if target not in SLATarget.values or kind not in SLAEventKind.values:
        raise ValueError(f"unknown SLA event {target}/{kind}")
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    lookup = {"ticket_id": ticket_id, "target": target, "kind": kind}
    try:
        with transaction.atomic():
            event = SLAEvent.objects.create(
                tenant_id=tenant_id, due_at=due_at, flagged_at=now or timezone.now(), **lookup
            )
        return event, True
    except IntegrityError:
        return SLAEvent.objects.get(**lookup), False


@dataclass(frozen=True)
class HolidayLoadResult:
    days: int
    removed: int
    years: tuple[int, ...]


@transaction.atomic
def holidays_load_fixture(*, path: Path = CHINA_HOLIDAYS_FIXTURE) -> HolidayLoadResult:
    """Load a shared holiday-set fixture (natural keys: safe to run again), then remove days of
    the same set in the fixture's years that the fixture no longer lists, so a corrected or
    officially confirmed schedule replaces the provisional one cleanly."""
    rows = json.loads(Path(path).read_text(encoding="utf-8"))
    call_command("loaddata", str(path), verbosity=0)
    listed: dict[str, set[date]] = {}
    for row in rows:
        if row["model"] == "sla.calendarday":
            code, tenant_code = row["fields"]["holiday_set"]
            if tenant_code is not None:
                raise ValidationError(_("Holiday fixtures may only contain shared sets."))
            listed.setdefault(code, set()).add(date.fromisoformat(row["fields"]["date"]))
    removed = 0
    years: set[int] = set()
    for code, dates in listed.items():
        holiday_set = HolidaySet.objects.get(code=code, tenant__isnull=True)
        covered = {d.year for d in dates}
        years |= covered
        stale = CalendarDay.objects.filter(holiday_set=holiday_set, date__year__in=covered).exclude(date__in=dates)
        removed += stale.delete()[0]
    return HolidayLoadResult(days=sum(len(d) for d in listed.values()), removed=removed, years=tuple(sorted(years)))
