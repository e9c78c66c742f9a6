"""Every read of the engineers domain, tenant-scoped by construction.

``engineers_for(user)`` / ``skills_for(user)`` / ``teams_for(user)`` are the only ways in for a
request; an engineer of another tenant is simply absent (404). ``with_workload`` annotates the
open-ticket counts in the same SQL statement (one subquery per figure, no per-row queries), and
``is_on_duty`` answers from the engineer's schedule plus the tenant's business calendar.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from engineers.choices import OnlineStatus
from engineers.models import EngineerCertification, EngineerProfile, EngineerSkill, EngineerTeam, Skill
from engineers.schedule import normalise_work_schedule, weekly_periods
from portal.sla import engine
from tickets.choices import OPEN_STATUSES, TicketStatus
from tickets.models import Ticket

PENDING_STATUSES = (TicketStatus.NEW, TicketStatus.ASSIGNED)


# --- scoped querysets ------------------------------------------------------------------------------


def engineers_for(user) -> QuerySet:
    """The engineer profiles of ``user``'s tenant (alive ones)."""
    return EngineerProfile.objects.for_user(user)


def engineers_of_tenant(tenant) -> QuerySet:
    """The same for jobs and services that act for a tenant rather than a signed-in user."""
    return EngineerProfile.objects.for_tenant(tenant)


def skills_for(user) -> QuerySet:
    return Skill.objects.for_user(user)


def teams_for(user) -> QuerySet:
    return EngineerTeam.objects.for_user(user)


def engineer_skills_for(*, engineer: EngineerProfile) -> QuerySet:
    return EngineerSkill.objects.filter(engineer=engineer, tenant_id=engineer.tenant_id).select_related("skill")


def certifications_for(*, engineer: EngineerProfile) -> QuerySet:
    return EngineerCertification.objects.filter(engineer=engineer, tenant_id=engineer.tenant_id)


# --- workload --------------------------------------------------------------------------------------


def _open_ticket_count(statuses) -> Subquery:
    """Open tickets assigned to the profile's user, counted in a correlated subquery that rides
    the (tenant, assigned_to, status) index."""
    counted = (
        Ticket.objects.filter(
            tenant_id=OuterRef("tenant_id"), assigned_to_id=OuterRef("user_id"), status__in=list(statuses)
        )
        .order_by()
        .values("assigned_to_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_workload(queryset: QuerySet, *, breakdown: bool = False) -> QuerySet:
    """Annotate ``current_workload`` (open tickets assigned to the engineer's user); with
    ``breakdown`` also ``pending_tickets`` (new/assigned), ``in_progress_tickets`` and
    ``paused_tickets``. Soft-deleted tickets never count (the manager filters them)."""
    queryset = queryset.annotate(current_workload=_open_ticket_count(OPEN_STATUSES))
    if breakdown:
        queryset = queryset.annotate(
            pending_tickets=_open_ticket_count(PENDING_STATUSES),
            in_progress_tickets=_open_ticket_count([TicketStatus.IN_PROGRESS]),
            paused_tickets=_open_ticket_count([TicketStatus.PAUSED]),
        )
    return queryset


def current_workload(engineer: EngineerProfile) -> int:
    """Open tickets assigned to the engineer's user now (the annotation when already loaded)."""
    annotated = getattr(engineer, "current_workload", None)
    if annotated is not None:
        return annotated
    return Ticket.objects.filter(
        tenant_id=engineer.tenant_id, assigned_to_id=engineer.user_id, status__in=OPEN_STATUSES
    ).count()


def workload_breakdown(engineer: EngineerProfile) -> dict:
    """{pending, in_progress, paused, total} open tickets of the engineer, in one query."""
    figures = Ticket.objects.filter(
        tenant_id=engineer.tenant_id, assigned_to_id=engineer.user_id, status__in=OPEN_STATUSES
    ).aggregate(
        pending=Count("id", filter=Q(status__in=PENDING_STATUSES)),
        in_progress=Count("id", filter=Q(status=TicketStatus.IN_PROGRESS)),
        paused=Count("id", filter=Q(status=TicketStatus.PAUSED)),
        total=Count("id"),
    )
    return figures


def has_capacity(engineer: EngineerProfile) -> bool:
    return current_workload(engineer) < engineer.max_workload


# --- lists -----------------------------------------------------------------------------------------


def for_list(queryset: QuerySet) -> QuerySet:
    """What a list of engineers shows, loaded up front: user, team, skills, workload."""
    return with_workload(
        queryset.select_related("user", "team", "team__leader").prefetch_related(
            Prefetch("skill_rows", queryset=EngineerSkill.objects.select_related("skill"))
        )
    )


def for_detail(queryset: QuerySet) -> QuerySet:
    return with_workload(
        for_list(queryset).select_related("user__department").prefetch_related("certifications"), breakdown=True
    )


def engineer_by_user(user) -> EngineerProfile | None:
    """The profile of a signed-in agent (or ``None``)."""
    if not user or not user.is_authenticated:
        return None
    return EngineerProfile.objects.filter(user=user, tenant_id=user.tenant_id).first()


# --- skills ----------------------------------------------------------------------------------------


def skill_levels(engineers) -> dict[int, dict[str, int]]:
    """{engineer id: {skill code: level}} for many engineers in one query."""
    ids = [e.pk for e in engineers]
    out: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for engineer_id, code, level in EngineerSkill.objects.filter(engineer_id__in=ids).values_list(
        "engineer_id", "skill__code", "level"
    ):
        out[engineer_id][code] = level
    return out


def infer_skill_codes(*, tenant, text: str) -> list[str]:
    """The library skills a text asks for: a skill matches when its code (as a word), its name or
    one of its keywords (Chinese or English, case-insensitive) appears in ``text``. Ordered by the
    library order."""
    if not text:
        return []
    haystack = text.lower()
    found = []
    for code, name, keywords in (
        Skill.objects.for_tenant(tenant).filter(is_active=True).values_list("code", "name", "keywords")
    ):
        words = [w for w in (keywords or []) if isinstance(w, str) and w.strip()]
        if contains_word(haystack, code.lower()) or (name and name.lower() in haystack):
            found.append(code)
            continue
        for word in words:
            word = word.strip().lower()
            if (word.isascii() and contains_word(haystack, word)) or (not word.isascii() and word in haystack):
                found.append(code)
                break
    return found


def contains_word(haystack: str, word: str) -> bool:
    """An ASCII word as a word (``vpn`` in "VPN断开" yes, ``sql`` in "mysql" no): the one
    word rule of skill inference, here and in dispatch's skill matcher."""
    return _word_pattern(word).search(haystack) is not None


@functools.lru_cache(maxsize=4096)
def _word_pattern(word: str) -> re.Pattern:
    # compiled once per word: a batch dispatch matches ~20,000 (text, keyword) pairs
    return re.compile(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])")


# --- duty ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantDays:
    """The special days of a tenant's default business calendar: holidays (nobody following the
    calendar works) and make-up workdays (调休: worked with the regular weekday hours)."""

    holidays: frozenset[date]
    workdays: frozenset[date]


NO_SPECIAL_DAYS = TenantDays(frozenset(), frozenset())


def tenant_days(tenant) -> TenantDays:
    """Load once per tenant and pass to ``is_on_duty`` when checking many engineers (2 queries)."""
    from portal.sla.selectors import default_calendar_for, load_business_calendar

    calendar = default_calendar_for(tenant) if tenant is not None else None
    loaded = load_business_calendar(calendar)
    if loaded is None:
        return NO_SPECIAL_DAYS
    holidays = frozenset(day for day, periods in loaded.exceptions.items() if not periods)
    workdays = frozenset(day for day, periods in loaded.exceptions.items() if periods)
    return TenantDays(holidays, workdays)


def duty_calendar(engineer: EngineerProfile, days: TenantDays = NO_SPECIAL_DAYS) -> engine.BusinessCalendar:
    """The engineer's working time as an SLA-engine calendar (their own time zone and hours;
    the tenant's holidays and make-up workdays when the schedule follows them)."""
    schedule = normalise_work_schedule(engineer.work_schedule)
    follow = schedule.get("follow_holidays", True)
    return engine.BusinessCalendar.build(
        time_zone=schedule["timezone"],
        periods=weekly_periods(schedule),
        holidays=days.holidays if follow else (),
        workdays=dict.fromkeys(days.workdays) if follow else None,
    )


def is_on_duty(engineer: EngineerProfile, at: datetime | None = None, *, days: TenantDays | None = None) -> bool:
    """Whether ``at`` (default now) falls in the engineer's working time. Pass ``days`` (from
    ``tenant_days``) when checking many engineers of one tenant, to load the calendar once."""
    at = at or timezone.now()
    if days is None:
        days = tenant_days(engineer.tenant)
    calendar = duty_calendar(engineer, days)
    local_day = calendar.local_date(at)
    return any(start <= at < end for start, end in calendar.intervals_on(local_day))


def next_on_duty(engineer: EngineerProfile, at: datetime | None = None, *, days: TenantDays | None = None):
    """The first instant at or after ``at`` when the engineer is on duty (``None`` if the
    schedule has no working time at all)."""
    at = at or timezone.now()
    if days is None:
        days = tenant_days(engineer.tenant)
    calendar = duty_calendar(engineer, days)
    day = calendar.local_date(at)
    for offset in range(400):  # a year of holidays cannot hide every working day
        for start, end in calendar.intervals_on(day + timedelta(days=offset)):
            if end > at:
                return max(start, at)
    return None


def is_available_now(engineer: EngineerProfile) -> bool:
    """Online (or busy but still taking work) — the live-status side of eligibility."""
    return engineer.online_status in (OnlineStatus.ONLINE, OnlineStatus.BUSY)


# --- workload trend and forecast ---------------------------------------------------------------

DEFAULT_RESOLUTION_MINUTES = 240.0  # until the performance job has history for the engineer
MAX_TREND_DAYS = 31


def workload_trend(engineer: EngineerProfile, *, days: int = 7, now: datetime | None = None) -> list[dict]:
    """Per local day of the last ``days``: the open tickets the engineer held at the end of the
    day (``workload``), the tickets given to them that day (``assigned``) and resolved by them
    (``resolved``). One aggregate query with a filtered count per day and figure.

    Reconstructed from the tickets they hold or finished (assigned_at, resolved/closed time); a
    ticket taken away from them later no longer counts for the days they held it."""
    now = now or timezone.now()
    days = max(1, min(days, MAX_TREND_DAYS))
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now, tz)
    starts = [
        timezone.make_aware(datetime.combine(today - timedelta(days=offset), datetime.min.time()), tz)
        for offset in range(days - 1, -1, -1)
    ]
    tickets = (
        Ticket.objects.filter(tenant_id=engineer.tenant_id, assigned_to_id=engineer.user_id, assigned_at__isnull=False)
        .annotate(
            ended=Coalesce(
                "resolved_at",
                "closed_at",
                Case(When(status=TicketStatus.CANCELLED, then=F("updated_at"))),
            )
        )
        .filter(assigned_at__lt=min(starts[-1] + timedelta(days=1), now))
    )
    aggregates = {}
    for index, start in enumerate(starts):
        end = min(start + timedelta(days=1), now)
        aggregates[f"w{index}"] = Count(
            "id", filter=Q(assigned_at__lt=end) & (Q(ended__isnull=True) | Q(ended__gte=end))
        )
        aggregates[f"a{index}"] = Count("id", filter=Q(assigned_at__gte=start, assigned_at__lt=end))
        aggregates[f"r{index}"] = Count("id", filter=Q(resolved_at__gte=start, resolved_at__lt=end))
    figures = tickets.aggregate(**aggregates)
    return [
        {
            "date": (today - timedelta(days=days - 1 - index)).isoformat(),
            "workload": figures[f"w{index}"],
            "assigned": figures[f"a{index}"],
            "resolved": figures[f"r{index}"],
        }
        for index in range(days)
    ]


def capacity_forecast(
    engineer: EngineerProfile, *, open_tickets: int, now: datetime | None = None, days: TenantDays | None = None
) -> dict:
    """When the engineer is free, from their open tickets, their average resolution time (the
    performance job's figure, or a default) and their working time (schedule + tenant calendar):

    - ``estimated_completion``: all open tickets done, worked one after another in duty time;
    - ``next_available``: now (or the start of their next shift) if they are under capacity,
      else when one ticket should be done;
    - ``can_take_urgent`` / ``recommended_max_new``: live status, availability and free capacity."""
    now = now or timezone.now()
    if days is None:
        days = tenant_days(engineer.tenant)
    calendar = duty_calendar(engineer, days)
    works = calendar.week_length > engine.ZERO or bool(calendar.exceptions)
    average = engineer.avg_resolution_minutes or DEFAULT_RESOLUTION_MINUTES
    on_duty = is_on_duty(engineer, now, days=days)

    def after(minutes: float):
        if not works:
            return None
        try:
            return engine.add_business_minutes(calendar, next_on_duty(engineer, now, days=days) or now, minutes)
        except engine.CalendarError:
            return None

    free = max(0, engineer.max_workload - open_tickets)
    estimated_completion = after(average * open_tickets) if open_tickets else now
    next_available = (next_on_duty(engineer, now, days=days) if works else None) if free else after(average)
    taking_work = (
        engineer.employment_status in ("active", "probation")
        and engineer.online_status in (OnlineStatus.ONLINE, OnlineStatus.BUSY)
        and engineer.availability != "unavailable"
    )
    recommended = 0 if not taking_work else (free // 2 if engineer.availability == "limited" else free)
    return {
        "on_duty": on_duty,
        "estimated_completion": estimated_completion,
        "next_available": next_available,
        "can_take_urgent": taking_work and free > 0,
        "recommended_max_new": recommended,
        "avg_resolution_minutes": round(average, 1),
    }


def team_member_counts(tenant) -> dict[int, int]:
    return dict(
        EngineerProfile.objects.for_tenant(tenant)
        .filter(team__isnull=False)
        .order_by()
        .values_list("team_id")
        .annotate(n=Count("id"))
    )
