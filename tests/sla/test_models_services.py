"""Calendars, policies, escalation rules and SLA events as stored: constraints, validation,
tenant boundaries, and loading a calendar for the engine."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.sla.engine import add_business_minutes
from portal.sla.models import (
    BusinessCalendar,
    CalendarDay,
    EscalationRule,
    HolidaySet,
    SLAEvent,
    SLAPolicy,
    WorkingPeriod,
)
from portal.sla.selectors import default_policy_for, escalation_rule_for, load_business_calendar
from portal.sla.services import (
    calendar_create,
    calendar_set_working_periods,
    calendar_subscribe,
    policy_create,
    sla_event_flag_once,
)
from portal.sla.validation import validate_working_periods
from tests.sla.helpers import sh, utc

pytestmark = pytest.mark.django_db

OFFICE = [(w, s, e) for w in range(5) for s, e in ((time(9), time(12)), (time(13), time(18)))]
TARGETS = {"low": (480, 2400), "normal": (240, 1440), "high": (60, 960), "urgent": (30, 480), "critical": (15, 240)}


@pytest.fixture
def shared_set():
    holiday_set = HolidaySet.objects.create(code="cn-test", name="共享")
    CalendarDay.objects.create(holiday_set=holiday_set, date=date(2026, 10, 1), kind="holiday", name="国庆节")
    CalendarDay.objects.create(holiday_set=holiday_set, date=date(2026, 10, 10), kind="workday", name="国庆节")
    return holiday_set


class TestWorkingPeriods:
    def test_overlap_is_refused(self):
        with pytest.raises(ValidationError) as refused:
            validate_working_periods([(0, time(9), time(12)), (0, time(11), time(14))])
        assert refused.value.code == "period_overlap"
        assert "09:00–12:00" in refused.value.messages[0] and "11:00–14:00" in refused.value.messages[0]

    def test_touching_periods_and_other_days_are_fine(self):
        validate_working_periods([(0, time(9), time(12)), (0, time(12), time(13)), (1, time(11), time(14))])

    def test_end_before_start_is_refused(self):
        with pytest.raises(ValidationError) as refused:
            validate_working_periods([(0, time(18), time(9))])
        assert refused.value.code == "period_order"

    def test_midnight_end_means_24_00(self):
        validate_working_periods([(6, time(20), time(0))])

    def test_database_refuses_a_backwards_period(self, tenant_a):
        calendar = calendar_create(tenant=tenant_a, name="c", periods=OFFICE)
        with pytest.raises(IntegrityError), transaction.atomic():
            WorkingPeriod.objects.create(calendar=calendar, weekday=5, start_time=time(18), end_time=time(9))

    def test_replacing_periods_with_an_overlap_changes_nothing(self, tenant_a):
        calendar = calendar_create(tenant=tenant_a, name="c", periods=OFFICE)
        with pytest.raises(ValidationError):
            calendar_set_working_periods(calendar=calendar, periods=[(0, time(9), time(12)), (0, time(10), time(11))])
        assert calendar.periods.count() == 10


class TestCalendars:
    def test_one_default_per_tenant_in_the_database(self, tenant_a):
        BusinessCalendar.objects.create(tenant=tenant_a, name="a", is_default=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            BusinessCalendar.objects.create(tenant=tenant_a, name="b", is_default=True)

    def test_new_default_takes_over(self, tenant_a, tenant_b):
        first = calendar_create(tenant=tenant_a, name="a", periods=OFFICE, is_default=True)
        other_tenant = calendar_create(tenant=tenant_b, name="a", periods=OFFICE, is_default=True)
        second = calendar_create(tenant=tenant_a, name="b", periods=OFFICE, is_default=True)
        first.refresh_from_db()
        other_tenant.refresh_from_db()
        assert second.is_default and not first.is_default
        assert other_tenant.is_default

    def test_unknown_time_zone_is_refused_and_nothing_is_created(self, tenant_a):
        with pytest.raises(ValidationError):
            calendar_create(tenant=tenant_a, name="c", periods=OFFICE, time_zone="Mars/Olympus")
        assert not BusinessCalendar.objects.exists()

    def test_another_tenants_holiday_set_is_refused(self, tenant_a, tenant_b):
        theirs = HolidaySet.objects.create(tenant=tenant_b, code="own", name="B 的假日")
        with pytest.raises(ValidationError):
            calendar_create(tenant=tenant_a, name="c", periods=OFFICE, holiday_sets=[theirs])
        assert not BusinessCalendar.objects.exists()
        calendar = calendar_create(tenant=tenant_a, name="c", periods=OFFICE)
        with pytest.raises(ValidationError):
            calendar_subscribe(calendar=calendar, holiday_set=theirs)
        assert not calendar.holiday_sets.exists()

    def test_loading_takes_two_queries(self, tenant_a, shared_set, django_assert_num_queries):
        calendar = calendar_create(tenant=tenant_a, name="c", periods=OFFICE, holiday_sets=[shared_set])
        with django_assert_num_queries(2):
            value = load_business_calendar(calendar)
        assert value.periods_on(date(2026, 10, 1)) == ()
        assert value.periods_on(date(2026, 10, 10)) == value.weekly[0]

    def test_tenant_days_override_shared_days(self, tenant_a, shared_set):
        # given the tenant works on Oct 1 (its own set says workday) and takes Oct 9 off
        own = HolidaySet.objects.create(tenant=tenant_a, code="own", name="本公司")
        CalendarDay.objects.create(holiday_set=own, date=date(2026, 10, 1), kind="workday", name="值班")
        CalendarDay.objects.create(holiday_set=own, date=date(2026, 10, 9), kind="holiday", name="司庆")
        calendar = calendar_create(tenant=tenant_a, name="c", periods=OFFICE, holiday_sets=[shared_set, own])
        value = load_business_calendar(calendar)
        # then Oct 1 is worked, Oct 9 is not, and the shared make-up Saturday still applies
        assert value.periods_on(date(2026, 10, 1)) == value.weekly[0]
        assert value.periods_on(date(2026, 10, 9)) == ()
        # Thu Oct 8 17:00 + 120: 60 on Oct 8, Oct 9 off, Sat Oct 10 (make-up) 09:00 + 60 → 10:00
        assert add_business_minutes(value, sh(2026, 10, 8, 17), 120) == sh(2026, 10, 10, 10)

    def test_a_linked_set_of_another_tenant_is_ignored(self, tenant_a, tenant_b):
        theirs = HolidaySet.objects.create(tenant=tenant_b, code="own", name="B")
        CalendarDay.objects.create(holiday_set=theirs, date=date(2026, 11, 23), kind="holiday", name="B 的假日")
        calendar = calendar_create(tenant=tenant_a, name="c", periods=OFFICE)
        calendar.holiday_sets.add(theirs)  # bypassing the service, e.g. a bad admin edit
        assert load_business_calendar(calendar).periods_on(date(2026, 11, 23)) != ()

    def test_no_calendar_is_24x7(self):
        assert load_business_calendar(None) is None


class TestPolicies:
    def test_create_and_targets(self, tenant_a):
        calendar = calendar_create(tenant=tenant_a, name="c", periods=OFFICE)
        policy = policy_create(tenant=tenant_a, name="p", targets=TARGETS, calendar=calendar, is_default=True)
        assert policy.targets().by_priority["critical"] == (15, 240)
        assert policy.targets().warning_share == 0.8
        assert default_policy_for(tenant_a) == policy

    def test_missing_priority_is_refused_and_nothing_is_created(self, tenant_a):
        with pytest.raises(ValidationError, match="critical"):
            policy_create(tenant=tenant_a, name="p", targets={k: v for k, v in TARGETS.items() if k != "critical"})
        assert not SLAPolicy.objects.exists()

    def test_zero_target_is_refused(self, tenant_a):
        with pytest.raises(ValidationError):
            policy_create(tenant=tenant_a, name="p", targets={**TARGETS, "low": (0, 2400)})
        assert not SLAPolicy.objects.exists()

    def test_warning_share_must_be_a_share(self, tenant_a):
        with pytest.raises(ValidationError):
            policy_create(tenant=tenant_a, name="p", targets=TARGETS, warning_share="1.5")

    def test_calendar_of_another_tenant_is_refused(self, tenant_a, tenant_b):
        theirs = calendar_create(tenant=tenant_b, name="c", periods=OFFICE)
        with pytest.raises(ValidationError):
            policy_create(tenant=tenant_a, name="p", targets=TARGETS, calendar=theirs)
        assert not SLAPolicy.objects.exists()

    def test_failed_default_switch_keeps_the_old_default(self, tenant_a):
        old = policy_create(tenant=tenant_a, name="p", targets=TARGETS, is_default=True)
        with pytest.raises(ValidationError):
            policy_create(tenant=tenant_a, name="p", targets=TARGETS, is_default=True)  # duplicate name
        old.refresh_from_db()
        assert old.is_default

    def test_default_policy_is_per_tenant(self, tenant_a, tenant_b):
        policy_create(tenant=tenant_b, name="p", targets=TARGETS, is_default=True)
        assert default_policy_for(tenant_a) is None


class TestEscalationRules:
    def test_policy_rule_wins_over_tenant_rule_and_exact_target_over_both(self, tenant_a, tenant_b):
        policy = policy_create(tenant=tenant_a, name="p", targets=TARGETS)
        tenant_wide = EscalationRule.objects.create(tenant=tenant_a, trigger="breach", notify_supervisor=True)
        EscalationRule.objects.create(tenant=tenant_b, trigger="breach", raise_priority=True)
        assert escalation_rule_for(policy=policy, target="resolution", kind="breach") == tenant_wide
        for_policy = EscalationRule.objects.create(tenant=tenant_a, policy=policy, trigger="breach", set_escalated=True)
        exact = EscalationRule.objects.create(
            tenant=tenant_a, policy=policy, trigger="breach", applies_to="resolution", raise_priority=True
        )
        assert escalation_rule_for(policy=policy, target="resolution", kind="breach") == exact
        assert escalation_rule_for(policy=policy, target="response", kind="breach") == for_policy
        assert escalation_rule_for(policy=policy, target="response", kind="warning") is None
        assert exact.actions == ["raise_priority"]

    def test_one_tenant_rule_per_trigger_and_target(self, tenant_a):
        EscalationRule.objects.create(tenant=tenant_a, trigger="warning")
        with pytest.raises(IntegrityError), transaction.atomic():
            EscalationRule.objects.create(tenant=tenant_a, trigger="warning")

    def test_reassigning_to_another_tenants_user_is_invalid(self, tenant_a, tenant_b, make_user):
        outsider = make_user(tenant_b, "agent")
        rule = EscalationRule(tenant=tenant_a, trigger="breach", reassign_to=outsider)
        with pytest.raises(ValidationError) as refused:
            rule.full_clean()
        assert set(refused.value.message_dict) == {"reassign_to"}


class TestFlagOnce:
    def test_second_flag_of_the_same_event_is_a_no_op(self, tenant_a, a_ticket):
        due = utc(2026, 11, 23, 6, 30)
        first, created = sla_event_flag_once(
            tenant=tenant_a, ticket_id=a_ticket.pk, target="resolution", kind="breach", due_at=due
        )
        again, created_again = sla_event_flag_once(
            tenant=tenant_a, ticket_id=a_ticket.pk, target="resolution", kind="breach", due_at=due
        )
        assert created and not created_again
        assert again.pk == first.pk
        assert SLAEvent.objects.count() == 1

    def test_other_targets_and_kinds_are_separate_events(self, tenant_a, a_ticket):
        due = utc(2026, 11, 23, 6, 30)
        for target in ("response", "resolution"):
            for kind in ("warning", "breach"):
                assert sla_event_flag_once(
                    tenant=tenant_a, ticket_id=a_ticket.pk, target=target, kind=kind, due_at=due
                )[1]
        assert SLAEvent.objects.count() == 4

    def test_flag_inside_an_outer_transaction_keeps_it_usable(self, tenant_a, a_ticket):
        due = utc(2026, 11, 23, 6, 30)
        with transaction.atomic():
            sla_event_flag_once(tenant=tenant_a, ticket_id=a_ticket.pk, target="response", kind="breach", due_at=due)
            assert not sla_event_flag_once(
                tenant=tenant_a, ticket_id=a_ticket.pk, target="response", kind="breach", due_at=due
            )[1]
            assert SLAEvent.objects.count() == 1  # the transaction is not broken by the unique violation

    def test_unknown_kind_is_refused(self, tenant_a, a_ticket):
        with pytest.raises(ValueError):
            sla_event_flag_once(
                tenant=tenant_a, ticket_id=a_ticket.pk, target="response", kind="late", due_at=utc(2026, 1, 1)
            )
