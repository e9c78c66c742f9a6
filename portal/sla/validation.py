"""Checks on working periods that span several rows (one row cannot see its siblings)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import time
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.sla.choices import Weekday
from portal.sla.engine import CalendarError, period_offsets


def validate_working_periods(periods: Iterable[tuple[int, time, time]]) -> None:
    """Raise ``ValidationError`` unless every ``(weekday, start, end)`` starts before it ends and
    no two periods of the same weekday overlap (touching, e.g. 12:00–12:00, is fine)."""
    by_day = defaultdict(list)
    for weekday, start, end in periods:
        if weekday not in Weekday.values:
            raise ValidationError(_("Weekday must be between 0 (Monday) and 6 (Sunday)."), code="weekday")
        try:
            by_day[weekday].append((*period_offsets(start, end), start, end))
        except CalendarError:
            raise ValidationError(
                _("A working period must end after it starts (%(start)s–%(end)s)."),
                params={"start": f"{start:%H:%M}", "end": f"{end:%H:%M}"},
                code="period_order",
            ) from None
    for weekday, rows in by_day.items():
        rows.sort()
        for previous, current in pairwise(rows):
            if current[0] < previous[1]:
                raise ValidationError(
                    _("Working periods overlap on %(day)s: %(first)s and %(second)s."),
                    params={
                        "day": Weekday(weekday).label,
                        "first": f"{previous[2]:%H:%M}–{previous[3]:%H:%M}",
                        "second": f"{current[2]:%H:%M}–{current[3]:%H:%M}",
                    },
                    code="period_overlap",
                )
