"""``portal.bulk.update_each``: each row gets its own values, on PostgreSQL (one UPDATE from
arrays) and elsewhere (Django's bulk_update), including NULLs, times and foreign keys."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.bulk import update_each
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _tickets(tenant, requester, n):
    return [
        Ticket.objects.create(tenant=tenant, number=f"BULK{k}", title=f"批量 {k}", created_by=requester)
        for k in range(n)
    ]


def test_each_row_gets_its_own_values(tenant_a, make_user):
    requester = make_user(tenant_a, "user", username="req")
    agents = [make_user(tenant_a, "agent", username=f"agent{k}") for k in range(2)]
    tickets = _tickets(tenant_a, requester, 4)
    other = Ticket.objects.create(tenant=tenant_a, number="UNTOUCHED", title="不动", created_by=requester)
    now = timezone.now().replace(microsecond=0)
    for k, ticket in enumerate(tickets):
        ticket.status = "assigned" if k % 2 else "cancelled"
        ticket.assigned_to = agents[k % 2] if k < 3 else None
        ticket.sla_due_date = now + timedelta(hours=k) if k else None
        ticket.sla_breached = bool(k % 2)
        ticket.title = f"改过 {k} 的 ‘标题’"
    with CaptureQueriesContext(connection) as ctx:
        update_each(tickets, ["status", "assigned_to", "sla_due_date", "sla_breached", "title"])
    assert len([q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]) == 1
    for k, ticket in enumerate(tickets):
        stored = Ticket.objects.get(pk=ticket.pk)
        assert stored.status == ("assigned" if k % 2 else "cancelled")
        assert stored.assigned_to_id == (agents[k % 2].pk if k < 3 else None)
        assert stored.sla_due_date == (now + timedelta(hours=k) if k else None)
        assert stored.sla_breached is bool(k % 2)
        assert stored.title == f"改过 {k} 的 ‘标题’"
    assert Ticket.objects.get(pk=other.pk).title == "不动"


def test_nothing_to_write_writes_nothing():
    with CaptureQueriesContext(connection) as ctx:
        update_each([], ["status"])
    assert ctx.captured_queries == []
