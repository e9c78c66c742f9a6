"""SLA clocks: due/warning times, pauses, recomputation, breach detection. ``now`` comes from the
clock (time-machine), as in production. Calendar: Mon–Fri 09:00–12:00, 13:30–18:00 Shanghai;
2026-11-23 is a Monday."""

from datetime import timedelta

import pytest
import time_machine

from portal.sla.engine import PolicyTargets, Targets, compute_clock, compute_ticket_sla, targets_for
from tests.sla.helpers import office_calendar, sh

CAL = office_calendar()
MONDAY_9 = sh(2026, 11, 23, 9)


def clock(target=240, pauses=(), **kwargs):
    return compute_clock(calendar=CAL, target_minutes=target, started_at=MONDAY_9, pauses=pauses, **kwargs)


class TestRunningClock:
    @time_machine.travel(sh(2026, 11, 23, 11), tick=False)
    def test_due_and_warning_times(self):
        # given a 4 h target started Mon 09:00, when it is Mon 11:00
        state = clock()
        # then due Mon 14:30 (180 in the morning + 60 after lunch), warning at 192 min = 13:42
        assert state.due_at == sh(2026, 11, 23, 14, 30)
        assert state.warning_at == sh(2026, 11, 23, 13, 42)
        assert state.elapsed_minutes == 120
        assert state.remaining_minutes == 120
        assert not state.is_warning and not state.is_breached

    @time_machine.travel(sh(2026, 11, 23, 13, 45), tick=False)
    def test_warning_is_reached_after_80_percent(self):
        state = clock()
        assert state.is_warning and not state.is_breached
        assert state.elapsed_minutes == 195  # 180 before lunch + 15
        assert state.remaining_minutes == 45

    @time_machine.travel(sh(2026, 11, 23, 14, 30), tick=False)
    def test_exactly_at_the_deadline_is_not_yet_breached(self):
        state = clock()
        assert state.remaining_minutes == 0
        assert not state.is_breached

    @time_machine.travel(sh(2026, 11, 23, 14, 30, 1), tick=False)
    def test_one_second_after_the_deadline_is_breached(self):
        state = clock()
        assert state.is_breached
        assert state.remaining_minutes == pytest.approx(-1 / 60)
        assert state.overdue == timedelta(seconds=1)

    @time_machine.travel(sh(2026, 11, 28, 10), tick=False)
    def test_breached_over_the_weekend_although_no_business_time_runs(self):
        # given a five-business-day target (due Fri 18:00), when it is Saturday
        state = clock(target=450 * 5)
        assert state.due_at == sh(2026, 11, 27, 18)
        assert state.is_breached
        assert state.remaining_minutes == 0  # no business minute ran since Friday 18:00
        assert state.overdue == timedelta(hours=16)

    def test_custom_warning_share(self):
        # given 50 % of 240 = 120 business minutes → Mon 11:00
        state = clock(now=MONDAY_9, warning_share=0.5)
        assert state.warning_at == sh(2026, 11, 23, 11)

    def test_upcoming_events_for_a_scheduler(self):
        state = clock(now=sh(2026, 11, 23, 10))
        assert state.upcoming_events() == [("warning", sh(2026, 11, 23, 13, 42)), ("breach", sh(2026, 11, 23, 14, 30))]
        assert clock(now=sh(2026, 11, 23, 14)).upcoming_events() == [("breach", sh(2026, 11, 23, 14, 30))]


class TestPauses:
    PAUSE = (sh(2026, 11, 23, 10), sh(2026, 11, 23, 15))

    @time_machine.travel(sh(2026, 11, 23, 16), tick=False)
    def test_paused_time_does_not_count(self):
        # given 60 min ran before the pause (09–10), paused 10:00–15:00, resumed at 15:00
        state = clock(pauses=[self.PAUSE])
        # then 180 remain from 15:00 → due Mon 18:00; 210 business minutes were paused (10–12, 13:30–15)
        assert state.due_at == sh(2026, 11, 23, 18)
        assert state.paused == timedelta(minutes=210)
        assert state.elapsed_minutes == 120  # 09–10 and 15–16
        assert not state.is_paused

    @time_machine.travel(sh(2026, 11, 24, 10), tick=False)
    def test_open_pause_freezes_remaining_time_and_projects_the_deadline(self):
        # given paused Mon 10:00 and still paused on Tue 10:00 (the original deadline has passed)
        state = clock(pauses=[(sh(2026, 11, 23, 10), None)])
        # then the clock shows 180 remaining, is not breached, and would be due Tue 14:30 if resumed now
        assert state.is_paused
        assert state.remaining_minutes == 180
        assert not state.is_breached
        assert state.due_at == sh(2026, 11, 24, 14, 30)
        assert state.upcoming_events() == []

    @time_machine.travel(sh(2026, 11, 24, 10), tick=False)
    def test_pausing_after_a_breach_does_not_undo_it(self):
        # given due Mon 14:30 and paused only at 15:00
        state = clock(pauses=[(sh(2026, 11, 23, 15), None)])
        assert state.due_at == sh(2026, 11, 23, 14, 30)
        assert state.is_breached

    @time_machine.travel(sh(2026, 11, 24, 12), tick=False)
    def test_overlapping_and_unsorted_pauses_are_merged(self):
        pauses = [(sh(2026, 11, 23, 11), sh(2026, 11, 23, 15)), (sh(2026, 11, 23, 10), sh(2026, 11, 23, 14))]
        # paused 10:00–15:00 in effect: same as a single pause
        assert clock(pauses=pauses).due_at == sh(2026, 11, 23, 18)

    @time_machine.travel(sh(2026, 11, 24, 12), tick=False)
    def test_pauses_before_the_start_are_ignored(self):
        pauses = [(sh(2026, 11, 20, 10), sh(2026, 11, 23, 9))]
        assert clock(pauses=pauses).due_at == sh(2026, 11, 23, 14, 30)

    def test_pause_outside_working_hours_changes_nothing(self):
        pauses = [(sh(2026, 11, 23, 12), sh(2026, 11, 23, 13, 30))]  # during lunch
        assert clock(pauses=pauses, now=MONDAY_9).due_at == sh(2026, 11, 23, 14, 30)


class TestRecomputation:
    """Priority or category changes recompute from the original start, keeping paused time."""

    PAUSES = [(sh(2026, 11, 23, 10), sh(2026, 11, 23, 15))]

    @time_machine.travel(sh(2026, 11, 23, 16), tick=False)
    def test_lowering_priority_moves_the_deadline_later_and_keeps_the_pause(self):
        # given a ticket started Mon 09:00, paused 10–15, now moved from a 240 to a 480-minute target
        before = clock(target=240, pauses=self.PAUSES)
        after = clock(target=480, pauses=self.PAUSES)
        # then 60 ran before the pause; 420 remain from 15:00: 180 on Monday, 180 Tue morning,
        # 60 after lunch → Tue 14:30
        assert before.due_at == sh(2026, 11, 23, 18)
        assert after.due_at == sh(2026, 11, 24, 14, 30)
        assert after.paused == before.paused == timedelta(minutes=210)

    @time_machine.travel(sh(2026, 11, 23, 16, 30), tick=False)
    def test_raising_priority_can_breach_immediately(self):
        # given the same history and a new 120-minute target: 60 before the pause, 60 from 15:00 → 16:00
        state = clock(target=120, pauses=self.PAUSES)
        assert state.due_at == sh(2026, 11, 23, 16)
        assert state.is_breached
        assert state.remaining_minutes == -30


class TestStoppedClock:
    def test_response_exactly_at_the_deadline_is_met(self):
        state = clock(stopped_at=sh(2026, 11, 23, 14, 30), now=sh(2026, 11, 25, 9))
        assert state.is_stopped and not state.is_breached
        assert state.remaining_minutes == 0

    def test_late_response_is_breached_and_stays_breached(self):
        state = clock(stopped_at=sh(2026, 11, 23, 14, 31), now=sh(2026, 11, 30, 9))
        assert state.is_breached
        assert state.overdue == timedelta(minutes=1)
        assert state.upcoming_events() == []


class TestRoundTheClockClock:
    @time_machine.travel(sh(2026, 11, 28, 23), tick=False)
    def test_24x7_clock_with_a_pause(self):
        # given no calendar, a 4 h target from Sat 12:00, paused 13:00–20:00
        state = compute_clock(
            calendar=None,
            target_minutes=240,
            started_at=sh(2026, 11, 28, 12),
            pauses=[(sh(2026, 11, 28, 13), sh(2026, 11, 28, 20))],
        )
        # then 1 h before the pause and 3 h after it → due Sat 23:00, exactly now: not breached
        assert state.due_at == sh(2026, 11, 28, 23)
        assert state.elapsed_minutes == 240
        assert not state.is_breached


class TestTargets:
    POLICY = PolicyTargets(
        by_priority={"low": (480, 2400), "normal": (240, 1440), "high": (60, 960), "urgent": (30, 480),
                     "critical": (15, 240)},
        warning_share=0.75,
    )  # fmt: skip

    def test_priority_targets(self):
        assert targets_for(self.POLICY, "high") == Targets(60, 960, 0.75)

    def test_medium_is_the_v1_word_for_normal(self):
        assert targets_for(self.POLICY, "medium") == targets_for(self.POLICY, "normal")

    def test_category_sla_hours_replace_the_resolution_target(self):
        assert targets_for(self.POLICY, "high", category_sla_hours=4) == Targets(60, 240, 0.75)

    def test_unknown_priority_is_refused(self):
        with pytest.raises(ValueError, match="unknown priority"):
            targets_for(self.POLICY, "blocker")

    @time_machine.travel(sh(2026, 11, 23, 16), tick=False)
    def test_ticket_sla_and_contract_fields(self):
        # given a critical ticket created Mon 09:00, responded 09:10, unresolved at 16:00
        sla = compute_ticket_sla(
            calendar=CAL,
            targets=targets_for(self.POLICY, "critical"),
            started_at=MONDAY_9,
            responded_at=sh(2026, 11, 23, 9, 10),
        )
        # then the response was on time (shown as 0 left); resolution due 14:30, 90 business minutes over
        assert sla.resolution.due_at == sh(2026, 11, 23, 14, 30)
        assert sla.contract_fields() == {
            "sla_due_date": sh(2026, 11, 23, 14, 30),
            "sla_breached": True,
            "breach_hours": 1,
            "sla_info": {"response_sla": 15, "resolve_sla": 240, "response_remaining": 0, "resolve_remaining": -90},
        }

    def test_late_response_keeps_showing_how_late_it_was(self):
        # given a critical ticket (15 min response) created Mon 09:00 and answered at 09:40
        sla = compute_ticket_sla(
            calendar=CAL,
            targets=targets_for(self.POLICY, "critical"),
            started_at=MONDAY_9,
            responded_at=sh(2026, 11, 23, 9, 40),
            now=sh(2026, 11, 23, 10),
        )
        # then the response clock is breached and shows -25; the resolution clock has 180 left
        assert sla.response.is_breached
        assert sla.contract_fields()["sla_info"]["response_remaining"] == -25
        assert sla.contract_fields()["sla_info"]["resolve_remaining"] == 180
        assert sla.contract_fields()["sla_breached"] is True


@pytest.mark.parametrize(
    ("before", "after"),
    [("low", "normal"), ("normal", "high"), ("medium", "high"), ("urgent", "critical"), ("critical", "critical")],
)
def test_escalation_raises_priority_one_step(before, after):
    from portal.sla.choices import escalated_priority

    assert escalated_priority(before) == after
