"""Database connections are bounded by configuration, whatever the load: two real daphne
processes (production settings, PostgreSQL pool with ``DB_POOL_MAX_SIZE=3``) serve 200
authenticated API requests from 16 concurrent clients, and the test database never sees more
than 2 x 3 connections from them. Skipped locally without PostgreSQL, a failure in CI."""

from __future__ import annotations

import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import bearer_for, require_service
from tests.portal.test_run_modes import (
    PYTHON,
    _clean_env,
    _database_url_of_test_database,
    _free_port,
    _wait_http_ok,
)
from tests.portal.test_run_modes import processes as processes
from tickets import services

POOL_MAX = 3
SERVERS = 2
# Parallel query workers share the application_name; only client backends are pool connections.
CLIENT_CONNECTIONS_SQL = (
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND backend_type = 'client backend'"
)
APP_NAME = "opsportal-pool-test"


@pytest.fixture(autouse=True)
def permission_catalogue(transactional_db):
    from accounts.models import Permission
    from accounts.permission_catalog import sync_permissions

    sync_permissions(Permission)


def _server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(CLIENT_CONNECTIONS_SQL, [APP_NAME])
        return cursor.fetchone()[0]


@pytest.mark.integration
def test_two_servers_never_hold_more_connections_than_the_pool_allows(
    transactional_db, tenant_a, make_user, tmp_path, processes
):
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    # Given a supervisor with a few tickets, and two daphne processes on the test database
    supervisor = make_user(tenant_a, "supervisor", username="pool_sup")
    for n in range(5):
        services.ticket_create(tenant=tenant_a, by=supervisor, data={"title": f"连接池 {n}"})
    token = bearer_for(supervisor)
    env = _clean_env(
        DATABASE_URL=_database_url_of_test_database(),
        SECRET_KEY=settings.SECRET_KEY,
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        EMBEDDED_BEAT="false",
        DB_POOL_MIN_SIZE="1",
        DB_POOL_MAX_SIZE=str(POOL_MAX),
        DB_APPLICATION_NAME=APP_NAME,
        OPSPORTAL_VAR_DIR=str(tmp_path / "var"),
    )
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    ports = []
    for n in range(SERVERS):
        port = _free_port()
        args = [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "portal.asgi:application"]
        server, log = processes.start(f"daphne{n}", args, env)
        _wait_http_ok(f"http://127.0.0.1:{port}/healthz", server, log)
        ports.append(port)
    # When 16 clients send 200 authenticated requests (list, detail-free stats, me) across both
    peak = 0
    sampling = threading.Event()

    def sample():
        nonlocal peak
        try:
            while not sampling.is_set():
                peak = max(peak, _server_connections())
                time.sleep(0.02)
        finally:
            connection.close()  # this thread's own connection, or the test database cannot be dropped

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    paths = ["/api/tickets?limit=5", "/api/v1/tickets?size=5", "/api/tickets/stats", "/api/v1/auth/me"]

    def call(n: int) -> int:
        url = f"http://127.0.0.1:{ports[n % SERVERS]}{paths[n % len(paths)]}"
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status

    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(call, range(200)))
    finally:
        sampling.set()
        sampler.join()
    # Then every request succeeded, and the servers never held more than 2 x 3 connections
    assert statuses == [200] * 200
    assert 0 < peak <= SERVERS * POOL_MAX
    assert _server_connections() <= SERVERS * POOL_MAX
