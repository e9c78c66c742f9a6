"""The hourly cleanup job: removes only what has expired (tokens, old sessions, trusted devices,
reset links), keeps everything still usable or within retention, and running it again (or
twice at once) changes nothing more."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import LoginLog, LoginSession, PasswordResetToken, TrustedDevice
from accounts.services import cleanup_expired_credentials
from tests.conftest import require_service


def seed(user):
    now = timezone.now()

    def token(delta):
        return OutstandingToken.objects.create(
            user=user, jti=uuid.uuid4().hex, token="x", created_at=now - timedelta(days=40), expires_at=now + delta
        )

    expired_token = token(timedelta(hours=-1))
    BlacklistedToken.objects.create(token=expired_token)
    live_token = token(timedelta(hours=1))

    def session(**fields):
        fields.setdefault("expires_at", now + timedelta(hours=1))
        return LoginSession.objects.create(user=user, tenant=user.tenant, key=uuid.uuid4().hex, login_method="password",
                                           **fields)  # fmt: skip

    old_ended = session(ended_at=now - timedelta(days=31))
    LoginLog.objects.create(username=user.username, session=old_ended, result="success")
    keep = [
        live_token,
        session(),  # active
        session(ended_at=now - timedelta(days=2)),  # ended recently: still shown
        session(expires_at=now - timedelta(days=2)),  # expired recently
    ]
    gone = [expired_token, old_ended, session(expires_at=now - timedelta(days=31))]

    def device(delta):
        return TrustedDevice.objects.create(user=user, tenant=user.tenant, token_hash=uuid.uuid4().hex,
                                            expires_at=now + delta)  # fmt: skip

    def reset(delta):
        return PasswordResetToken.objects.create(user=user, token_hash=uuid.uuid4().hex, expires_at=now + delta)

    keep += [device(timedelta(days=1)), reset(timedelta(minutes=10))]
    gone += [device(timedelta(seconds=-1)), reset(timedelta(minutes=-1))]
    return keep, gone


def exists(row):
    return type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.django_db
def test_removes_only_expired_rows_and_is_idempotent(tenant_a, make_user):
    # given usable and expired credentials
    keep, gone = seed(make_user(tenant_a, "user"))
    # when the job runs
    counts = cleanup_expired_credentials()
    # then only the expired ones are gone, with their blacklist rows; the login log stays
    assert counts == {"tokens": 1, "sessions": 2, "trusted_devices": 1, "password_reset_tokens": 1}
    assert all(exists(row) for row in keep)
    assert not any(exists(row) for row in gone)
    assert BlacklistedToken.objects.count() == 0
    assert LoginLog.objects.get().session_id is None
    # and a second run finds nothing more
    assert cleanup_expired_credentials() == {"tokens": 0, "sessions": 0, "trusted_devices": 0,
                                             "password_reset_tokens": 0}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_are_safe(tenant_a, make_user):
    # SQLite's in-memory test database locks whole tables: a real race needs PostgreSQL.
    require_service(connection.vendor == "postgresql", "the concurrent run needs PostgreSQL (DATABASE_URL)")
    keep, gone = seed(make_user(tenant_a, "user"))
    results, errors = [], []

    def run():
        try:
            results.append(cleanup_expired_credentials())
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert all(exists(row) for row in keep)
    assert not any(exists(row) for row in gone)


@pytest.mark.django_db
def test_scheduled_hourly_with_expiry_below_the_interval():
    task = PeriodicTask.objects.get(task="accounts.cleanup_expired_credentials")
    assert task.enabled and task.interval.every == 1 and task.interval.period == "hours"
    assert 0 < task.expire_seconds < 3600
