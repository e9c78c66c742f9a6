"""Embedded mode: eager Celery tasks ignore ``eta``, so the server process times SLA checks with
a timer thread. The check must run at the deadline (not before, and within a second after)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tickets import sla

pytestmark = pytest.mark.django_db


@pytest.fixture
def embedded(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMBEDDED_BEAT = True


def test_embedded_server_checks_the_ticket_at_its_deadline(embedded, monkeypatch, django_capture_on_commit_callbacks):
    checked = threading.Event()
    checked_at = []

    def fake_check(*, ticket_id):
        checked_at.append((ticket_id, timezone.now()))
        checked.set()

    monkeypatch.setattr(sla, "check_ticket", fake_check)
    # Given a ticket whose next SLA event is 0.4 s away, saved in a transaction
    deadline = timezone.now() + timedelta(seconds=0.4)
    with django_capture_on_commit_callbacks(execute=True):
        sla.schedule_on_commit(42, deadline)
    # Then the check runs once the deadline has passed, well within the 5-second promise
    assert checked.wait(timeout=5), "the embedded timer never fired"
    ticket_id, when = checked_at[0]
    assert ticket_id == 42
    assert deadline <= when <= deadline + timedelta(seconds=1)


def test_nothing_is_timed_without_the_embedded_beat(settings, monkeypatch, django_capture_on_commit_callbacks):
    # Tests and management commands run eagerly without the embedded beat: no stray timers
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMBEDDED_BEAT = False
    calls = []
    monkeypatch.setattr(sla, "check_ticket", lambda **kw: calls.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        sla.schedule_on_commit(42, timezone.now() + timedelta(seconds=0.1))
    time.sleep(0.5)
    assert calls == []


def test_rolled_back_change_schedules_nothing(embedded, monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    monkeypatch.setattr(sla, "_start_timer", lambda *a: calls.append(a))
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        sla.schedule_on_commit(42, timezone.now() + timedelta(seconds=1))
        raise RuntimeError("the change fails")
    assert callbacks == [] and calls == []
