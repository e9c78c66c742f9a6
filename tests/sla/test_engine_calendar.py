"""Calendar arithmetic of the SLA engine: every expected datetime below was worked out by hand.

Calendar unless stated: Mon–Fri 09:00–12:00 and 13:30–18:00, Asia/Shanghai (7.5 h = 450 min a day).
2026-11-23 is a Monday."""

from datetime import UTC, date, time, timedelta

import pytest

from portal.sla.engine import (
    BusinessCalendar,
    CalendarError,
    add_business_minutes,
    business_minutes_between,
)
from tests.sla.helpers import BERLIN, NATIONAL_DAY_2026, NATIONAL_DAY_2026_WORKDAYS, office_calendar, sh, utc

CAL = office_calendar()
NATIONAL = office_calendar(holidays=NATIONAL_DAY_2026, workdays=NATIONAL_DAY_2026_WORKDAYS)


class TestWithinAndAcrossADay:
    def test_inside_a_morning(self):
        # given Mon 10:00, when adding 60 business minutes, then Mon 11:00
        assert add_business_minutes(CAL, sh(2026, 11, 23, 10), 60) == sh(2026, 11, 23, 11)

    def test_lunch_break_is_skipped(self):
        # given Mon 11:30 + 60: 30 min until 12:00, lunch until 13:30, 30 more → 14:00
        assert add_business_minutes(CAL, sh(2026, 11, 23, 11, 30), 60) == sh(2026, 11, 23, 14)

    def test_deadline_exactly_at_the_end_of_a_period_stays_there(self):
        # given Mon 11:00 + 60 → 12:00, not 13:30
        assert add_business_minutes(CAL, sh(2026, 11, 23, 11), 60) == sh(2026, 11, 23, 12)

    def test_start_exactly_at_the_end_of_a_period(self):
        # given Mon 12:00 (lunch starts) + 1 → 13:31
        assert add_business_minutes(CAL, sh(2026, 11, 23, 12), 1) == sh(2026, 11, 23, 13, 31)

    def test_start_exactly_at_the_start_of_a_period(self):
        assert add_business_minutes(CAL, sh(2026, 11, 23, 13, 30), 30) == sh(2026, 11, 23, 14)

    def test_whole_day_exactly_ends_at_18_00(self):
        # given Mon 09:00 + 450 (one full day) → Mon 18:00, not Tue 09:00
        assert add_business_minutes(CAL, sh(2026, 11, 23, 9), 450) == sh(2026, 11, 23, 18)

    def test_zero_minutes_returns_the_start_even_outside_hours(self):
        assert add_business_minutes(CAL, sh(2026, 11, 28, 3), 0) == sh(2026, 11, 28, 3)

    def test_seconds_are_kept(self):
        assert add_business_minutes(CAL, sh(2026, 11, 23, 9, 0, 30), 1) == sh(2026, 11, 23, 9, 1, 30)


class TestOutsideWorkingHours:
    def test_start_before_opening(self):
        # given Mon 07:00 + 30 → Mon 09:30
        assert add_business_minutes(CAL, sh(2026, 11, 23, 7), 30) == sh(2026, 11, 23, 9, 30)

    def test_start_during_lunch(self):
        # given Mon 12:45 + 30 → 13:30 + 30 = 14:00
        assert add_business_minutes(CAL, sh(2026, 11, 23, 12, 45), 30) == sh(2026, 11, 23, 14)

    def test_start_after_closing(self):
        # given Tue 20:00 + 30 → Wed 09:30
        assert add_business_minutes(CAL, sh(2026, 11, 24, 20), 30) == sh(2026, 11, 25, 9, 30)

    def test_start_on_a_saturday(self):
        # given Sat 2026-11-28 08:00 + 30 → Mon 11-30 09:30
        assert add_business_minutes(CAL, sh(2026, 11, 28, 8), 30) == sh(2026, 11, 30, 9, 30)

    def test_friday_evening_carries_over_the_weekend(self):
        # given Fri 2026-11-27 17:00 + 120: 60 on Friday, 60 on Monday → Mon 11-30 10:00
        assert add_business_minutes(CAL, sh(2026, 11, 27, 17), 120) == sh(2026, 11, 30, 10)


class TestHolidaysAndMakeUpDays:
    def test_national_day_week_is_skipped(self):
        # given Wed 2026-09-30 17:00 + 120: 60 on Sep 30, Oct 1–7 off, Thu Oct 8 09:00 + 60 → 10:00
        assert add_business_minutes(NATIONAL, sh(2026, 9, 30, 17), 120) == sh(2026, 10, 8, 10)

    def test_start_on_a_holiday(self):
        # given Fri Oct 2 (holiday) 10:00 + 30 → Thu Oct 8 09:30
        assert add_business_minutes(NATIONAL, sh(2026, 10, 2, 10), 30) == sh(2026, 10, 8, 9, 30)

    def test_make_up_saturday_is_a_working_day(self):
        # given Fri Oct 9 17:30 + 60: 30 on Friday, Sat Oct 10 is worked → Sat 09:30
        assert add_business_minutes(NATIONAL, sh(2026, 10, 9, 17, 30), 60) == sh(2026, 10, 10, 9, 30)

    def test_make_up_sunday_is_a_working_day(self):
        # given Sat Sep 19 10:00 + 30 → Sun Sep 20 (调休) 09:30
        assert add_business_minutes(NATIONAL, sh(2026, 9, 19, 10), 30) == sh(2026, 9, 20, 9, 30)

    def test_make_up_day_uses_the_regular_weekday_hours_including_lunch(self):
        # given Sun Sep 20 11:00 + 120: 60 until 12:00, then 13:30 + 60 → 14:30
        assert add_business_minutes(NATIONAL, sh(2026, 9, 20, 11), 120) == sh(2026, 9, 20, 14, 30)

    def test_make_up_day_can_use_another_weekdays_hours(self):
        # given a calendar whose Friday is short (09:00–12:00) and a make-up Saturday that works as Friday
        periods = [(w, time(9), time(18)) for w in range(4)] + [(4, time(9), time(12))]
        cal = BusinessCalendar.build(time_zone="Asia/Shanghai", periods=periods, workdays={date(2026, 10, 10): 4})
        # when adding 240 minutes from Sat 09:00, then 180 on Saturday (as Friday), 60 on Monday
        assert add_business_minutes(cal, sh(2026, 10, 10, 9), 240) == sh(2026, 10, 12, 10)

    def test_spring_festival_2026_with_both_make_up_saturdays(self):
        # given Feb 15–23 off, Sat Feb 14 and Sat Feb 28 worked
        cal = office_calendar(
            holidays=[date(2026, 2, d) for d in range(15, 24)],
            workdays={date(2026, 2, 14): None, date(2026, 2, 28): None},
        )
        # when Fri Feb 13 17:00 + 600: 60 Fri, 450 on Sat Feb 14, the remaining 90 on Tue Feb 24
        assert add_business_minutes(cal, sh(2026, 2, 13, 17), 600) == sh(2026, 2, 24, 10, 30)

    def test_a_date_cannot_be_both_holiday_and_workday(self):
        with pytest.raises(CalendarError):
            office_calendar(holidays=[date(2026, 10, 10)], workdays={date(2026, 10, 10): None})


class TestLongSpans:
    def test_thirty_business_days(self):
        # given Mon 2026-11-23 09:00 + 30 × 450 min: six plain weeks → Fri 2027-01-01 18:00
        # (this calendar has no holidays; the China data test covers New Year)
        assert add_business_minutes(CAL, sh(2026, 11, 23, 9), 30 * 450) == sh(2027, 1, 1, 18)

    def test_thirty_business_days_with_a_holiday_week_in_between(self):
        # given Mon 2026-09-14 09:00 + 30 days: Sep 14–18 (5), Sun Sep 20 worked (6), Sep 21–25 (11),
        # Sep 28–30 (14), Oct 1–7 off, Oct 8–9 (16), Sat Oct 10 worked (17), Oct 12–16 (22),
        # Oct 19–23 (27), Oct 26–28 (30) → Wed 2026-10-28 18:00
        assert add_business_minutes(NATIONAL, sh(2026, 9, 14, 9), 30 * 450) == sh(2026, 10, 28, 18)

    def test_round_trip_between(self):
        start = sh(2026, 9, 14, 9)
        assert business_minutes_between(NATIONAL, start, sh(2026, 10, 28, 18)) == 30 * 450

    def test_a_calendar_without_working_time_refuses(self):
        empty = BusinessCalendar.build(time_zone="Asia/Shanghai", periods=[])
        with pytest.raises(CalendarError):
            add_business_minutes(empty, sh(2026, 11, 23, 9), 1)


class TestBetween:
    def test_same_period(self):
        assert business_minutes_between(CAL, sh(2026, 11, 23, 9, 15), sh(2026, 11, 23, 10)) == 45

    def test_lunch_does_not_count(self):
        assert business_minutes_between(CAL, sh(2026, 11, 23, 12), sh(2026, 11, 23, 13, 30)) == 0
        assert business_minutes_between(CAL, sh(2026, 11, 23, 11), sh(2026, 11, 23, 14)) == 90

    def test_over_a_weekend(self):
        # Fri 17:00 → Mon 10:00 = 60 + 60
        assert business_minutes_between(CAL, sh(2026, 11, 27, 17), sh(2026, 11, 30, 10)) == 120

    def test_fractional_minutes(self):
        assert business_minutes_between(CAL, sh(2026, 11, 23, 9), sh(2026, 11, 23, 9, 0, 30)) == 0.5

    def test_reversed_interval_is_negative(self):
        assert business_minutes_between(CAL, sh(2026, 11, 30, 10), sh(2026, 11, 27, 17)) == -120

    def test_naive_datetimes_are_refused(self):
        with pytest.raises(ValueError, match="timezone-aware"):
            business_minutes_between(CAL, sh(2026, 11, 23, 9).replace(tzinfo=None), sh(2026, 11, 23, 10))


class TestTimeZones:
    def test_utc_in_utc_out(self):
        # given 01:00 UTC = 09:00 Shanghai, + 60 → 10:00 Shanghai = 02:00 UTC, returned in UTC
        due = add_business_minutes(CAL, utc(2026, 11, 23, 1), 60)
        assert due == utc(2026, 11, 23, 2)
        assert due.tzinfo is UTC

    def test_utc_evening_is_already_the_next_local_day(self):
        # given Sun 2026-11-22 23:30 UTC = Mon 07:30 Shanghai, + 30 → Mon 09:30 Shanghai = 01:30 UTC
        assert add_business_minutes(CAL, utc(2026, 11, 22, 23, 30), 30) == utc(2026, 11, 23, 1, 30)

    def test_berlin_spring_forward(self):
        # given Mon–Fri 09:00–17:00 Europe/Berlin; DST starts Sun 2026-03-29
        cal = BusinessCalendar.build(time_zone="Europe/Berlin", periods=[(w, time(9), time(17)) for w in range(5)])
        # when Fri Mar 27 16:00 CET (15:00 UTC) + 120: 60 Fri, Mon 09:00 CEST + 60 = 10:00 CEST = 08:00 UTC
        assert add_business_minutes(cal, utc(2026, 3, 27, 15), 120) == utc(2026, 3, 30, 8)

    def test_berlin_fall_back(self):
        # DST ends Sun 2026-10-25: Fri 16:00 CEST (14:00 UTC) + 120 → Mon 10:00 CET = 09:00 UTC
        cal = BusinessCalendar.build(time_zone="Europe/Berlin", periods=[(w, time(9), time(17)) for w in range(5)])
        assert add_business_minutes(cal, utc(2026, 10, 23, 14), 120) == utc(2026, 10, 26, 9)

    def test_round_the_clock_calendar_counts_the_short_dst_day_as_23_hours(self):
        # given every day 00:00–24:00 in Berlin
        cal = BusinessCalendar.build(time_zone="Europe/Berlin", periods=[(w, time(0), time(0)) for w in range(7)])
        saturday = utc(2026, 3, 27, 23)  # Sat Mar 28 00:00 CET
        monday = utc(2026, 3, 29, 22)  # Mon Mar 30 00:00 CEST
        # then Saturday (24 h) + Sunday (23 h) = 47 h
        assert business_minutes_between(cal, saturday, monday) == 47 * 60
        # and 24 business hours from Sunday 00:00 CET end at Monday 01:00 CEST
        assert add_business_minutes(cal, utc(2026, 3, 28, 23), 24 * 60) == utc(2026, 3, 29, 23)

    def test_round_the_clock_calendar_counts_the_long_dst_day_as_25_hours(self):
        cal = BusinessCalendar.build(time_zone="Europe/Berlin", periods=[(w, time(0), time(0)) for w in range(7)])
        # Sun 2026-10-25 00:00 CEST = Oct 24 22:00 UTC; Mon 00:00 CET = Oct 25 23:00 UTC
        assert business_minutes_between(cal, utc(2026, 10, 24, 22), utc(2026, 10, 25, 23)) == 25 * 60

    def test_a_berlin_input_is_converted_not_reinterpreted(self):
        # given a start written in Berlin time for a Shanghai calendar: Mon 02:00 CET = 09:00 Shanghai
        start = utc(2026, 11, 23, 1).astimezone(BERLIN)
        assert add_business_minutes(CAL, start, 60) == sh(2026, 11, 23, 10)


class TestRoundTheClock:
    def test_no_calendar_means_24x7(self):
        # given no calendar: Sat 23:30 + 90 → Sun 01:00, weekends and nights count
        assert add_business_minutes(None, sh(2026, 11, 28, 23, 30), 90) == sh(2026, 11, 29, 1)
        assert business_minutes_between(None, sh(2026, 11, 28, 23, 30), sh(2026, 11, 29, 1)) == 90

    def test_24x7_result_is_utc(self):
        assert add_business_minutes(None, sh(2026, 11, 28, 8), 0).tzinfo is UTC

    def test_negative_amounts_are_refused(self):
        with pytest.raises(ValueError):
            add_business_minutes(CAL, sh(2026, 11, 23, 9), -1)


def test_property_add_then_between_is_identity_over_many_starts():
    """A consistency sweep: for starts every 37 minutes over two weeks and several amounts, the
    business time between a start and its deadline is exactly the amount added."""
    start = sh(2026, 9, 14, 0, 7)
    for step in range(0, 14 * 24 * 60, 37):
        moment = start + timedelta(minutes=step)
        for minutes in (1, 29, 450, 451, 2000):
            due = add_business_minutes(NATIONAL, moment, minutes)
            assert business_minutes_between(NATIONAL, moment, due) == minutes, (moment, minutes)
