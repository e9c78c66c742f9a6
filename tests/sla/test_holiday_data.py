"""The shipped mainland-China holiday data: known facts of the 2026 State Council schedule, the
provisional 2027 statutory dates, idempotent loading, and arithmetic on a calendar that follows it."""

from __future__ import annotations

import json
from datetime import date, time

import pytest
from django.core.management import call_command

from portal.sla.models import CalendarDay, HolidaySet
from portal.sla.selectors import load_business_calendar
from portal.sla.services import CHINA_HOLIDAYS_FIXTURE, CHINA_SET_CODE, calendar_create, holidays_load_fixture
from tests.sla.helpers import sh

pytestmark = pytest.mark.django_db

MAKE_UP_DAYS_2026 = [date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
                     date(2026, 10, 10)]  # fmt: skip
HOLIDAY_SPANS_2026 = {  # official spans, inclusive
    "元旦": (date(2026, 1, 1), date(2026, 1, 3)),
    "春节": (date(2026, 2, 15), date(2026, 2, 23)),
    "清明节": (date(2026, 4, 4), date(2026, 4, 6)),
    "劳动节": (date(2026, 5, 1), date(2026, 5, 5)),
    "端午节": (date(2026, 6, 19), date(2026, 6, 21)),
    "中秋节": (date(2026, 9, 25), date(2026, 9, 27)),
    "国庆节": (date(2026, 10, 1), date(2026, 10, 7)),
}
STATUTORY_2027 = [date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
                  date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15),
                  date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)]  # fmt: skip


@pytest.fixture
def china():
    call_command("load_china_holidays", verbosity=0)
    return HolidaySet.objects.get(code=CHINA_SET_CODE, tenant__isnull=True)


def kinds(holiday_set) -> dict[date, str]:
    return dict(holiday_set.days.values_list("date", "kind"))


def test_known_2026_facts(china):
    days = kinds(china)
    assert days[date(2026, 10, 1)] == "holiday"  # 国庆节
    assert days[date(2026, 2, 17)] == "holiday"  # 春节 (正月初一)
    assert CalendarDay.objects.get(holiday_set=china, date=date(2026, 2, 17)).name == "春节"
    assert days[date(2026, 1, 1)] == "holiday"
    assert date(2026, 3, 2) not in days  # an ordinary Monday


def test_2026_holiday_spans_are_complete_and_official(china):
    for name, (first, last) in HOLIDAY_SPANS_2026.items():
        rows = CalendarDay.objects.filter(holiday_set=china, name=name, kind="holiday", date__year=2026)
        dates = sorted(rows.values_list("date", flat=True))
        assert dates[0] == first and dates[-1] == last
        assert len(dates) == (last - first).days + 1, name
        assert not rows.filter(provisional=True).exists()


def test_2026_make_up_days_are_weekend_working_days(china):
    workdays = sorted(CalendarDay.objects.filter(holiday_set=china, kind="workday").values_list("date", flat=True))
    assert [d for d in workdays if d.year == 2026] == MAKE_UP_DAYS_2026
    assert all(d.weekday() >= 5 for d in MAKE_UP_DAYS_2026)


def test_2027_only_statutory_dates_all_provisional(china):
    rows = CalendarDay.objects.filter(holiday_set=china, date__year=2027)
    assert sorted(rows.values_list("date", flat=True)) == STATUTORY_2027
    assert all(rows.values_list("provisional", flat=True))
    assert not rows.filter(kind="workday").exists()  # no invented make-up days
    assert rows.get(date=date(2027, 2, 6)).name == "春节"
    assert rows.get(date=date(2027, 6, 9)).name == "端午节"
    assert rows.get(date=date(2027, 9, 15)).name == "中秋节"


def test_loading_twice_changes_nothing(china):
    before = list(CalendarDay.objects.order_by("date").values_list("pk", "date", "kind", "name"))
    result = holidays_load_fixture()
    after = list(CalendarDay.objects.order_by("date").values_list("pk", "date", "kind", "name"))
    assert after == before
    assert result.days == 52 and result.removed == 0 and result.years == (2026, 2027)
    assert HolidaySet.objects.filter(code=CHINA_SET_CODE).count() == 1


def test_plain_loaddata_works_and_is_idempotent():
    call_command("loaddata", "china_holidays_2026_2027", verbosity=0)
    call_command("loaddata", "china_holidays_2026_2027", verbosity=0)
    assert CalendarDay.objects.count() == 52


def test_reloading_a_corrected_file_removes_stale_days_of_its_years(china, tmp_path):
    # given a stale day in 2027 that the file does not list, and a tenant-unrelated day in 2030
    CalendarDay.objects.create(holiday_set=china, date=date(2027, 3, 1), kind="holiday", name="stale")
    CalendarDay.objects.create(holiday_set=china, date=date(2030, 1, 1), kind="holiday", name="元旦")
    # when the file is loaded again
    result = holidays_load_fixture(path=CHINA_HOLIDAYS_FIXTURE)
    # then the stale 2027 day is gone, the 2030 day (a year the file does not cover) stays
    assert result.removed == 1
    assert not CalendarDay.objects.filter(date=date(2027, 3, 1)).exists()
    assert CalendarDay.objects.filter(date=date(2030, 1, 1)).exists()


def test_fixture_records_its_provenance():
    rows = json.loads(CHINA_HOLIDAYS_FIXTURE.read_text(encoding="utf-8"))
    source = rows[0]["fields"]["source"]
    assert "国务院办公厅关于2026年部分节假日安排的通知" in source
    assert "PROVISIONAL" in source


class TestCalendarOnRealData:
    """A tenant calendar Mon–Fri 09:00–12:00, 13:00–18:00 (8 h) following the China set."""

    @pytest.fixture
    def calendar(self, tenant_a, china):
        periods = [(w, s, e) for w in range(5) for s, e in ((time(9), time(12)), (time(13), time(18)))]
        cal = calendar_create(tenant=tenant_a, name="办公", periods=periods, holiday_sets=[china], is_default=True)
        return load_business_calendar(cal)

    def test_national_day_week(self, calendar):
        from portal.sla.engine import add_business_minutes

        # Wed 2026-09-30 17:00 + 120: 60 on Sep 30, Oct 1–7 off → Thu Oct 8 10:00
        assert add_business_minutes(calendar, sh(2026, 9, 30, 17), 120) == sh(2026, 10, 8, 10)
        # Fri Oct 9 17:00 + 120: 60 on Friday, Sat Oct 10 is a make-up workday → Sat 10:00
        assert add_business_minutes(calendar, sh(2026, 10, 9, 17), 120) == sh(2026, 10, 10, 10)

    def test_thirty_business_days_over_new_year(self, calendar):
        from portal.sla.engine import add_business_minutes, business_minutes_between

        # Mon 2026-11-23 09:00 + 30 × 480: Nov 23 – Dec 31 are 29 working days, 2027-01-01 is a
        # holiday, the 30th day is Mon 2027-01-04 → 18:00
        due = add_business_minutes(calendar, sh(2026, 11, 23, 9), 30 * 480)
        assert due == sh(2027, 1, 4, 18)
        assert business_minutes_between(calendar, sh(2026, 11, 23, 9), due) == 30 * 480

    def test_new_year_make_up_sunday(self, calendar):
        from portal.sla.engine import add_business_minutes

        # Wed 2025-12-31 17:00 + 120: Jan 1–3 off, Sun Jan 4 worked → Sun 2026-01-04 10:00
        assert add_business_minutes(calendar, sh(2025, 12, 31, 17), 120) == sh(2026, 1, 4, 10)
