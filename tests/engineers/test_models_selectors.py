"""The engineers models and selectors: schedule validation, workload counts, duty under the
tenant's business calendar, skill inference, scoping and constraints."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from engineers import selectors
from engineers.models import EngineerProfile, EngineerSkill
from engineers.schedule import normalise_work_schedule, weekly_periods
from portal.sla import services as sla_services
from portal.sla.choices import DayKind
from portal.sla.models import CalendarDay, HolidaySet
from tickets.models import Ticket

SH = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def sh(*args):
    return datetime(*args, tzinfo=SH)


# --- schedule ---------------------------------------------------------------------------------


def test_empty_schedule_gets_office_hours_mon_to_fri():
    schedule = normalise_work_schedule({})
    assert schedule["work_days"] == ["monday", "tuesday", "wednesday", "thursday", "friday"]
    assert schedule["work_hours"] == {"start": "09:00", "end": "18:00"}
    assert schedule["timezone"] == "Asia/Shanghai"


def test_contract_example_schedule_is_accepted_and_days_come_out_in_week_order():
    schedule = normalise_work_schedule(
        {
            "timezone": "Asia/Shanghai",
            "work_hours": {"start": "08:30", "end": "17:30"},
            "work_days": ["friday", "monday"],
        }
    )
    assert schedule["work_days"] == ["monday", "friday"]
    assert weekly_periods(schedule) == [
        (0, time(8, 30), time(12)),
        (0, time(13), time(17, 30)),
        (4, time(8, 30), time(12)),
        (4, time(13), time(17, 30)),
    ]


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"timezone": "Mars/Olympus"}, "work_schedule.timezone"),
        ({"work_hours": {"start": "9am", "end": "18:00"}}, "work_schedule.work_hours.start"),
        ({"work_hours": {"start": "09:00"}}, "work_schedule.work_hours"),
        ({"work_days": ["funday"]}, "work_schedule.work_days"),
        ({"flexible_hours": "yes"}, "work_schedule.flexible_hours"),
        ({"shifts": []}, "work_schedule"),
        ({"day_hours": {"saturday": {"start": "10:00", "end": "10:00"}}}, "work_schedule.day_hours.saturday"),
    ],
)
def test_malformed_schedule_names_the_field(bad, field):
    with pytest.raises(ValidationError) as raised:
        normalise_work_schedule(bad)
    assert field in raised.value.message_dict


def test_overnight_shift_continues_on_the_next_day():
    schedule = normalise_work_schedule(
        {"work_hours": {"start": "22:00", "end": "06:00"}, "work_days": ["sunday"], "break_time": None}
    )
    assert weekly_periods(schedule) == [(0, time(0), time(6)), (6, time(22), time(0))]


# --- workload ---------------------------------------------------------------------------------


def _ticket(tenant, requester, assignee, status, n, **fields):
    return Ticket.objects.create(
        tenant=tenant,
        number=f"T{tenant.pk}{n:04d}",
        title="t",
        created_by=requester,
        assigned_to=assignee,
        status=status,
        **fields,
    )


def test_workload_counts_open_tickets_of_the_engineer_user_only(tenant_a, tenant_b, make_user, make_engineer):
    engineer = make_engineer(tenant_a)
    colleague = make_engineer(tenant_a)
    requester = make_user(tenant_a)
    for n, status in enumerate(["assigned", "in_progress", "paused", "new", "resolved", "closed", "cancelled"]):
        _ticket(tenant_a, requester, engineer.user, status, n)
    _ticket(tenant_a, requester, engineer.user, "in_progress", 20, is_deleted=True)
    _ticket(tenant_a, requester, colleague.user, "assigned", 21)

    loaded = selectors.with_workload(EngineerProfile.objects.filter(pk=engineer.pk), breakdown=True).get()

    assert loaded.current_workload == 4
    assert (loaded.pending_tickets, loaded.in_progress_tickets, loaded.paused_tickets) == (2, 1, 1)
    assert selectors.current_workload(EngineerProfile.objects.get(pk=engineer.pk)) == 4
    assert selectors.workload_breakdown(engineer) == {"pending": 2, "in_progress": 1, "paused": 1, "total": 4}
    assert selectors.with_workload(EngineerProfile.objects.filter(pk=colleague.pk)).get().current_workload == 1


def test_engineer_list_loads_in_a_fixed_number_of_queries(
    tenant_a, make_engineer, make_skill, give_skill, django_assert_num_queries
):
    skill = make_skill(tenant_a, "linux")
    for _ in range(5):
        give_skill(make_engineer(tenant_a), skill)
    with django_assert_num_queries(2):  # profiles (+user, team, workload) and their skills
        rows = list(selectors.for_list(EngineerProfile.objects.all()))
        assert [r.skill_rows.all()[0].skill.code for r in rows] == ["linux"] * 5
        assert all(r.current_workload == 0 for r in rows)


# --- duty -------------------------------------------------------------------------------------


def _tenant_calendar(tenant, *, holidays=(), workdays=()):
    days = HolidaySet.objects.create(tenant=tenant, code="company", name="公司假日")
    for day in holidays:
        CalendarDay.objects.create(holiday_set=days, date=day, kind=DayKind.HOLIDAY, name="假日")
    for day in workdays:
        CalendarDay.objects.create(holiday_set=days, date=day, kind=DayKind.WORKDAY, name="调休")
    periods = [(w, time(9), time(18)) for w in range(5)]
    return sla_services.calendar_create(
        tenant=tenant, name="办公时间", periods=periods, holiday_sets=[days], is_default=True
    )


def test_on_duty_follows_hours_break_and_weekend(tenant_a, make_engineer):
    engineer = make_engineer(tenant_a)  # default schedule: Mon–Fri 09–18, lunch 12–13
    assert selectors.is_on_duty(engineer, sh(2026, 12, 1, 10, 0))  # Tuesday
    assert not selectors.is_on_duty(engineer, sh(2026, 12, 1, 12, 30))
    assert not selectors.is_on_duty(engineer, sh(2026, 12, 1, 18, 0))
    assert not selectors.is_on_duty(engineer, sh(2026, 12, 5, 10, 0))  # Saturday


def test_tenant_holidays_and_make_up_workdays_apply(tenant_a, make_engineer):
    _tenant_calendar(tenant_a, holidays=[date(2026, 12, 1)], workdays=[date(2026, 12, 5)])
    engineer = make_engineer(tenant_a)
    assert not selectors.is_on_duty(engineer, sh(2026, 12, 1, 10, 0))  # holiday Tuesday
    assert selectors.is_on_duty(engineer, sh(2026, 12, 5, 10, 0))  # worked Saturday (调休)
    assert selectors.next_on_duty(engineer, sh(2026, 12, 1, 10, 0)) == sh(2026, 12, 2, 9, 0)


def test_a_schedule_may_ignore_the_tenant_calendar(tenant_a, make_engineer):
    _tenant_calendar(tenant_a, holidays=[date(2026, 12, 1)])
    engineer = make_engineer(tenant_a, work_schedule={"follow_holidays": False})
    assert selectors.is_on_duty(engineer, sh(2026, 12, 1, 10, 0))


def test_duty_uses_the_engineer_time_zone_and_one_calendar_load_for_many(
    tenant_a, make_engineer, django_assert_num_queries
):
    berlin = make_engineer(tenant_a, work_schedule={"timezone": "Europe/Berlin", "break_time": None})
    shanghai = make_engineer(tenant_a)
    days = selectors.tenant_days(tenant_a)
    moment = sh(2026, 12, 1, 17, 0)  # 10:00 in Berlin
    with django_assert_num_queries(0):
        assert selectors.is_on_duty(berlin, moment, days=days)
        assert selectors.is_on_duty(shanghai, moment, days=days)
        assert not selectors.is_on_duty(berlin, sh(2026, 12, 1, 10, 0), days=days)  # 03:00 in Berlin


# --- skills -----------------------------------------------------------------------------------


def test_skills_inferred_from_chinese_and_english_words(tenant_a, tenant_b, make_skill):
    make_skill(tenant_a, "printer", "打印机", keywords=["打印", "printer", "卡纸"])
    make_skill(tenant_a, "vpn", "VPN", keywords=["远程接入"])
    make_skill(tenant_a, "database", "数据库", keywords=["sql", "mysql"])
    make_skill(tenant_b, "email", "邮件", keywords=["打印"])  # another tenant's library
    assert selectors.infer_skill_codes(tenant=tenant_a, text="三楼打印机卡纸") == ["printer"]
    assert selectors.infer_skill_codes(tenant=tenant_a, text="VPN connection drops") == ["vpn"]
    assert selectors.infer_skill_codes(tenant=tenant_a, text="MySQL slow query") == ["database"]
    assert selectors.infer_skill_codes(tenant=tenant_a, text="sqlite? no") == []
    assert selectors.infer_skill_codes(tenant=tenant_a, text="") == []


def test_skill_levels_for_many_engineers_in_one_query(
    tenant_a, make_engineer, make_skill, give_skill, django_assert_num_queries
):
    linux, vpn = make_skill(tenant_a, "linux"), make_skill(tenant_a, "vpn")
    first, second = make_engineer(tenant_a), make_engineer(tenant_a)
    give_skill(first, linux, 4)
    give_skill(first, vpn, 2)
    give_skill(second, vpn, 5)
    with django_assert_num_queries(1):
        assert selectors.skill_levels([first, second]) == {first.pk: {"linux": 4, "vpn": 2}, second.pk: {"vpn": 5}}


def test_level_outside_1_to_5_and_duplicate_skill_are_refused_by_the_database(
    tenant_a, make_engineer, make_skill, give_skill
):
    engineer, skill = make_engineer(tenant_a), make_skill(tenant_a, "linux")
    give_skill(engineer, skill, 3)
    with pytest.raises(IntegrityError), transaction.atomic():
        give_skill(engineer, skill, 4)
    other = make_skill(tenant_a, "vpn")
    with pytest.raises(IntegrityError), transaction.atomic():
        give_skill(engineer, other, 6)
    assert EngineerSkill.objects.filter(engineer=engineer).count() == 1


# --- scoping ----------------------------------------------------------------------------------


def test_selectors_are_tenant_scoped_and_hide_soft_deleted(tenant_a, tenant_b, make_user, make_engineer, make_skill):
    mine = make_engineer(tenant_a)
    gone = make_engineer(tenant_a, is_deleted=True)
    theirs = make_engineer(tenant_b)
    make_skill(tenant_b, "secret")
    viewer = make_user(tenant_a, "agent")
    assert list(selectors.engineers_for(viewer)) == [mine]
    assert gone not in selectors.engineers_for(viewer) and theirs not in selectors.engineers_for(viewer)
    assert not selectors.skills_for(viewer).exists()
    assert selectors.engineer_by_user(mine.user) == mine
    assert selectors.engineer_by_user(viewer) is None


# --- whole-day shifts (00:00–24:00) --------------------------------------------------------------

WHOLE_DAY = {"work_hours": {"start": "00:00", "end": "24:00"}, "break_time": None, "work_days": ["tuesday"]}


def test_a_whole_day_shift_ending_at_24_00_is_accepted():
    schedule = normalise_work_schedule(WHOLE_DAY)
    assert schedule["work_hours"] == {"start": "00:00", "end": "24:00"}
    assert weekly_periods(schedule) == [(1, time(0), time(0))]  # Tuesday 00:00 to 24:00
    with pytest.raises(ValidationError) as refused:  # 24:00 ends a day, it never starts one
        normalise_work_schedule({"work_hours": {"start": "24:00", "end": "08:00"}})
    assert "work_schedule.work_hours.start" in refused.value.message_dict
    with pytest.raises(ValidationError):
        normalise_work_schedule({"work_hours": {"start": "00:00", "end": "00:00"}})


def test_a_whole_day_shift_is_on_duty_until_midnight_and_dispatch_agrees(tenant_a, make_engineer):
    from dispatch.services import load_pool

    engineer = make_engineer(tenant_a, work_schedule=WHOLE_DAY)
    for moment in (sh(2026, 12, 1, 0, 0), sh(2026, 12, 1, 12, 30), sh(2026, 12, 1, 23, 59)):
        assert selectors.is_on_duty(engineer, moment)
        pool = load_pool(tenant_a, at=moment, engineer_ids=[engineer.pk])
        assert list(pool.on_duty) == [True]
    assert not selectors.is_on_duty(engineer, sh(2026, 12, 2, 0, 0))  # Wednesday is off
    assert list(load_pool(tenant_a, at=sh(2026, 12, 2, 0, 30), engineer_ids=[engineer.pk]).on_duty) == [False]
