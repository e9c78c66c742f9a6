"""``tickets_assign_all``: many assignments in one call give each ticket exactly what
``ticket_assign`` gives one, cost a number of queries that does not grow with the tickets, and
are all or nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.errors import DomainError
from portal.notifications.models import Delivery, Notification
from tickets import rollups, services
from tickets.models import Ticket, TicketHistory

pytestmark = pytest.mark.django_db

SLA_AND_STATE = (
    "status",
    "assigned_to_id",
    "accepted_at",
    "sla_due_date",
    "sla_response_due_at",
    "sla_breached",
    "is_overdue",
    "priority_rank",
)


def _history(ticket):
    return sorted(
        (h.actor_id, h.action, h.field, h.old_value, h.new_value is not None, h.note)
        for h in TicketHistory.objects.filter(ticket=ticket).exclude(action="create")
    )


def _notices(ticket):
    return sorted(
        (n.recipient_id, n.type, n.title, n.message.replace(ticket.number, "#").replace(ticket.title, "…"))
        for n in Notification.objects.filter(ticket_id=ticket.pk)
    )


def test_each_ticket_gets_what_ticket_assign_gives_one(desk, captured_events, django_capture_on_commit_callbacks):
    one = [desk.ticket(title=f"一个一个 {n}", category=desk.category, priority="high") for n in range(3)]
    many = [desk.ticket(title=f"一起 {n}", category=desk.category, priority="high") for n in range(3)]
    assignees = [desk.agent, desk.other_agent, desk.agent]
    with django_capture_on_commit_callbacks(execute=True):
        for ticket, assignee in zip(one, assignees, strict=True):
            services.ticket_assign(ticket=ticket, by=desk.supervisor, assignee=assignee, note="派单")
    singles = len(captured_events)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.tickets_assign_all(
            by=desk.supervisor, assignments=[(t, a, "派单") for t, a in zip(many, assignees, strict=True)]
        )
    assert [t.pk for t in done] == [t.pk for t in many]
    for a, b in zip(one, many, strict=True):
        a, b = Ticket.objects.get(pk=a.pk), Ticket.objects.get(pk=b.pk)
        assert b.status == "assigned" and b.assigned_at is not None
        # the SLA clocks were refreshed (same category and priority, created moments apart)
        assert b.sla_due_date is not None and abs((b.sla_due_date - a.sla_due_date).total_seconds()) < 60
        assert [getattr(a, f) for f in SLA_AND_STATE if "due" not in f] == [
            getattr(b, f) for f in SLA_AND_STATE if "due" not in f
        ]
        assert _history(a) == _history(b)
        assert _notices(a) == _notices(b) and _notices(b)
        assert Delivery.objects.filter(notification__ticket_id=b.pk).count() == 1
    # one live event per ticket, after commit, telling who had it before
    batch_events = captured_events[singles:]
    assert [(e["event"], e["ticket_id"], e["assigned_to_id"], e["previous_assigned_to_id"]) for e in batch_events] == [
        ("assigned", t.pk, a.pk, None) for t, a in zip(many, assignees, strict=True)
    ]
    # the roll-ups moved as for single assignments
    assert rollups.stored([desk.tenant.pk]) == rollups.recompute([desk.tenant.pk])


def test_queries_do_not_grow_with_the_tickets(desk):
    def cost(n):
        tickets = [desk.ticket(title=f"工单 {n}-{k}", category=desk.category) for k in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            services.tickets_assign_all(by=desk.supervisor, assignments=[(t, desk.agent, "") for t in tickets])
        assert Ticket.objects.filter(pk__in=[t.pk for t in tickets], assigned_to=desk.agent).count() == n
        return len(ctx.captured_queries)

    cost(1)  # warm: the actor's permissions are cached after their first use
    assert cost(2) == cost(12)


def test_one_refusal_refuses_all_and_changes_nothing(desk):
    good = desk.ticket(title="可以派")
    cancelled = services.ticket_transition(ticket=desk.ticket(title="已取消"), to="cancelled", by=desk.supervisor)
    before = (TicketHistory.objects.count(), Notification.objects.count(), rollups.stored([desk.tenant.pk]))
    with pytest.raises(DomainError) as refused:
        services.tickets_assign_all(
            by=desk.supervisor, assignments=[(good, desk.agent, ""), (cancelled, desk.agent, "")]
        )
    assert refused.value.code.name == "INVALID_STATUS_TRANSITION"
    assert Ticket.objects.get(pk=good.pk).assigned_to_id is None
    assert Ticket.objects.get(pk=good.pk).status == "new"
    assert (TicketHistory.objects.count(), Notification.objects.count(), rollups.stored([desk.tenant.pk])) == before


def test_the_actor_needs_the_permission_and_relation_for_each_ticket(desk):
    mine = desk.ticket(title="没人处理")
    theirs = desk.assigned(to=desk.other_agent, title="别人的")
    with pytest.raises(DomainError) as refused:  # an agent may assign unassigned tickets or their own only
        services.tickets_assign_all(by=desk.agent, assignments=[(mine, desk.agent, ""), (theirs, desk.agent, "")])
    assert refused.value.code.name == "INSUFFICIENT_PERMISSIONS"
    assert Ticket.objects.get(pk=mine.pk).assigned_to_id is None
    assert Ticket.objects.get(pk=theirs.pk).assigned_to_id == desk.other_agent.pk
    with pytest.raises(DomainError) as refused:  # a requester may not assign at all
        services.tickets_assign_all(by=desk.requester, assignments=[(mine, desk.agent, "")])
    assert refused.value.code.name == "INSUFFICIENT_PERMISSIONS"
    assert Ticket.objects.get(pk=mine.pk).assigned_to_id is None


def test_a_ticket_listed_twice_or_of_another_tenant_is_refused(desk, other_desk):
    ticket = desk.ticket(title="重复")
    with pytest.raises(DomainError) as refused:
        services.tickets_assign_all(
            by=desk.supervisor, assignments=[(ticket, desk.agent, ""), (ticket, desk.agent, "")]
        )
    assert refused.value.code.name == "VALIDATION_FAILED"
    foreign = other_desk.ticket(title="别的租户")
    with pytest.raises(DomainError) as refused:  # another tenant's ticket: not found for this actor
        services.tickets_assign_all(
            by=desk.supervisor, assignments=[(ticket, desk.agent, ""), (foreign, desk.agent, "")]
        )
    assert refused.value.code.name == "TICKET_NOT_FOUND"
    with pytest.raises(DomainError) as refused:  # nor can a ticket go to another tenant's user
        services.ticket_assign(ticket=ticket, by=desk.supervisor, assignee=other_desk.agent)
    assert refused.value.code.name == "USER_NOT_FOUND"
    assert Ticket.objects.get(pk=foreign.pk).assigned_to_id is None
    assert Ticket.objects.get(pk=ticket.pk).assigned_to_id is None


def test_roll_ups_written_in_chunks_still_add_up(desk, make_user, monkeypatch):
    monkeypatch.setattr(rollups, "UPSERT_CHUNK", 2)  # SQLite caps the parameters of one statement
    agents = [make_user(desk.tenant, "agent", username=f"chunk{k}") for k in range(5)]
    tickets = [desk.ticket(title=f"分块 {k}", priority=("low", "high")[k % 2]) for k in range(5)]
    services.tickets_assign_all(
        by=desk.supervisor, assignments=[(t, a, "") for t, a in zip(tickets, agents, strict=True)]
    )
    assert rollups.stored([desk.tenant.pk]) == rollups.recompute([desk.tenant.pk])
