"""Shared calendars for the SLA tests."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from portal.sla.engine import BusinessCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def sh(*args) -> datetime:
    """A Shanghai wall-clock time (UTC+8, no DST)."""
    return datetime(*args, tzinfo=SHANGHAI)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def office_calendar(holidays=(), workdays=None) -> BusinessCalendar:
    """Mon–Fri 09:00–12:00 and 13:30–18:00 in Shanghai (7.5 h a day; lunch is the gap)."""
    periods = [(w, time(9), time(12)) for w in range(5)] + [(w, time(13, 30), time(18)) for w in range(5)]
    return BusinessCalendar.build(time_zone="Asia/Shanghai", periods=periods, holidays=holidays, workdays=workdays)


# The 2026 National Day week as published: Oct 1–7 off, Sun Sep 20 and Sat Oct 10 worked.
NATIONAL_DAY_2026 = [date(2026, 10, d) for d in range(1, 8)]
NATIONAL_DAY_2026_WORKDAYS = {date(2026, 9, 20): None, date(2026, 10, 10): None}
