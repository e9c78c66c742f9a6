"""Rules of the ticket lifecycle, exercised through the services."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User, UserStatus
from accounts.services import user_set_roles
from portal.errors import DomainError, ErrorCode
from tickets import services
from tickets.choices import TicketStatus as S
from tickets.models import Ticket, TicketHistory
from tickets.policy import TRANSITIONS, allowed_actions

pytestmark = pytest.mark.django_db


def snapshot(ticket):
    fresh = Ticket.all_objects.get(pk=ticket.pk)
    fields = (
        "status",
        "assigned_to_id",
        "priority",
        "title",
        "is_deleted",
        "accepted_at",
        "resolved_at",
        "closed_at",
        "rating",
        "comment_count",
        "first_reply_at",
    )
    return {f: getattr(fresh, f) for f in fields}, TicketHistory.objects.filter(ticket=ticket).count()


def test_ticket_number_is_T_date_sequence_per_tenant(desk, other_desk):
    # given two tenants filing tickets on the same day
    first, second = desk.ticket(), desk.ticket()
    elsewhere = other_desk.ticket()
    today = timezone.localdate().strftime("%Y%m%d")
    # then numbers count per tenant and day
    assert first.number == f"T{today}0001"
    assert second.number == f"T{today}0002"
    assert elsewhere.number == f"T{today}0001"


def test_create_writes_history_and_one_event(desk, captured_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = desk.ticket()
    rows = list(TicketHistory.objects.filter(ticket=ticket).values_list("action", "field", "new_value"))
    assert rows == [("create", "status", "new")]
    assert [e["event"] for e in captured_events] == ["created"]
    assert captured_events[0]["ticket_number"] == ticket.number
    assert captured_events[0]["status"] == "open"  # the desk word, as the WebSocket message carries it


def test_rolled_back_change_announces_nothing(desk, captured_events, django_capture_on_commit_callbacks):
    ticket = desk.ticket()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.ticket_assign(ticket=ticket, by=desk.supervisor, assignee=desk.agent)
            raise RuntimeError
        services.ticket_transition(ticket=ticket, to=S.CANCELLED, by=desk.requester)
    assert len(callbacks) == 1
    assert [e["event"] for e in captured_events] == ["status_changed"]
    assert Ticket.objects.get(pk=ticket.pk).assigned_to_id is None


def test_category_sla_hours_set_sla_due_date(desk):
    ticket = desk.ticket(category=desk.category)
    assert ticket.sla_due_date == ticket.created_at + timedelta(hours=4)
    assert desk.ticket().sla_due_date is None


def test_category_auto_assign_user_receives_new_tickets(desk):
    category = services.category_create(
        tenant=desk.tenant, by=desk.admin, data={"name": "网络", "auto_assign_user": desk.other_agent}
    )
    ticket = desk.ticket(category=category)
    assert ticket.status == S.ASSIGNED
    assert ticket.assigned_to == desk.other_agent
    assert TicketHistory.objects.filter(ticket=ticket, field="assigned_to_id", new_value=desk.other_agent.pk).exists()


@pytest.mark.parametrize("change", ["roles", "deactivated"])
def test_category_auto_assign_user_who_may_no_longer_handle_tickets_gets_none(desk, change):
    """The category's user was eligible when chosen; once their engineer role is taken away (or
    the account deactivated), new tickets of the category wait in the queue instead."""
    category = services.category_create(
        tenant=desk.tenant, by=desk.admin, data={"name": "网络", "auto_assign_user": desk.other_agent}
    )
    if change == "roles":
        user_set_roles(user=desk.other_agent, roles=Role.objects.filter(tenant=desk.tenant, code="user"), by=None)
    else:
        User.objects.filter(pk=desk.other_agent.pk).update(status=UserStatus.INACTIVE)
    ticket = desk.ticket(category=category)
    assert ticket.status == S.NEW
    assert ticket.assigned_to_id is None
    assert not TicketHistory.objects.filter(ticket=ticket, field="assigned_to_id").exists()


ALL = list(S.values)


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_transition_table_is_enforced(desk, current, target):
    """Every (from, to) pair: the table's moves pass the table check, others are refused with
    INVALID_STATUS_TRANSITION and change nothing."""
    ticket = desk.ticket()
    Ticket.objects.filter(pk=ticket.pk).update(status=current, assigned_to=desk.agent)
    ticket.refresh_from_db()
    before = snapshot(ticket)
    if target in TRANSITIONS[current]:
        return  # legal moves are exercised by the workflow tests below (they need the right actor)
    with pytest.raises(DomainError) as refused:
        services.ticket_transition(ticket=ticket, to=target, by=desk.supervisor)
    assert refused.value.code is ErrorCode.INVALID_STATUS_TRANSITION
    assert snapshot(ticket) == before


def test_full_lifecycle_sets_and_clears_timestamps(desk):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ticket = desk.ticket(category=desk.category)
        clock.shift(timedelta(minutes=5))
        ticket = services.ticket_assign(ticket=ticket, by=desk.supervisor, assignee=desk.agent)
        ticket = services.ticket_accept(ticket=ticket, by=desk.agent)
        assert ticket.status == S.ASSIGNED and ticket.accepted_at is not None
        clock.shift(timedelta(minutes=10))
        # the first PUBLIC reply by staff sets the response time (an internal note does not)
        services.comment_create(ticket=ticket, by=desk.agent, content="内部备注", is_internal=True)
        assert Ticket.objects.get(pk=ticket.pk).first_reply_at is None
        services.comment_create(ticket=ticket, by=desk.agent, content="正在处理")
        ticket.refresh_from_db()
        assert ticket.response_time == 15
        assert ticket.comment_count == 1
        ticket = services.ticket_transition(ticket=ticket, to=S.IN_PROGRESS, by=desk.agent)
        ticket = services.ticket_transition(ticket=ticket, to=S.PAUSED, by=desk.agent)
        assert ticket.paused_at is not None
        ticket = services.ticket_transition(ticket=ticket, to=S.IN_PROGRESS, by=desk.agent)
        clock.shift(timedelta(minutes=45))
        ticket = services.ticket_transition(
            ticket=ticket, to=S.RESOLVED, by=desk.agent, data={"resolution_notes": "更换硒鼓"}
        )
        assert ticket.resolution_time == 60
        assert ticket.resolved_at is not None and ticket.resolution_notes == "更换硒鼓"
        # reopen by the requester clears the resolution
        ticket = services.ticket_transition(ticket=ticket, to=S.IN_PROGRESS, by=desk.requester)
        assert (ticket.resolved_at, ticket.resolution_time) == (None, None)
        assert ticket.first_reply_at is not None  # the response did happen
        ticket = services.ticket_transition(ticket=ticket, to=S.RESOLVED, by=desk.agent)
        ticket = services.ticket_transition(ticket=ticket, to=S.CLOSED, by=desk.requester)
        assert ticket.closed_at is not None
        ticket = services.ticket_rate(ticket=ticket, by=desk.requester, rating=5, comment="很快")
        assert ticket.rating == 5


def test_requester_reply_does_not_count_as_first_response(desk):
    ticket = desk.assigned()
    services.comment_create(ticket=ticket, by=desk.requester, content="补充信息")
    assert Ticket.objects.get(pk=ticket.pk).first_reply_at is None


def test_every_change_writes_history_with_old_and_new(desk):
    ticket = desk.assigned()
    services.ticket_update(ticket=ticket, by=desk.supervisor, data={"title": "新标题", "priority": "high"})
    rows = {r.field: (r.old_value, r.new_value, r.actor_id) for r in TicketHistory.objects.filter(action="update")}
    assert rows["title"] == ("打印机无法打印", "新标题", desk.supervisor.pk)
    assert rows["priority"] == ("normal", "high", desk.supervisor.pk)


@pytest.mark.parametrize(
    ("who", "action"),
    [
        ("other_agent", "accept"),
        ("supervisor", "accept"),
        ("requester", "accept"),
        ("other_agent", "start"),
        ("supervisor", "start"),
        ("supervisor", "reject"),
    ],
)
def test_only_the_assignee_accepts_rejects_starts(desk, who, action):
    ticket = desk.assigned()
    before = snapshot(ticket)
    actor = getattr(desk, who)
    with pytest.raises(DomainError) as refused:
        if action == "accept":
            services.ticket_accept(ticket=ticket, by=actor)
        elif action == "reject":
            services.ticket_reject(ticket=ticket, by=actor, reason="忙")
        else:
            services.ticket_transition(ticket=ticket, to=S.IN_PROGRESS, by=actor)
    assert refused.value.code is ErrorCode.INSUFFICIENT_PERMISSIONS
    assert snapshot(ticket) == before


def test_reject_returns_ticket_to_the_queue(desk):
    ticket = services.ticket_reject(
        ticket=desk.assigned(), by=desk.agent, reason="工作量过大", suggest_assignee_id=desk.other_agent.pk
    )
    assert (ticket.status, ticket.assigned_to_id) == (S.NEW, None)
    assert "工作量过大" in TicketHistory.objects.filter(action="reject").first().note


@pytest.mark.parametrize(
    ("who", "status", "rating"),
    [
        ("agent", S.RESOLVED, 5),
        ("supervisor", S.RESOLVED, 4),
        ("requester", S.IN_PROGRESS, 5),
    ],
)
def test_rating_is_the_requesters_on_resolved_tickets(desk, who, status, rating):
    ticket = desk.resolved() if status == S.RESOLVED else desk.in_progress()
    before = snapshot(ticket)
    with pytest.raises(DomainError):
        services.ticket_rate(ticket=ticket, by=getattr(desk, who), rating=rating)
    assert snapshot(ticket) == before


@pytest.mark.parametrize("rating", [0, 6])
def test_rating_must_be_1_to_5(desk, rating):
    ticket = desk.resolved()
    with pytest.raises(DomainError) as refused:
        services.ticket_rate(ticket=ticket, by=desk.requester, rating=rating)
    assert refused.value.code is ErrorCode.VALIDATION_FAILED


def test_escalate_raises_priority_and_reassigns(desk):
    ticket = services.ticket_escalate(ticket=desk.assigned(), by=desk.agent, reason="VIP", escalate_to=desk.supervisor)
    assert ticket.priority == "urgent" and ticket.is_escalated
    assert ticket.assigned_to == desk.supervisor


def test_transfer_reports_previous_assignee(desk):
    ticket, previous = services.ticket_transfer(ticket=desk.in_progress(), by=desk.agent, assignee=desk.other_agent)
    assert previous == desk.agent.pk
    assert ticket.status == S.ASSIGNED and ticket.assigned_to == desk.other_agent


def test_soft_delete_hides_the_ticket_and_restore_brings_it_back(desk):
    ticket = desk.ticket()
    services.ticket_delete(ticket=ticket, by=desk.supervisor)
    assert not Ticket.objects.filter(pk=ticket.pk).exists()
    assert Ticket.all_objects.get(pk=ticket.pk).is_deleted
    services.ticket_restore(ticket=ticket, by=desk.admin)
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_bulk_assign_isolates_failures(desk):
    good = desk.ticket()
    closed = desk.resolved()
    services.ticket_transition(ticket=closed, to=S.CLOSED, by=desk.requester)
    from tickets.selectors import tickets_for

    done, failed = services.tickets_bulk_assign(
        visible=tickets_for(desk.supervisor),
        by=desk.supervisor,
        ticket_ids=[good.pk, closed.pk, 999999],
        assignee=desk.agent,
    )
    assert done == [good.pk]
    assert {f["id"]: f["error_code"] for f in failed} == {
        closed.pk: "INVALID_STATUS_TRANSITION",
        999999: "TICKET_NOT_FOUND",
    }
    assert Ticket.objects.get(pk=good.pk).assigned_to == desk.agent
    assert Ticket.objects.get(pk=closed.pk).status == S.CLOSED


def test_allowed_actions_follow_state_and_relation(desk):
    ticket = desk.assigned()
    assert allowed_actions(ticket, desk.agent)[:3] == ["accept", "reject", "start"]
    assert "start" not in allowed_actions(ticket, desk.supervisor)
    assert "assign" in allowed_actions(ticket, desk.supervisor)
    assert allowed_actions(ticket, desk.requester) == ["cancel"]
    resolved = desk.resolved()
    assert {"reopen", "close", "rate"} <= set(allowed_actions(resolved, desk.requester))


def test_number_format():
    assert re.fullmatch(r"T\d{8}\d{4,}", "T202501010001")
