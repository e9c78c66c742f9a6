"""A breach flagged by a real Celery worker within 5 s of its deadline (production mode:
PostgreSQL + Redis, the ticket's eta task scheduled on commit). Skipped locally without those
services, a failure in CI (``require_service``)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from portal.celery import app as celery_app
from portal.notifications.models import Notification
from portal.sla.services import policy_create
from tests.conftest import require_service
from tests.portal.test_run_modes import (
    PYTHON,
    _clean_env,
    _database_url_of_test_database,
    _redis_answers,
    _tail,
)
from tests.portal.test_run_modes import processes as processes
from tickets import services
from tickets.models import Ticket

PRIORITIES = ("low", "normal", "high", "urgent", "critical")


@pytest.fixture(autouse=True)
def permission_catalogue(transactional_db):
    """Transactional tests flush the database, data-migrated permission rows included: load the
    catalogue again before the tenant and its built-in roles are created."""
    from accounts.models import Permission
    from accounts.permission_catalog import sync_permissions

    sync_permissions(Permission)


@pytest.mark.integration
def test_a_worker_flags_a_breach_within_five_seconds_of_its_deadline(
    transactional_db, tenant_a, make_user, tmp_path, processes, monkeypatch
):
    require_service(bool(settings.REDIS_URL), "REDIS_URL is not set (production mode needs Redis)")
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    require_service(_redis_answers(settings.REDIS_URL), f"Redis at {settings.REDIS_URL} does not answer")
    # Given a worker on the test database, listening on this test's own queue
    queue = f"opsportal-sla-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    env = _clean_env(
        DATABASE_URL=_database_url_of_test_database(),
        REDIS_URL=settings.REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="false",
        EMBEDDED_BEAT="false",
        OPSPORTAL_VAR_DIR=str(tmp_path / "var"),
    )
    _, worker_log = processes.start(
        "worker",
        [
            *(PYTHON, "-m", "celery", "-A", "portal", "worker", "-P", "solo", "-Q", queue, "-n", f"{queue}@%h"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"),
        ],
        env,
    )
    deadline = time.monotonic() + 30
    while "ready." not in worker_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "ready." in worker_log.read_text(), _tail(worker_log)
    # And an agent, and a policy whose response target is a few seconds long: the ticket is
    # created 57 s "ago" so its 1-minute response deadline is ~3 s away
    agent = make_user(tenant_a, "agent", username="live_agent")
    requester = make_user(tenant_a, "user", username="live_req")
    policy_create(tenant=tenant_a, name="秒级", targets=dict.fromkeys(PRIORITIES, (1, 600)), is_default=True)
    ticket = services.ticket_create(tenant=tenant_a, by=requester, data={"title": "立即响应"})
    Ticket.objects.filter(pk=ticket.pk).update(created_at=timezone.now() - timedelta(seconds=57))
    ticket = services.ticket_assign(ticket=ticket, by=make_user(tenant_a, "supervisor"), assignee=agent)
    ticket.refresh_from_db()
    due = ticket.sla_response_due_at
    assert 0 < (due - timezone.now()).total_seconds() < 5
    # When the deadline passes; then within 5 s the ticket is breached and the agent notified
    flagged_at = None
    while timezone.now() < due + timedelta(seconds=5):
        breached = Ticket.objects.filter(pk=ticket.pk, sla_breached=True).exists()
        notified = Notification.objects.filter(recipient=agent, type="sla_breached", ticket_id=ticket.pk).exists()
        if breached and notified:
            flagged_at = timezone.now()
            break
        time.sleep(0.2)
    assert flagged_at is not None, _tail(worker_log)
    assert flagged_at - due < timedelta(seconds=5)
