"""Exactly-once delivery under racing workers, on PostgreSQL (SQLite serialises writes and
would hide the race). Runs with DATABASE_URL=postgres://…; skipped locally without it,
a failure in CI (``require_service``)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from portal.notifications import services
from portal.notifications.models import Delivery
from tests.conftest import require_service


@pytest.mark.django_db(transaction=True)
def test_racing_workers_deliver_each_row_exactly_once(tenant_a, make_user, monkeypatch):
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL=postgres://…)")
    # given 5 notifications whose deliveries are all due (as after an outage)
    alice = make_user(tenant_a, "agent", username="alice")
    created = [
        services.notify(recipient=alice, type="ticket_assigned", title=f"工单 {i}", message="m") for i in range(5)
    ]
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    pushed, lock = [], threading.Lock()

    def slow_publish(group, event, data):
        time.sleep(0.2)  # the send takes a while: the window in which a second worker could sneak in
        with lock:
            pushed.append(data["id"])

    monkeypatch.setattr("portal.realtime.publish", slow_publish)
    barrier = threading.Barrier(8)
    errors = []

    def worker(kind):
        try:
            barrier.wait()
            if kind == "task":  # the on-commit task, redelivered to several workers
                for notification in created:
                    services.deliver_notification_now(notification.pk)
            else:  # the retry job, running twice at once
                services.retry_due_deliveries()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=("task" if i % 2 else "retry",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then every notification was pushed exactly once
    assert errors == []
    assert sorted(pushed) == sorted(n.pk for n in created)
    assert set(Delivery.objects.values_list("status", "attempts")) == {("sent", 1)}
