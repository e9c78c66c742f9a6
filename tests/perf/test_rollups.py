"""The ticket roll-ups equal a full recomputation after a random history of changes, and the
figures read from them equal the figures aggregated over the tickets, for every role."""

from __future__ import annotations

import contextlib
import random
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.errors import DomainError
from tests.tickets.conftest import _cast
from tickets import rollups, selectors, services
from tickets.choices import TicketPriority, TicketStatus
from tickets.models import Ticket, TicketStateCount
from tickets.policy import TRANSITIONS

AVERAGES = ("avg_response_time", "avg_resolve_time", "satisfaction_rate")
OPERATIONS = (
    *("create", "create", "assign", "transfer", "move", "move", "move", "escalate", "update"),
    *("delete", "restore", "comment", "rate", "breach"),
)


@pytest.fixture
def desks(tenant_a, tenant_b, make_user):
    return _cast(tenant_a, make_user, "a_"), _cast(tenant_b, make_user, "b_")


def _random_history(desk, rng: random.Random, steps: int) -> None:
    sub = services.category_create(tenant=desk.tenant, by=desk.admin, data={"name": "打印", "parent": desk.category})
    plain = services.category_create(tenant=desk.tenant, by=desk.admin, data={"name": "网络"})
    categories = [None, desk.category, sub, plain]
    agents = [desk.agent, desk.other_agent]
    requesters = [desk.requester, desk.other_requester, desk.agent]
    start = timezone.now() - timedelta(days=40)
    for step in range(steps):
        moment = start + timedelta(days=step * 40 / steps, minutes=rng.randint(0, 600))
        with time_machine.travel(moment, tick=False):
            tickets = list(Ticket.all_objects.filter(tenant=desk.tenant))
            ticket = rng.choice(tickets) if tickets else None
            op = rng.choice(OPERATIONS)
            with contextlib.suppress(DomainError):  # a refused step changes nothing (atomic services)
                _step(desk, rng, op, ticket, categories, agents, requesters, moment)


def _step(desk, rng, op, ticket, categories, agents, requesters, moment):
    if op == "create" or ticket is None:
        data = {
            "title": f"随机 {rng.random():.4f}",
            "priority": rng.choice(TicketPriority.values),
            "category": rng.choice(categories),
            "due_date": moment + timedelta(hours=rng.choice([-30, 2, 24 * 60])) if rng.random() < 0.6 else None,
        }
        if rng.random() < 0.3:
            data["assigned_to"] = rng.choice(agents)
            services.ticket_create(tenant=desk.tenant, by=desk.supervisor, data=data)
        else:
            services.ticket_create(tenant=desk.tenant, by=rng.choice(requesters), data=data)
        return
    if op == "restore":
        if ticket.is_deleted:
            services.ticket_restore(ticket=ticket, by=desk.admin)
        return
    if ticket.is_deleted:
        return
    if op == "assign":
        services.ticket_assign(ticket=ticket, by=desk.supervisor, assignee=rng.choice(agents))
    elif op == "transfer":
        services.ticket_transfer(ticket=ticket, by=desk.supervisor, assignee=rng.choice(agents))
    elif op == "move":
        targets = sorted(TRANSITIONS[ticket.status])
        if targets:
            target = rng.choice(targets)
            actor = ticket.assigned_to if target in (TicketStatus.IN_PROGRESS, TicketStatus.PAUSED) else None
            if target == TicketStatus.IN_PROGRESS and ticket.status == TicketStatus.RESOLVED:
                actor = desk.supervisor
            services.ticket_transition(ticket=ticket, to=target, by=actor or desk.supervisor)
    elif op == "escalate":
        services.ticket_escalate(ticket=ticket, by=desk.supervisor, reason="升级", escalate_to=rng.choice(agents))
    elif op == "update":
        data = rng.choice(
            [
                {"priority": rng.choice(TicketPriority.values)},
                {"category": rng.choice(categories)},
                {"due_date": moment - timedelta(hours=1)},
                {"due_date": None},
            ]
        )
        services.ticket_update(ticket=ticket, by=desk.supervisor, data=data)
    elif op == "delete":
        services.ticket_delete(ticket=ticket, by=desk.admin)
    elif op == "comment":
        author = ticket.assigned_to or desk.other_agent
        services.comment_create(ticket=ticket, by=author, content="已处理", is_internal=rng.random() < 0.2)
    elif op == "rate":
        if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            services.ticket_rate(ticket=ticket, by=ticket.created_by, rating=rng.randint(1, 5))
    elif op == "breach":  # what the SLA check does when a deadline passes
        rollups.update_ticket(ticket.pk, sla_breached=True)


def _without_clock(figures: dict) -> dict:
    figures = dict(figures)
    figures.pop("generated_at")
    summary = dict(figures["summary"])
    averages = {key: summary.pop(key) for key in AVERAGES}
    figures["summary"] = summary
    trend_averages = [t["avg_response_time"] for t in figures["trends"]]
    figures["trends"] = [{k: v for k, v in t.items() if k != "avg_response_time"} for t in figures["trends"]]
    return figures, averages, trend_averages


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) <= 0.051  # both round to one decimal


@pytest.mark.parametrize("seed", [7, 2026])
def test_rollups_equal_a_full_recomputation_after_a_random_history(desks, seed):
    # Given a random history of changes in two tenants (create, assign, transfer, transitions,
    # escalation, field edits, soft delete and restore, replies, ratings, SLA breaches) over 40 days
    rng = random.Random(seed)
    for desk in desks:
        _random_history(desk, rng, 90)
    # Then the stored roll-ups equal a recomputation from the tickets
    assert rollups.stored() == rollups.recompute()
    assert Ticket.all_objects.filter(is_deleted=True).exists()  # the history did delete
    # And every role's desk figures equal the figures aggregated over the tickets it can see
    for desk in desks:
        for user in (desk.supervisor, desk.admin, desk.agent, desk.other_agent, desk.requester):
            assert selectors.desk_stats(user=user) == selectors.desk_stats_live(user=user), user.username
        # And the v1 statistics of a manager equal the live aggregation, for every range and grouping
        for time_range in selectors.TIME_RANGES:
            for group_by in (None, *selectors.GROUP_BY):
                fast = selectors.statistics_overview(user=desk.supervisor, time_range=time_range, group_by=group_by)
                live = selectors.statistics_overview_live(
                    user=desk.supervisor, time_range=time_range, group_by=group_by
                )
                fast, fast_avg, fast_trend = _without_clock(fast)
                live, live_avg, live_trend = _without_clock(live)
                assert fast == live, (time_range, group_by)
                assert all(_close(fast_avg[k], live_avg[k]) for k in AVERAGES), (fast_avg, live_avg)
                assert all(_close(a, b) for a, b in zip(fast_trend, live_trend, strict=True))


def test_rebuild_command_repairs_drifted_rollups(desks):
    # Given roll-ups that drifted from the tickets (a write that bypassed the services)
    desk = desks[0]
    desk.ticket()
    desk.assigned()
    row = TicketStateCount.objects.filter(tenant=desk.tenant).first()
    TicketStateCount.objects.filter(pk=row.pk).update(n=row.n + 5)
    # Then the check reports it, and the rebuild restores them
    with pytest.raises(CommandError):
        call_command("rebuild_ticket_rollups", "--check")
    call_command("rebuild_ticket_rollups", "--tenant", desk.tenant.code)
    call_command("rebuild_ticket_rollups", "--check")
    assert rollups.stored() == rollups.recompute()
    assert selectors.desk_stats(user=desk.supervisor)["total"] == 2
