"""Races measured on PostgreSQL (shared/NOTES.md). They skip locally without
DATABASE_URL=postgres…, and fail in CI if PostgreSQL is missing (``require_service``).

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsportal_identity \
     REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/pytest tests/accounts/test_races.py
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from accounts import auth_services as auth
from accounts.models import LoginLog, LoginSession
from portal.config import set_config
from portal.errors import DomainError, ErrorCode
from tests.accounts.helpers import ON_POSTGRES, enrol_totp, totp_now
from tests.conftest import require_service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    require_service(ON_POSTGRES and connection.vendor == "postgresql", "race tests need PostgreSQL (DATABASE_URL)")


def _parallel(n, func):
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait()
            return func(i)
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def _outcome(call):
    try:
        call()
        return "ok"
    except DomainError as exc:
        return exc.code.name


def test_lockout_holds_under_50_parallel_wrong_passwords(tenant_a, make_user):
    # given max_attempts = 5
    set_config("system.login.max_attempts", 5)
    user = make_user(tenant_a)
    info = auth.ClientInfo(ip_address="10.0.0.1")

    # when 50 wrong passwords arrive at once
    results = _parallel(
        50,
        lambda i: _outcome(
            lambda: auth.authenticate_password(
                tenant_code=tenant_a.code, username=user.username, password=f"wrong{i}", info=info
            )
        ),
    )

    # then exactly 5 were checked against the password; the other 45 were refused as locked
    assert results.count(ErrorCode.INVALID_CREDENTIALS.name) == 5, results
    assert results.count(ErrorCode.ACCOUNT_LOCKED.name) == 45
    user.refresh_from_db()
    assert user.locked_until is not None and user.failed_login_count == 5
    assert LoginLog.objects.filter(user=user).count() == 50
    # and the right password is refused too while locked
    with pytest.raises(DomainError) as exc:
        auth.authenticate_password(
            tenant_code=tenant_a.code, username=user.username, password="Test@Passw0rd!", info=info
        )
    assert exc.value.code is ErrorCode.ACCOUNT_LOCKED


def test_refresh_token_rotates_exactly_once_under_8_parallel_uses(tenant_a, make_user):
    user = make_user(tenant_a)
    session = auth.session_open(user=user, method="password", info=auth.ClientInfo())
    refresh = auth.tokens_for_session(session)["refresh_token"]

    results = _parallel(8, lambda i: _outcome(lambda: auth.refresh_rotate(raw=refresh)))

    assert results.count("ok") == 1, results
    assert results.count(ErrorCode.INVALID_TOKEN.name) == 7


def test_totp_code_is_accepted_once_when_raced(tenant_a, make_user):
    user = make_user(tenant_a)
    device = enrol_totp(user)
    code = totp_now(device)

    def attempt(i):
        try:
            return auth.totp_verify(user=user, code=code)
        except DomainError as exc:  # the replays count as failures and throttle the rest
            return exc.code.name

    results = _parallel(8, attempt)

    assert results.count(True) == 1, results
    assert set(results) - {True} <= {False, ErrorCode.OTP_THROTTLED.name}


def test_mfa_token_signs_in_once_when_raced(tenant_a, make_user):
    user = make_user(tenant_a)
    device = enrol_totp(user)
    info = auth.ClientInfo()
    token = auth.mfa_challenge_create(user=user, info=info)
    code = totp_now(device)

    results = _parallel(6, lambda i: _outcome(lambda: auth.mfa_challenge_verify(raw=token, code=code, info=info)))

    assert results.count("ok") == 1, results
    assert LoginSession.objects.filter(user=user).count() == 0  # verify alone opens nothing


def test_parallel_department_creates_keep_the_tree_valid(tenant_a, tenant_b):
    from accounts.models import Department
    from accounts.services import department_create

    root = department_create(tenant=tenant_a, code="root", name="总部")
    tenants = [tenant_a, tenant_b]

    def create(i):
        tenant = tenants[i % 2]
        parent = root if tenant == tenant_a and i % 4 else None
        return department_create(tenant=tenant, code=f"d{i}", name=f"部门{i:02d}", parent=parent).pk

    created = _parallel(12, create)

    assert len(set(created)) == 12
    before = list(Department.objects.order_by("id").values_list("id", "tree_id", "lft", "rght", "level", "parent_id"))
    Department._tree_manager.rebuild()  # recomputes every nested-set number from parent links
    after = list(Department.objects.order_by("id").values_list("id", "tree_id", "lft", "rght", "level", "parent_id"))
    assert sorted((r[2], r[3]) for r in before) == sorted((r[2], r[3]) for r in after)
    assert len({r[1] for r in before if r[5] is None}) == len([r for r in before if r[5] is None])


def test_reset_link_is_used_once_when_raced(tenant_a, make_user):
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import PasswordResetToken

    user = make_user(tenant_a)
    raw = secrets.token_urlsafe(32)
    PasswordResetToken.objects.create(
        user=user, token_hash=auth.token_hash(raw), expires_at=timezone.now() + timedelta(minutes=30)
    )

    results = _parallel(
        6, lambda i: _outcome(lambda: auth.password_reset_confirm(raw=raw, new_password=f"Raced-Pass{i}!"))
    )

    assert results.count("ok") == 1, results


def test_scheduled_status_changes_apply_once_when_two_jobs_overlap(tenant_a, make_user):
    from datetime import timedelta

    from django.utils import timezone

    from accounts import services
    from accounts.models import ScheduledStatusChange

    users = [make_user(tenant_a) for _ in range(6)]
    when = timezone.now() - timedelta(seconds=1)
    for user in users:
        ScheduledStatusChange.objects.create(tenant=tenant_a, user=user, status="inactive", effective_time=when)

    applied = _parallel(3, lambda i: services.apply_due_status_changes(batch=2))

    assert sum(applied) == 6, applied
    assert ScheduledStatusChange.objects.filter(applied_at__isnull=True).count() == 0


def test_recovery_code_signs_in_once_when_raced(tenant_a, make_user):
    """The desk one-step login with a recovery code, sent by 6 clients at once: one session."""
    user = make_user(tenant_a)
    enrol_totp(user)
    code = auth.recovery_codes_generate(user=user)[0]

    def attempt(i):
        return _outcome(lambda: auth.login_complete(user=user, info=auth.ClientInfo(), otp_code=code))

    results = _parallel(6, attempt)

    assert results.count("ok") == 1, results
    assert results.count(ErrorCode.INVALID_OTP.name) == 5
    assert LoginSession.objects.filter(user=user, login_method="password+recovery").count() == 1
