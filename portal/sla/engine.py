"""SLA arithmetic on business calendars: pure functions over plain values, no database access.

The one input that comes from the database, a :class:`BusinessCalendar`, is a small immutable
value object (``portal.sla.selectors.load_business_calendar`` builds it with two queries).
``None`` in place of a calendar means 24×7: every minute counts.

Conventions
- Datetimes in and out are timezone-aware; results are returned in UTC. Working periods are
  wall-clock times in the calendar's time zone; business time between two instants is the real
  elapsed time inside working periods, so a period that spans a DST change counts its true length.
- A working period is ``[start, end)``; ``end`` of 24:00 is written as ``time(0)``.
- A deadline that falls exactly at the end of a working period stays there (due 12:00, not 13:30).
- A clock is *breached* when it is evaluated (now, or the moment it was stopped) strictly after its
  due time: a response exactly at the deadline is on time. The *warning* is reached at or after
  ``warning_at``.
- Whole days (and whole weeks without holidays or DST changes) are skipped arithmetically, so a
  deadline 30 business days ahead costs a few dozen steps, not one per minute.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
MAX_SEARCH_DAYS = 366 * 30  # a calendar with (almost) no working time must not loop forever

Period = tuple[timedelta, timedelta]  # offsets from local midnight: [start, end)
Pause = tuple[datetime, datetime | None]  # [paused at, resumed at); None = still paused


class CalendarError(ValueError):
    """The calendar cannot produce the requested answer (e.g. it has no working time at all)."""


def _offset(value: time) -> timedelta:
    return timedelta(hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond)


def period_offsets(start: time, end: time) -> Period:
    """A working period as offsets from local midnight; ``end == time(0)`` means 24:00."""
    begin, finish = _offset(start), _offset(end) if end != time(0) else ONE_DAY
    if not begin < finish:
        raise CalendarError(f"working period must start before it ends: {start}–{end}")
    return begin, finish


def _normalise_day(periods: Iterable[Period]) -> tuple[Period, ...]:
    ordered = tuple(sorted(periods))
    for (_, end), (start, _) in pairwise(ordered):
        if start < end:
            raise CalendarError("working periods of one day overlap")
    return ordered


@dataclass(frozen=True, eq=False)
class BusinessCalendar:
    """Working time of one business calendar, ready for arithmetic.

    ``weekly[w]`` are the working periods of weekday ``w`` (0 = Monday). ``exceptions`` maps a date
    to the periods that replace its weekday's: ``()`` for a holiday, a weekday's periods for a
    make-up workday (调休)."""

    time_zone: ZoneInfo
    weekly: tuple[tuple[Period, ...], ...]
    exceptions: Mapping[date, tuple[Period, ...]] = field(default_factory=dict)
    name: str = ""
    _exception_dates: list[date] = field(init=False, repr=False)
    _weekly_length: tuple[timedelta, ...] = field(init=False, repr=False)
    _week_length: timedelta = field(init=False, repr=False)
    _cache: dict = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise CalendarError("a calendar needs the periods of 7 weekdays")
        lengths = tuple(sum((end - start for start, end in day), ZERO) for day in self.weekly)
        object.__setattr__(self, "_exception_dates", sorted(self.exceptions))
        object.__setattr__(self, "_weekly_length", lengths)
        object.__setattr__(self, "_week_length", sum(lengths, ZERO))
        object.__setattr__(self, "_cache", {})

    @classmethod
    def build(
        cls,
        *,
        time_zone: str | ZoneInfo,
        periods: Iterable[tuple[int, time, time]],
        holidays: Iterable[date] = (),
        workdays: Mapping[date, int | None] | None = None,
        name: str = "",
    ) -> BusinessCalendar:
        """Build from plain rows: ``periods`` are ``(weekday, start, end)``; ``holidays`` are dates
        without work; ``workdays`` maps a make-up workday to the weekday whose hours it uses
        (``None``: the regular weekday schedule, i.e. the first of Monday–Friday with hours)."""
        zone = time_zone if isinstance(time_zone, ZoneInfo) else ZoneInfo(time_zone)
        days: list[list[Period]] = [[] for _ in range(7)]
        for weekday, start, end in periods:
            if not 0 <= weekday <= 6:
                raise CalendarError(f"weekday must be 0–6, not {weekday}")
            days[weekday].append(period_offsets(start, end))
        weekly = tuple(_normalise_day(day) for day in days)
        regular = next((w for w in range(7) if weekly[w]), None)
        exceptions: dict[date, tuple[Period, ...]] = dict.fromkeys(holidays, ())
        for day, weekday in (workdays or {}).items():
            if day in exceptions:
                raise CalendarError(f"{day} is both a holiday and a make-up workday")
            source = regular if weekday is None else weekday
            exceptions[day] = weekly[source] if source is not None else ()
        return cls(time_zone=zone, weekly=weekly, exceptions=exceptions, name=name)

    # --- per-day building blocks ---------------------------------------------------------------

    def periods_on(self, day: date) -> tuple[Period, ...]:
        found = self.exceptions.get(day)
        return found if found is not None else self.weekly[day.weekday()]

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.time_zone)

    def _same_offset(self, first: date, last: date) -> bool:
        """No UTC-offset change between the two local midnights (no DST change in between)."""
        return self._midnight(first).utcoffset() == self._midnight(last).utcoffset()

    def intervals_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """The working intervals of a local date as UTC instants (cached per calendar)."""
        cached = self._cache.get(day)
        if cached is None:
            midnight = self._midnight(day)
            cached = tuple(
                (begin, finish)
                for begin, finish in (
                    ((midnight + start).astimezone(UTC), (midnight + end).astimezone(UTC))
                    for start, end in self.periods_on(day)
                )
                if begin < finish  # a period lost in a DST gap has no length
            )
            self._remember(day, cached)
        return cached

    def length_of(self, day: date) -> timedelta:
        """Business time of a whole local date (cached per calendar)."""
        key = ("length", day)
        cached = self._cache.get(key)
        if cached is None:
            periods = self.periods_on(day)
            if not periods:
                cached = ZERO
            elif self._same_offset(day, day + ONE_DAY):
                cached = sum((end - start for start, end in periods), ZERO)
            else:
                cached = sum((end - start for start, end in self.intervals_on(day)), ZERO)
            self._remember(key, cached)
        return cached

    def plain_week_from(self, day: date) -> bool:
        """Seven days from ``day`` follow the weekly schedule exactly: no holiday, no make-up
        day, no DST change. Such a week can be skipped in one step (cached per calendar)."""
        key = ("plain", day)
        cached = self._cache.get(key)
        if cached is None:
            index = bisect.bisect_left(self._exception_dates, day)
            week_end = day + timedelta(days=7)
            cached = not (index < len(self._exception_dates) and self._exception_dates[index] < week_end)
            cached = cached and self._same_offset(day, week_end)
            self._remember(key, cached)
        return cached

    def _remember(self, key, value) -> None:
        if len(self._cache) > 8192:  # bounded: a long-lived worker must not grow without limit
            self._cache.clear()
        self._cache[key] = value

    @property
    def week_length(self) -> timedelta:
        return self._week_length

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.time_zone).date()


# --- core arithmetic -----------------------------------------------------------------------------


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return moment.astimezone(UTC)


def _overlap(intervals, lo: datetime | None, hi: datetime | None) -> timedelta:
    total = ZERO
    for start, end in intervals:
        start = start if lo is None or start > lo else lo
        end = end if hi is None or end < hi else hi
        if start < end:
            total += end - start
    return total


def add_business_time(calendar: BusinessCalendar | None, start: datetime, amount: timedelta) -> datetime:
    """The instant at which ``amount`` of business time has passed since ``start`` (UTC)."""
    moment = _aware(start, "start")
    if amount < ZERO:
        raise ValueError("amount of business time must not be negative")
    if calendar is None:
        return moment + amount
    if amount == ZERO:
        return moment
    remaining = amount
    day = calendar.local_date(moment)
    for begin, end in calendar.intervals_on(day):  # the first, partial day
        if end <= moment:
            continue
        begin = max(begin, moment)
        if remaining <= end - begin:
            return begin + remaining
        remaining -= end - begin
    day += ONE_DAY
    for _ in range(MAX_SEARCH_DAYS):
        if remaining > calendar.week_length > ZERO and calendar.plain_week_from(day):
            remaining -= calendar.week_length  # a whole ordinary week in one step
            day += timedelta(days=7)
            continue
        length = calendar.length_of(day)
        if remaining > length:
            remaining -= length
            day += ONE_DAY
            continue
        for begin, end in calendar.intervals_on(day):
            if remaining <= end - begin:
                return begin + remaining
            remaining -= end - begin
        day += ONE_DAY  # only reached when DST ate part of the day's length estimate
    raise CalendarError("the calendar has no working time within the search horizon")


def business_time_between(calendar: BusinessCalendar | None, start: datetime, end: datetime) -> timedelta:
    """Business time in ``[start, end)``; negative when ``end`` is before ``start``."""
    lo, hi = _aware(start, "start"), _aware(end, "end")
    if hi < lo:
        return -business_time_between(calendar, hi, lo)
    if calendar is None:
        return hi - lo
    first, last = calendar.local_date(lo), calendar.local_date(hi)
    if first == last:
        return _overlap(calendar.intervals_on(first), lo, hi)
    total = _overlap(calendar.intervals_on(first), lo, None) + _overlap(calendar.intervals_on(last), None, hi)
    day = first + ONE_DAY
    while day < last:
        if day + timedelta(days=7) <= last and calendar.plain_week_from(day):
            total += calendar.week_length
            day += timedelta(days=7)
        else:
            total += calendar.length_of(day)
            day += ONE_DAY
    return total


def add_business_minutes(calendar: BusinessCalendar | None, start: datetime, minutes: float) -> datetime:
    """``start`` plus ``minutes`` of business time, as an aware UTC datetime."""
    return add_business_time(calendar, start, timedelta(minutes=minutes))


def business_minutes_between(calendar: BusinessCalendar | None, start: datetime, end: datetime) -> float:
    """Business minutes in ``[start, end)`` (fractional; negative when ``end < start``)."""
    return business_time_between(calendar, start, end) / timedelta(minutes=1)


# --- clocks with pauses --------------------------------------------------------------------------


def normalise_pauses(pauses: Iterable[Pause], started_at: datetime) -> list[Pause]:
    """Sorted, merged pause intervals clipped to the clock's start. An open pause (``None`` end)
    swallows everything after it."""
    start = _aware(started_at, "started_at")
    cleaned: list[tuple[datetime, datetime | None]] = []
    for paused_at, resumed_at in sorted(
        ((_aware(p, "pause start"), None if r is None else _aware(r, "pause end")) for p, r in pauses),
        key=lambda pause: pause[0],
    ):
        if resumed_at is not None and resumed_at <= start:
            continue
        paused_at = max(paused_at, start)
        if resumed_at is not None and resumed_at <= paused_at:
            continue
        if cleaned and (cleaned[-1][1] is None or paused_at <= cleaned[-1][1]):
            last_start, last_end = cleaned[-1]
            end = None if last_end is None or resumed_at is None else max(last_end, resumed_at)
            cleaned[-1] = (last_start, end)
        else:
            cleaned.append((paused_at, resumed_at))
    return cleaned


def _deadline(
    calendar: BusinessCalendar | None, start: datetime, amount: timedelta, pauses: Sequence[Pause], resume_at: datetime
) -> datetime:
    """When ``amount`` of running business time is used up, skipping the pauses. If the clock is
    still paused by then, the deadline is projected as if it resumed at ``resume_at``."""
    cursor, remaining = start, amount
    for paused_at, resumed_at in pauses:
        if paused_at > cursor:
            available = business_time_between(calendar, cursor, paused_at)
            if remaining <= available:
                return add_business_time(calendar, cursor, remaining)
            remaining -= available
        if resumed_at is None:
            return add_business_time(calendar, max(cursor, paused_at, resume_at), remaining)
        cursor = max(cursor, resumed_at)
    return add_business_time(calendar, cursor, remaining)


@dataclass(frozen=True)
class SLAClock:
    """The state of one SLA clock (response or resolution) at ``evaluated_at``."""

    target: timedelta
    started_at: datetime
    due_at: datetime
    warning_at: datetime
    evaluated_at: datetime
    elapsed: timedelta  # running business time, pauses excluded
    paused: timedelta  # business time spent paused
    is_paused: bool
    is_stopped: bool

    @property
    def target_minutes(self) -> float:
        return self.target / timedelta(minutes=1)

    @property
    def elapsed_minutes(self) -> float:
        return self.elapsed / timedelta(minutes=1)

    @property
    def remaining_minutes(self) -> float:
        """Business minutes left; negative once more business time than the target has run."""
        return (self.target - self.elapsed) / timedelta(minutes=1)

    @property
    def remaining_whole_minutes(self) -> int:
        """Remaining minutes rounded down, for integer API fields."""
        return math.floor(self.remaining_minutes)

    @property
    def is_breached(self) -> bool:
        return self.evaluated_at > self.due_at

    @property
    def is_warning(self) -> bool:
        return self.evaluated_at >= self.warning_at

    @property
    def overdue(self) -> timedelta:
        """Wall-clock time since the deadline passed (zero when not breached)."""
        return max(self.evaluated_at - self.due_at, ZERO)

    def upcoming_events(self) -> list[tuple[str, datetime]]:
        """``("warning"|"breach", when)`` not reached yet: what a scheduler should wake up for.
        A stopped or paused clock has none (pausing reschedules on resume)."""
        if self.is_stopped or self.is_paused:
            return []
        return [
            (kind, when)
            for kind, when in (("warning", self.warning_at), ("breach", self.due_at))
            if when >= self.evaluated_at
        ]


def compute_clock(
    *,
    calendar: BusinessCalendar | None,
    target_minutes: float,
    started_at: datetime,
    pauses: Iterable[Pause] = (),
    now: datetime | None = None,
    stopped_at: datetime | None = None,
    warning_share: float = 0.8,
) -> SLAClock:
    """One SLA clock from its facts, recomputable at any time.

    ``started_at`` is the clock's original start (ticket creation) and ``pauses`` every interval in
    which it did not run (reconstructed from the status history). Changing priority or category is
    just calling this again with the new ``target_minutes`` and the same start and pauses: the due
    date moves, paused time stays excluded. ``stopped_at`` (first response, resolution) freezes
    the clock; otherwise it is evaluated at ``now`` (default: the current time)."""
    if target_minutes < 0:
        raise ValueError("target_minutes must not be negative")
    if not 0 < warning_share <= 1:
        raise ValueError("warning_share must be in (0, 1]")
    start = _aware(started_at, "started_at")
    current = _aware(now, "now") if now is not None else datetime.now(UTC)
    evaluated = _aware(stopped_at, "stopped_at") if stopped_at is not None else current
    evaluated = max(evaluated, start)
    merged = normalise_pauses(pauses, start)
    target = timedelta(minutes=target_minutes)

    total = business_time_between(calendar, start, evaluated)
    paused = ZERO
    is_paused = False
    for paused_at, resumed_at in merged:
        if paused_at >= evaluated:
            break
        if resumed_at is None or resumed_at > evaluated:
            is_paused = stopped_at is None
        paused += business_time_between(calendar, paused_at, min(resumed_at or evaluated, evaluated))

    resume_at = max(evaluated, start)
    return SLAClock(
        target=target,
        started_at=start,
        due_at=_deadline(calendar, start, target, merged, resume_at),
        warning_at=_deadline(calendar, start, target * warning_share, merged, resume_at),
        evaluated_at=evaluated,
        elapsed=total - paused,
        paused=paused,
        is_paused=is_paused,
        is_stopped=stopped_at is not None,
    )


# --- targets and a ticket's two clocks -----------------------------------------------------------


@dataclass(frozen=True)
class PolicyTargets:
    """A policy's targets in minutes: ``{priority: (response, resolution)}``."""

    by_priority: Mapping[str, tuple[int, int]]
    warning_share: float = 0.8


@dataclass(frozen=True)
class Targets:
    response_minutes: int
    resolution_minutes: int
    warning_share: float = 0.8


PRIORITY_ALIASES = {"medium": "normal"}


def targets_for(policy: PolicyTargets, priority: str, *, category_sla_hours: int | None = None) -> Targets:
    """The targets of one ticket: its priority's targets, with the resolution target replaced by
    the category's ``sla_hours`` when the category sets one."""
    key = PRIORITY_ALIASES.get(priority, priority)
    try:
        response, resolution = policy.by_priority[key]
    except KeyError:
        raise ValueError(f"unknown priority: {priority!r}") from None
    if category_sla_hours:
        resolution = int(category_sla_hours) * 60
    return Targets(response_minutes=response, resolution_minutes=resolution, warning_share=policy.warning_share)


@dataclass(frozen=True)
class TicketSLA:
    response: SLAClock
    resolution: SLAClock

    @property
    def is_breached(self) -> bool:
        return self.response.is_breached or self.resolution.is_breached

    @staticmethod
    def _remaining_field(clock: SLAClock) -> int:
        # A clock stopped in time has nothing left to count (the v1 example shows 0 after the first
        # response); one stopped late keeps showing how late it was.
        return 0 if clock.is_stopped and not clock.is_breached else clock.remaining_whole_minutes

    def contract_fields(self) -> dict:
        """The documented ticket fields derived from the clocks (see docs/sla.md)."""
        overdue_hours = self.resolution.overdue / timedelta(hours=1)
        return {
            "sla_due_date": self.resolution.due_at,
            "sla_breached": self.is_breached,
            "breach_hours": math.floor(overdue_hours),
            "sla_info": {
                "response_sla": round(self.response.target_minutes),
                "resolve_sla": round(self.resolution.target_minutes),
                "response_remaining": self._remaining_field(self.response),
                "resolve_remaining": self._remaining_field(self.resolution),
            },
        }


def compute_ticket_sla(
    *,
    calendar: BusinessCalendar | None,
    targets: Targets,
    started_at: datetime,
    pauses: Iterable[Pause] = (),
    responded_at: datetime | None = None,
    resolved_at: datetime | None = None,
    now: datetime | None = None,
) -> TicketSLA:
    """Both clocks of a ticket: response (stops at the first response) and resolution (stops at
    resolution). The same pauses apply to both."""
    pauses = list(pauses)
    common = {"calendar": calendar, "started_at": started_at, "pauses": pauses, "now": now}
    return TicketSLA(
        response=compute_clock(
            target_minutes=targets.response_minutes,
            stopped_at=responded_at,
            warning_share=targets.warning_share,
            **common,
        ),
        resolution=compute_clock(
            target_minutes=targets.resolution_minutes,
            stopped_at=resolved_at,
            warning_share=targets.warning_share,
            **common,
        ),
    )
