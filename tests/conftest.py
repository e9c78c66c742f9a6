from __future__ import annotations

import os

import pytest
from rest_framework.test import APIClient

from tests.factories import TenantFactory, UserFactory

# CI runs the suite twice: on PostgreSQL + Redis, where every test that needs a service must run,
# then in embedded mode, where .ci/run sets OPSPORTAL_SERVICES_OPTIONAL=1 because those tests
# have just run (and had to pass) in the first pass.
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"} and not os.environ.get("OPSPORTAL_SERVICES_OPTIONAL")


def require_service(available: bool, reason: str) -> None:
    """Skip a test whose service is missing locally; in CI a missing service is a failure."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


def bearer_for(user) -> str:
    """An access token for ``user``, as the login endpoints issue it: a real login session is
    opened through the identity service, so logout/deactivation checks apply to it."""
    from accounts.auth_services import tokens_for_user

    return tokens_for_user(user)["access_token"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters, captchas and two-factor challenges live in the cache: start each
    test with an empty one so tests cannot leak state into each other."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]  # the backend itself: ``django.core.cache.cache`` is a proxy

    if isinstance(cache, RedisCache):
        # Only our own keys: FLUSHDB would also wipe the channel layer's groups and the Celery
        # queue that share the Redis database (servers and workers run beside some tests).
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.make_key('')}*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
    yield


@pytest.fixture
def tenant_a(db):
    return TenantFactory(code="tenant_a", name="甲公司")


@pytest.fixture
def tenant_b(db):
    return TenantFactory(code="tenant_b", name="乙公司")


@pytest.fixture
def make_user(db):
    def make(tenant, *roles: str, **fields):
        return UserFactory(tenant=tenant, roles=list(roles) or ["user"], **fields)

    return make


@pytest.fixture
def api():
    """Returns an API client; ``api(user)`` is one authenticated with ``user``'s bearer token."""

    def client(user=None, **headers):
        c = APIClient(**headers)
        if user is not None:
            c.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_for(user)}")
        return c

    return client


@pytest.fixture
def shipped_rows(transactional_db):
    """Transactional tests flush the database between tests, data-migrated rows included: load
    the permission catalogue and the shipped beat schedules again (both idempotent).
    ``serialized_rollback`` would reload them too, but its fixed primary keys collide with the
    content types an earlier flush re-created under other ids when tests run on two workers."""
    from importlib import import_module

    from django.apps import apps

    from accounts.models import Permission
    from accounts.permission_catalog import sync_permissions

    sync_permissions(Permission)
    import_module("portal.system.migrations.0004_task_runs_alerts_schedules").create(apps, None)


@pytest.fixture
def eager_celery():
    """Run tasks in-process whatever REDIS_URL says (the PostgreSQL+Redis CI run has no worker)."""
    from portal.celery import app as celery_app

    old = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = True, True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = old


def pytest_sessionfinish(session, exitstatus):
    """A live server whose test failed before its tearDownClass (a timeout during start-up) is a
    forked child the interpreter would wait for at exit, forever: end such children here."""
    import multiprocessing

    for child in multiprocessing.active_children():
        child.terminate()
        child.join(5)
        if child.is_alive():
            child.kill()
