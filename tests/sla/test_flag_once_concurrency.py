"""The "flag once" primitive under real concurrency: the scheduled task, a duplicated delivery and
the sweep may flag the same breach at the same moment; exactly one of them may act on it.

Runs on PostgreSQL (as in CI and production); SQLite serialises writes, which would hide a race."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from portal.sla.models import SLAEvent
from portal.sla.services import sla_event_flag_once
from tests.sla.helpers import utc


@pytest.mark.django_db(transaction=True)
def test_eight_racing_flaggers_create_exactly_one_event(tenant_a, a_ticket):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with concurrent writers (PostgreSQL)")
    # given eight workers that flag the same breach at once
    barrier = threading.Barrier(8)
    results = []

    def flag():
        try:
            barrier.wait()
            _, created = sla_event_flag_once(
                tenant=tenant_a.pk,
                ticket_id=a_ticket.pk,
                target="resolution",
                kind="breach",
                due_at=utc(2026, 11, 23, 6, 30),
            )
            results.append(created)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=flag) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then exactly one of them created the event, the others saw it
    assert sorted(results) == [False] * 7 + [True]
    assert SLAEvent.objects.filter(ticket_id=a_ticket.pk).count() == 1
