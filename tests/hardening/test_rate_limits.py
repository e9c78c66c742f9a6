"""Rate limits that hold under parallel requests on every sign-in path (issue 15, points 3–4).

The counters are atomic (``portal.ratelimit``); the limits live in the config registry
(``system.login.rate_*``); DRF's default throttles apply the ``user``/``anon`` rates. A refusal
is a 429 in the contract's envelope with ``Retry-After``. The PostgreSQL + Redis cases run
50 real parallel requests (threads, each with its own database connection).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection
from rest_framework.test import APIClient

from accounts import auth_services as auth
from accounts.models import LoginLog, LoginSession, User
from portal import ratelimit
from portal.api.throttling import AnonRateThrottle, UserRateThrottle
from portal.config import set_config
from portal.errors import DomainError, ErrorCode
from tests.accounts.helpers import ON_POSTGRES, TEST_PASSWORD, desk_login, v1_login
from tests.conftest import require_service


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


def assert_429(response, contract: str):
    assert response.status_code == 429, (response.status_code, response.content[:200])
    assert int(response["Retry-After"]) >= 1
    body = response.json()
    if contract == "v1":
        assert body["code"] == 429 and body["message"]
    else:
        assert body["success"] is False and body["error_code"] == "RATE_LIMIT_EXCEEDED"


def test_the_counter_is_exact_under_50_threads():
    # given a limit of 5 in a window
    results = _parallel(50, lambda i: ratelimit.hit("t", "k", limit=5, window=60).allowed)
    # then exactly 5 of 50 parallel hits are allowed
    assert results.count(True) == 5


@pytest.mark.django_db
class TestSignInLimits:
    @pytest.fixture(autouse=True)
    def low_limits(self):
        set_config("system.login.rate_per_ip", 3)
        set_config("system.login.rate_per_account", 4)

    def test_v1_and_desk_login_share_the_per_address_limit(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        client = api()
        assert v1_login(client, user, password="wrong").status_code == 401
        assert desk_login(client, user, password="wrong").status_code == 401
        assert v1_login(client, user).status_code == 200
        # the fourth sign-in call from this address is refused, right password or not
        assert_429(desk_login(client, user), "desk")
        assert_429(v1_login(client, user), "v1")
        assert LoginSession.objects.filter(user=user).count() == 1  # nothing opened by the refusals

    @pytest.mark.parametrize(
        "call",
        [
            lambda c: c.post("/api/v1/auth/refresh", {"refresh_token": "x"}, format="json"),
            lambda c: c.post("/api/auth/refresh", {"refresh_token": "x"}, format="json"),
            lambda c: c.post("/api/v1/auth/mfa/verify", {"mfa_token": "x", "code": "123456"}, format="json"),
        ],
    )
    def test_refresh_and_two_factor_calls_are_limited_too(self, api, call):
        client = api()
        statuses = [call(client).status_code for _ in range(4)]
        assert 429 not in statuses[:3] and statuses[3] == 429

    def test_password_spraying_across_accounts_is_limited_per_address(self, tenant_a, make_user, api):
        users = [make_user(tenant_a) for _ in range(5)]
        statuses = [v1_login(api(), user, password="Spring2026!").status_code for user in users]
        assert statuses[:3] == [401, 401, 401] and statuses[3:] == [429, 429]
        assert LoginLog.objects.count() == 3  # the refused calls never reached the password check

    def test_one_account_from_many_addresses_is_limited_per_account(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        statuses = [v1_login(api(REMOTE_ADDR=f"10.0.0.{n}"), user, password="wrong").status_code for n in range(1, 7)]
        # 4 attempts per account name; (the lockout, 5 failures, is not reached)
        assert statuses[:4] == [401] * 4 and statuses[4:] == [429, 429]
        response = v1_login(api(REMOTE_ADDR="10.0.1.1"), user)
        assert_429(response, "v1")
        user.refresh_from_db()
        assert user.locked_until is None

    def test_portal_login_form_is_limited(self, tenant_a, make_user, client):
        user = make_user(tenant_a)
        form = {"tenant_code": tenant_a.code, "username": user.username, "password": "wrong"}
        statuses = [client.post("/accounts/login/", form).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        refused = client.post("/accounts/login/", {**form, "password": TEST_PASSWORD})
        assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
        assert "_auth_user_id" not in client.session
        assert LoginLog.objects.filter(user=user).count() == 3  # refused before the password check

    def test_admin_login_goes_through_the_limited_portal_login(self, client):
        response = client.get("/admin/login/?next=/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

    def test_limits_are_settings_of_the_registry(self):
        from portal.config import REGISTRY

        for key in ("system.login.rate_per_ip", "system.login.rate_per_account", "system.login.rate_window_seconds"):
            assert REGISTRY[key].tenant_overridable is False


@pytest.mark.django_db
def test_default_throttles_apply_the_user_and_anon_rates(tenant_a, make_user, api, monkeypatch):
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "portal.api.throttling.AnonRateThrottle",
        "portal.api.throttling.UserRateThrottle",
    ]
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "2/min"})
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "2/min"})
    user = make_user(tenant_a)
    client = api(user)
    statuses = [client.get("/api/v1/auth/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert_429(client.get("/api/auth/me"), "desk")
    # anonymous callers of a public operation are counted per address
    anonymous = [api().get("/api/v1/schema/").status_code for _ in range(3)]
    assert anonymous == [200, 200, 429]


# --- PostgreSQL + Redis, real parallel requests ------------------------------------------------


@pytest.fixture
def postgres_and_redis():
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    require_service(
        ON_POSTGRES and connection.vendor == "postgresql" and isinstance(caches["default"], RedisCache),
        "needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…)",
    )


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_50_parallel_logins_from_one_address_are_limited(postgres_and_redis, tenant_a, make_user):
    # given the default limit per address (30 per window) and 50 accounts
    limit = 30
    users = [make_user(tenant_a, username=f"spray{n}") for n in range(50)]

    # when 50 sign-ins arrive at once from one address (a password-spraying burst)
    def login(i):
        client = APIClient(REMOTE_ADDR="203.0.113.9")
        path = "/api/v1/auth/login" if i % 2 else "/api/auth/login"
        if i % 2:
            body = {"tenant_code": tenant_a.code, "username": users[i].username, "password": "Winter2026!"}
        else:
            body = {"email": users[i].email, "password": "Winter2026!"}
        return client.post(path, body, format="json").status_code

    statuses = _parallel(50, login)

    # then exactly the limit got through to the password check; the rest are 429
    assert statuses.count(429) == 50 - limit, statuses
    assert statuses.count(401) == limit
    assert LoginLog.objects.count() == limit


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_parallel_correct_passwords_are_never_told_locked(postgres_and_redis, tenant_a, make_user):
    # given max_attempts = 5 and 10 parallel sign-ins with the right password
    set_config("system.login.max_attempts", 5)
    user = make_user(tenant_a)
    info = auth.ClientInfo(ip_address="10.0.0.1")

    def attempt(i):
        try:
            auth.authenticate_password(
                tenant_code=tenant_a.code, username=user.username, password=TEST_PASSWORD, info=info
            )
            return "ok"
        except DomainError as exc:
            return exc.code.name

    results = _parallel(10, attempt)

    # then every one succeeds; none is told the account is locked
    assert results == ["ok"] * 10, results
    user.refresh_from_db()
    assert user.locked_until is None and user.failed_login_count == 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_parallel_correct_passwords_through_the_api(postgres_and_redis, tenant_a, make_user):
    set_config("system.login.max_attempts", 5)
    user = make_user(tenant_a)
    statuses = _parallel(10, lambda i: v1_login(APIClient(), user).status_code)
    assert statuses == [200] * 10, statuses
    assert not User.objects.get(pk=user.pk).locked_until
    assert ErrorCode.ACCOUNT_LOCKED.name  # (the refusal that used to answer 5 of 10)
