"""The engine wired into tickets: due dates on a business calendar, pauses, recomputation,
category override, v1 ``sla_info``, the desk overdue / sla-breach endpoints, flag-once
warnings and breaches with notifications and escalations, and the sweep."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

from portal.notifications.models import Notification
from portal.sla.models import EscalationRule, HolidaySet, SLAEvent
from portal.sla.services import calendar_create, policy_create
from tickets import services, sla
from tickets.models import Ticket, TicketHistory
from tickets.tasks import sla_check_ticket, sla_sweep

pytestmark = pytest.mark.django_db

SH = "Asia/Shanghai"
PRIORITIES = ("low", "normal", "high", "urgent", "critical")


def sh(*args) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(*args, tzinfo=ZoneInfo(SH))


def office_policy(tenant, *, targets=None, calendar=True):
    """Mon–Fri 09:00–12:00 + 13:30–18:00 Shanghai, Oct 1 2026 a holiday, Sat Oct 10 worked (调休)."""
    cal = None
    if calendar:
        days = HolidaySet.objects.create(tenant=tenant, code="own", name="本公司")
        days.days.create(date=date(2026, 10, 1), kind="holiday", name="国庆节")
        days.days.create(date=date(2026, 10, 10), kind="workday", name="国庆调休")
        periods = [(w, time(9), time(12)) for w in range(5)] + [(w, time(13, 30), time(18)) for w in range(5)]
        cal = calendar_create(tenant=tenant, name="办公", periods=periods, holiday_sets=[days], is_default=True)
    targets = targets or dict.fromkeys(PRIORITIES, (60, 240))
    return policy_create(tenant=tenant, name="标准", targets=targets, calendar=cal, is_default=True)


def reload(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


class TestDueDates:
    def test_due_date_skips_lunch_and_the_night(self, desk):
        # Given an office calendar and 60/240 business minutes; when a ticket is filed Mon 11:00
        office_policy(desk.tenant)
        with time_machine.travel(sh(2026, 11, 23, 11, 0), tick=False):
            ticket = desk.ticket()
        # then response is due 12:00 (period used up exactly) and resolution 240 min later:
        # 11–12 (60) + 13:30–18:00 (270) → 16:30
        assert ticket.sla_response_due_at == sh(2026, 11, 23, 12, 0)
        assert ticket.sla_due_date == sh(2026, 11, 23, 16, 30)
        assert reload(ticket).sla_due_date == sh(2026, 11, 23, 16, 30)

    def test_weekend_holiday_and_make_up_day(self, desk):
        office_policy(desk.tenant)
        # Friday 17:00 + 240 min: 1 h Friday, weekend skipped, Monday 09:00–12:00 = 3 h → 12:00
        with time_machine.travel(sh(2026, 11, 27, 17, 0), tick=False):
            friday = desk.ticket()
        assert friday.sla_due_date == sh(2026, 11, 30, 12, 0)
        # Wed Sep 30 17:00: Oct 1 is a holiday → Fri Oct 2 (not a holiday in this tenant set)
        with time_machine.travel(sh(2026, 9, 30, 17, 0), tick=False):
            eve = desk.ticket()
        assert eve.sla_due_date == sh(2026, 10, 2, 12, 0)
        # Fri Oct 9 17:00: Saturday Oct 10 is worked (调休) → Saturday 12:00
        with time_machine.travel(sh(2026, 10, 9, 17, 0), tick=False):
            makeup = desk.ticket()
        assert makeup.sla_due_date == sh(2026, 10, 10, 12, 0)

    def test_category_sla_hours_override_the_resolution_target(self, desk):
        office_policy(desk.tenant)
        with time_machine.travel(sh(2026, 11, 23, 9, 0), tick=False):
            ticket = desk.ticket(category=desk.category)  # sla_hours = 4 → 240 min
            plain = desk.ticket()
            desk.category.sla_hours = 1
            desk.category.save()
            short = desk.ticket(category=desk.category)
        assert ticket.sla_due_date == plain.sla_due_date == sh(2026, 11, 23, 14, 30)
        assert short.sla_due_date == sh(2026, 11, 23, 10, 0)

    def test_without_a_policy_the_fallback_is_24x7_with_the_category_hours(self, desk):
        with time_machine.travel(datetime(2026, 11, 28, 10, 0, tzinfo=UTC), tick=False):
            ticket = desk.ticket(category=desk.category)
            uncategorised = desk.ticket()
        assert ticket.sla_due_date == datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
        assert ticket.sla_response_due_at == datetime(2026, 11, 28, 14, 0, tzinfo=UTC)  # normal: 240 min
        assert uncategorised.sla_due_date is None

    def test_the_fallback_targets_are_settings_a_tenant_can_override(self, desk, other_desk):
        from portal.config import set_config
        from portal.errors import DomainError

        # Given the tenant admin sets their own fallback for normal tickets
        set_config("sla.fallback.response_minutes.normal", 90, tenant=desk.tenant, by=desk.admin)
        # When tickets are created in this tenant and in another one
        with time_machine.travel(datetime(2026, 11, 28, 10, 0, tzinfo=UTC), tick=False):
            ours = desk.ticket()
            theirs = other_desk.ticket()
        # Then ours follows the override and theirs keeps the shipped default
        assert ours.sla_response_due_at == datetime(2026, 11, 28, 11, 30, tzinfo=UTC)
        assert theirs.sla_response_due_at == datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
        # And a value outside the setting's range is refused and changes nothing
        with pytest.raises(DomainError):
            set_config("sla.fallback.response_minutes.normal", 0, tenant=desk.tenant, by=desk.admin)
        with time_machine.travel(datetime(2026, 11, 28, 10, 0, tzinfo=UTC), tick=False):
            assert desk.ticket().sla_response_due_at == datetime(2026, 11, 28, 11, 30, tzinfo=UTC)


class TestPausesAndRecomputation:
    def test_pause_stops_the_clock_and_resume_restarts_it(self, desk):
        office_policy(desk.tenant, calendar=False)  # 24×7
        start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False) as clock:
            ticket = desk.in_progress()
            assert ticket.sla_due_date == start + timedelta(minutes=240)
            clock.move_to(start + timedelta(minutes=30))
            ticket = services.ticket_transition(ticket=ticket, to="paused", by=desk.agent)
            clock.move_to(start + timedelta(minutes=130))
            ticket = services.ticket_transition(ticket=ticket, to="in_progress", by=desk.agent)
        # then the 100 paused minutes are added to the deadline
        assert reload(ticket).sla_due_date == start + timedelta(minutes=340)

    def test_priority_change_recomputes_and_keeps_paused_time(self, desk):
        targets = dict.fromkeys(PRIORITIES, (60, 240)) | {"urgent": (15, 120)}
        office_policy(desk.tenant, targets=targets, calendar=False)
        start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False) as clock:
            ticket = desk.in_progress()
            clock.move_to(start + timedelta(minutes=10))
            ticket = services.ticket_transition(ticket=ticket, to="paused", by=desk.agent)
            clock.move_to(start + timedelta(minutes=70))
            ticket = services.ticket_transition(ticket=ticket, to="in_progress", by=desk.agent)
            clock.move_to(start + timedelta(minutes=80))
            ticket = services.ticket_update(ticket=ticket, by=desk.supervisor, data={"priority": "urgent"})
        assert reload(ticket).sla_due_date == start + timedelta(minutes=120 + 60)

    def test_time_spent_resolved_does_not_count_after_a_reopen(self, desk):
        office_policy(desk.tenant, calendar=False)
        start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False) as clock:
            ticket = desk.in_progress()
            clock.move_to(start + timedelta(minutes=60))
            ticket = services.ticket_transition(ticket=ticket, to="resolved", by=desk.agent)
            clock.move_to(start + timedelta(minutes=560))
            ticket = services.ticket_transition(ticket=ticket, to="in_progress", by=desk.supervisor)
        ticket = reload(ticket)
        assert ticket.sla_due_date == start + timedelta(minutes=240 + 500)
        with time_machine.travel(start + timedelta(minutes=561), tick=False):
            assert not sla.compute(ticket).resolution.is_breached  # (the response clock is: no reply yet)


class TestContractFields:
    def test_v1_sla_info_counts_business_minutes(self, desk, api):
        office_policy(desk.tenant)
        with time_machine.travel(sh(2026, 11, 23, 11, 0), tick=False):
            ticket = desk.ticket()
        with time_machine.travel(sh(2026, 11, 23, 14, 0), tick=False):
            body = api(desk.supervisor).get(f"/api/v1/tickets/{ticket.pk}").json()
        info = body["data"]["sla_info"]
        # 11:00–12:00 + 13:30–14:00 = 90 business minutes have run
        assert info == {"response_sla": 60, "resolve_sla": 240, "response_remaining": -30, "resolve_remaining": 150}

    def test_sla_breach_and_overdue_endpoints_with_hours_filters(self, desk, api):
        office_policy(desk.tenant, calendar=False)
        start = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            late = desk.ticket(title="很晚", due_date=start + timedelta(hours=1))
            later = desk.ticket(title="更晚", due_date=start + timedelta(hours=5))
        with time_machine.travel(start + timedelta(hours=7), tick=False):
            client = api(desk.supervisor)
            breach = client.get("/api/tickets/sla-breach").json()
            breach_filtered = client.get("/api/tickets/sla-breach?breach_hours=4").json()
            overdue = client.get("/api/tickets/overdue?overdue_hours=3").json()
            refused = client.get("/api/tickets/overdue?overdue_hours=-1")
        assert {t["id"] for t in breach["data"]} == {late.pk, later.pk}
        assert {t["breach_hours"] for t in breach["data"]} == {3}  # due 04:00, now 07:00
        assert breach_filtered["data"] == []
        assert [(t["id"], t["overdue_hours"]) for t in overdue["data"]] == [(late.pk, 6)]
        assert refused.status_code == 422


class TestFlagging:
    def test_warning_and_breach_are_flagged_once_with_notifications(self, desk):
        office_policy(desk.tenant, calendar=False)
        start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            ticket = desk.assigned()
        assert ticket.sla_next_check_at == start + timedelta(minutes=48)  # 80 % of 60 min response
        with time_machine.travel(start + timedelta(minutes=49), tick=False):
            sla_check_ticket(ticket.pk)
            sla_check_ticket(ticket.pk)
        warnings = Notification.objects.filter(type="sla_warning", ticket_id=ticket.pk)
        assert set(warnings.values_list("recipient_id", flat=True)) == {desk.agent.pk, desk.supervisor.pk}
        assert not reload(ticket).sla_breached
        with time_machine.travel(start + timedelta(minutes=61), tick=False):
            sla_check_ticket(ticket.pk)
            sla_check_ticket(ticket.pk)
        assert reload(ticket).sla_breached
        assert SLAEvent.objects.filter(ticket_id=ticket.pk, target="response").count() == 2
        breached = Notification.objects.filter(type="sla_breached", ticket_id=ticket.pk)
        assert breached.filter(recipient=desk.agent).count() == 1
        assert warnings.count() == 2

    def test_escalation_rule_raises_priority_reassigns_and_notifies(self, desk):
        policy = office_policy(desk.tenant, calendar=False)
        EscalationRule.objects.create(
            tenant=desk.tenant,
            policy=policy,
            trigger="breach",
            applies_to="response",
            raise_priority=True,
            set_escalated=True,
            reassign_to=desk.other_agent,
            notify_supervisor=True,
        )
        start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            ticket = desk.assigned(priority="normal")
        with time_machine.travel(start + timedelta(minutes=61), tick=False):
            sla_check_ticket(ticket.pk)
            sla_check_ticket(ticket.pk)
        ticket = reload(ticket)
        assert (ticket.priority, ticket.is_escalated, ticket.assigned_to_id) == ("high", True, desk.other_agent.pk)
        rows = TicketHistory.objects.filter(ticket=ticket, action="sla_escalation")
        assert {r.field for r in rows} >= {"priority", "is_escalated", "assigned_to_id"}
        escalated = Notification.objects.filter(type="escalated", recipient=desk.supervisor, ticket_id=ticket.pk)
        assert escalated.count() == 1

    def test_escalation_goes_through_the_ticket_event_sender(self, desk, django_capture_on_commit_callbacks):
        from tickets import events

        # Given a rule that reassigns on breach, and a listener on the one ticket event sender
        policy = office_policy(desk.tenant, calendar=False)
        EscalationRule.objects.create(
            tenant=desk.tenant, policy=policy, trigger="breach", applies_to="response", reassign_to=desk.other_agent
        )
        start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            ticket = desk.assigned(priority="normal")
        heard = []
        events.subscribe(heard.append)
        try:
            # When the breach is flagged
            with (
                time_machine.travel(start + timedelta(minutes=61), tick=False),
                django_capture_on_commit_callbacks(execute=True),
            ):
                sla_check_ticket(ticket.pk)
        finally:
            events.unsubscribe(heard.append)
        # Then the new assignee is told, like any assignment, and live views get the change
        told = Notification.objects.filter(recipient=desk.other_agent, type="ticket_assigned", ticket_id=ticket.pk)
        assert told.count() == 1
        escalations = [p for p in heard if p["event"] == events.ESCALATED]
        assert len(escalations) == 1
        assert escalations[0]["assigned_to_id"] == desk.other_agent.pk and escalations[0]["updated_by"] is None

    def test_sweep_catches_up_after_downtime(self, desk):
        office_policy(desk.tenant, calendar=False)
        start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
        with time_machine.travel(start, tick=False):
            ticket = desk.assigned()
        # Given no check ran (worker down); when the sweep runs a day later
        with time_machine.travel(start + timedelta(days=1), tick=False):
            assert sla_sweep() == 1
            assert sla_sweep() == 0  # nothing left to check: the ticket's next check is gone
        ticket = reload(ticket)
        assert ticket.sla_breached and ticket.sla_next_check_at is None
        assert SLAEvent.objects.filter(ticket_id=ticket.pk, kind="breach").count() == 2
        # a late check tells about the breach, not the stale warning
        assert not Notification.objects.filter(type="sla_warning", ticket_id=ticket.pk).exists()
        assert Notification.objects.filter(type="sla_breached", recipient=desk.agent).count() == 2


def test_sweep_is_scheduled_every_minute_with_expiry_below_the_interval():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="tickets.sla_sweep")
    assert task.enabled and task.interval.every == 60 and task.interval.period == "seconds"
    assert task.expire_seconds < 60


def test_scheduling_only_within_the_visibility_horizon(desk, monkeypatch, django_capture_on_commit_callbacks):
    # Given a non-eager broker; when a ticket is created, a check is enqueued only for the
    # warning within the hour
    from django.conf import settings

    from tickets import tasks

    monkeypatch.setattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)
    sent = []
    monkeypatch.setattr(tasks.sla_check_ticket, "apply_async", lambda args, eta: sent.append((args, eta)))
    office_policy(desk.tenant, calendar=False, targets=dict.fromkeys(PRIORITIES, (60, 240)))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = desk.ticket()
    assert sent == [((ticket.pk,), ticket.sla_next_check_at)]
    sent.clear()
    office_slow = dict.fromkeys(PRIORITIES, (600, 2400))
    from portal.sla.models import SLAPolicy

    SLAPolicy.objects.filter(tenant=desk.tenant).update(
        **{f"{p}_response_minutes": office_slow[p][0] for p in PRIORITIES}
    )
    with django_capture_on_commit_callbacks(execute=True):
        desk.ticket()
    assert sent == []
    assert timedelta(hours=1) == sla.SCHEDULE_HORIZON


def test_is_overdue_turns_on_when_the_check_at_the_due_date_runs(desk):
    # Given a ticket due in an hour (no policy: the due date is the next check)
    start = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        ticket = desk.assigned()
        due = {"due_date": start + timedelta(hours=1)}
        ticket = services.ticket_update(ticket=ticket, by=desk.supervisor, data=due)
    assert not ticket.is_overdue and ticket.sla_next_check_at == start + timedelta(hours=1)
    # When the check runs after the due date; then the stored flag is on
    with time_machine.travel(start + timedelta(hours=1, seconds=1), tick=False):
        sla_check_ticket(ticket.pk)
    assert reload(ticket).is_overdue
