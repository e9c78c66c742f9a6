"""Ticket numbers under concurrent creation, on PostgreSQL (real row locks, real threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.conftest import require_service
from tickets import services
from tickets.models import Ticket


@pytest.mark.django_db(transaction=True)
def test_concurrent_creation_never_collides(tenant_a, make_user):
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL=postgres://…)")
    # given one requester and 8 threads each filing 5 tickets at once
    requester = make_user(tenant_a, "user")
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def file_tickets():
        try:
            barrier.wait()
            for n in range(5):
                services.ticket_create(tenant=tenant_a, by=requester, data={"title": f"并发 {n}"})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=file_tickets) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then every ticket exists with its own consecutive number
    assert errors == []
    numbers = sorted(Ticket.objects.filter(tenant=tenant_a).values_list("number", flat=True))
    assert len(numbers) == 40
    assert [int(n[-4:]) for n in numbers] == list(range(1, 41))
