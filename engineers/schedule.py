"""An engineer's work schedule: the JSON shape of the v1 contract (§6A.1.2 ``work_schedule``),
its validation, and its translation into the SLA engine's weekly periods.

Shape (every key optional on input; ``normalise_work_schedule`` fills the defaults)::

    {
      "timezone": "Asia/Shanghai",
      "work_hours": {"start": "09:00", "end": "18:00"},   # end <= start: an overnight shift
      "work_days": ["monday", …, "friday"],
      "break_time": {"start": "12:00", "end": "13:00"},  # or null
      "flexible_hours": false,
      "day_hours": {"saturday": {"start": "10:00", "end": "14:00"}},  # per-day hours (optional)
      "follow_holidays": true   # the tenant's business calendar: holidays off, 调休 workdays on
    }

Duty is computed by the SLA engine (``portal.sla.engine.BusinessCalendar``) built from these
periods plus the tenant calendar's special days (see ``engineers.selectors.is_on_duty``).
"""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from engineers.choices import WEEKDAYS

DEFAULT_TIME_ZONE = "Asia/Shanghai"
DEFAULT_WORK_SCHEDULE: dict = {
    "timezone": DEFAULT_TIME_ZONE,
    "work_hours": {"start": "09:00", "end": "18:00"},
    "work_days": WEEKDAYS[:5],
    "break_time": {"start": "12:00", "end": "13:00"},
    "flexible_hours": False,
    "day_hours": {},
    "follow_holidays": True,
}
KNOWN_KEYS = set(DEFAULT_WORK_SCHEDULE)
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _parse_time(value, field: str, errors: dict) -> time | None:
    if isinstance(value, str) and (match := _HHMM.match(value)):
        return time(int(match.group(1)), int(match.group(2)))
    if isinstance(value, str) and value == "24:00":
        return time(0)
    errors[field] = _("Use a time written HH:MM, e.g. 09:00.")
    return None


def _span(value, field: str, errors: dict) -> dict | None:
    if not isinstance(value, dict) or set(value) - {"start", "end"} or not {"start", "end"} <= set(value):
        errors[field] = _('Give an object with start and end, e.g. {"start": "09:00", "end": "18:00"}.')
        return None
    start = _parse_time(value["start"], f"{field}.start", errors)
    end = _parse_time(value["end"], f"{field}.end", errors)
    if start is None or end is None:
        return None
    if value["start"] == "24:00":  # 24:00 is the end of a day, never a start
        errors[f"{field}.start"] = _("Use a time written HH:MM, e.g. 09:00.")
        return None
    # compare as written: 00:00-24:00 is a whole day, though both parse to midnight
    if value["start"] == value["end"] or (start == end and value["end"] != "24:00"):
        errors[field] = _("Start and end must differ.")
        return None
    return {"start": value["start"], "end": value["end"]}


def normalise_work_schedule(value) -> dict:
    """The schedule with defaults filled in; raises ``ValidationError`` with a message per
    field (``work_schedule.<key>``) for anything malformed."""
    if value in (None, {}):
        return {**DEFAULT_WORK_SCHEDULE, "work_days": list(DEFAULT_WORK_SCHEDULE["work_days"])}
    if not isinstance(value, dict):
        raise ValidationError({"work_schedule": _("The work schedule must be an object.")})
    errors: dict = {}
    unknown = sorted(set(value) - KNOWN_KEYS)
    if unknown:
        errors["work_schedule"] = _("Unknown keys: %(keys)s.") % {"keys": ", ".join(unknown)}
    out = {**DEFAULT_WORK_SCHEDULE, "day_hours": {}}
    zone = value.get("timezone", DEFAULT_TIME_ZONE)
    try:
        if not isinstance(zone, str) or not zone:
            raise ZoneInfoNotFoundError(zone)
        ZoneInfo(zone)
        out["timezone"] = zone
    except (ZoneInfoNotFoundError, ValueError):
        errors["work_schedule.timezone"] = _("Unknown time zone; use an IANA name such as Asia/Shanghai.")
    if "work_hours" in value:
        out["work_hours"] = _span(value["work_hours"], "work_schedule.work_hours", errors)
    if "work_days" in value:
        days = value["work_days"]
        if not isinstance(days, list) or any(d not in WEEKDAYS for d in days):
            errors["work_schedule.work_days"] = _("Work days are weekday names: %(names)s.") % {
                "names": ", ".join(WEEKDAYS)
            }
        else:
            out["work_days"] = [d for d in WEEKDAYS if d in days]  # week order, no duplicates
    else:
        out["work_days"] = list(DEFAULT_WORK_SCHEDULE["work_days"])
    if "break_time" in value:
        out["break_time"] = (
            None if value["break_time"] is None else _span(value["break_time"], "work_schedule.break_time", errors)
        )
    for flag in ("flexible_hours", "follow_holidays"):
        if flag in value:
            if not isinstance(value[flag], bool):
                errors[f"work_schedule.{flag}"] = _("Must be true or false.")
            else:
                out[flag] = value[flag]
    day_hours = value.get("day_hours") or {}
    if not isinstance(day_hours, dict) or any(d not in WEEKDAYS for d in day_hours):
        errors["work_schedule.day_hours"] = _("Per-day hours are keyed by weekday name.")
    else:
        for day, span in day_hours.items():
            parsed = _span(span, f"work_schedule.day_hours.{day}", errors)
            if parsed:
                out["day_hours"][day] = parsed
    if errors:
        raise ValidationError(errors)
    return out


def _offsets(span: dict) -> tuple[int, int]:
    """(start, end) in minutes from midnight; an end at or before the start ends the next day."""

    def minutes(text: str) -> int:
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    start, end = minutes(span["start"]), minutes(span["end"])
    if end <= start:
        end += 24 * 60
    return start, end


def _as_time(minutes: int) -> time:
    minutes %= 24 * 60
    return time(minutes // 60, minutes % 60)


def weekly_periods(schedule: dict) -> list[tuple[int, time, time]]:
    """The schedule as the SLA engine's ``(weekday, start, end)`` rows (0 = Monday; an end of
    ``time(0)`` is 24:00). The break is cut out; an overnight shift continues on the next day."""
    schedule = schedule or DEFAULT_WORK_SCHEDULE
    rows: list[tuple[int, int, int]] = []
    for weekday, name in enumerate(WEEKDAYS):
        if name not in schedule.get("work_days", ()):
            continue
        span = (schedule.get("day_hours") or {}).get(name) or schedule.get("work_hours")
        if not span:
            continue
        start, end = _offsets(span)
        pieces = [(start, end)]
        if schedule.get("break_time"):
            b_start, b_end = _offsets(schedule["break_time"])
            if b_start < start:  # a break after midnight of an overnight shift
                b_start, b_end = b_start + 1440, b_end + 1440
            pieces = []
            for lo, hi in [(start, min(end, b_start)), (max(start, b_end), end)]:
                if lo < hi:
                    pieces.append((lo, hi))
        for lo, hi in pieces:
            if hi <= 1440:
                rows.append((weekday, lo, hi))
            else:
                if lo < 1440:
                    rows.append((weekday, lo, 1440))
                rows.append(((weekday + 1) % 7, max(lo - 1440, 0), hi - 1440))
    periods = []
    for weekday, lo, hi in rows:
        periods.append((weekday, _as_time(lo), time(0) if hi == 1440 else _as_time(hi)))
    return _merge(periods)


def _merge(periods: list[tuple[int, time, time]]) -> list[tuple[int, time, time]]:
    """Join touching or overlapping periods of one weekday (an overnight tail meeting the day's
    own shift), so the engine never sees overlaps."""

    def end_minutes(t: time) -> int:
        return 1440 if t == time(0) else t.hour * 60 + t.minute

    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in periods:
        by_day.setdefault(weekday, []).append((start.hour * 60 + start.minute, end_minutes(end)))
    out = []
    for weekday in sorted(by_day):
        spans = sorted(by_day[weekday])
        merged = [list(spans[0])]
        for lo, hi in spans[1:]:
            if lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        for lo, hi in merged:
            out.append((weekday, _as_time(lo), time(0) if hi == 1440 else _as_time(hi)))
    return out
