"""System status, metrics, alerts, /metrics access and database backups that restore."""

import os
import sqlite3
import subprocess

import pytest
from django.db import connection
from django.utils import timezone

from portal.system import backup, monitoring
from portal.system.ops_models import MonitorAlert

STATUS = "/api/v1/admin/system/status"


@pytest.fixture
def root_admin(django_user_model):
    """The platform super admin, created like ``createsuperuser`` does (page sessions work)."""
    return django_user_model.objects.create_superuser(email="root@ops.local", password="x-Passw0rd!", username="root")


@pytest.fixture(autouse=True)
def _fresh_metrics(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    monitoring.recorder.flush()
    monitoring.store().clear()


@pytest.mark.django_db
class TestStatus:
    def test_permission_matrix(self, api, root_admin, tenant_a, make_user):
        assert api().get(STATUS).status_code == 401
        assert api(make_user(tenant_a, "admin")).get(STATUS).status_code == 200  # the catalogue grants it
        assert api(make_user(tenant_a, "agent")).get(STATUS).status_code == 403
        r = api(root_admin).get(STATUS)
        assert r.status_code == 200
        data = r.json()["data"]
        services = {s["service_name"]: s for s in data["services"]}
        assert services["database"]["status"] == "healthy" and services["database"]["response_time"] >= 0
        assert set(services) == {"database", "redis", "celery_workers", "celery_beat"}
        assert 0 <= data["metrics"]["cpu_usage"] <= 100 and 0 < data["metrics"]["memory_usage"] <= 100
        assert len(data["metrics"]["load_average"]) == 3 and data["host_uptime"] > 0

    def test_failing_database_is_reported(self, api, root_admin, monkeypatch):
        client = api(root_admin)

        class Broken:
            vendor = "postgresql"

            def cursor(self):
                raise RuntimeError("connection refused")

        monkeypatch.setattr(monitoring, "connection", Broken())
        data = client.get(STATUS).json()["data"]
        database = next(s for s in data["services"] if s["service_name"] == "database")
        assert database["status"] == "unhealthy" and "connection refused" in database["error"]
        assert data["system_health"] == "unhealthy"


HOST_FIELDS = ("cpu_usage", "memory_usage", "disk_usage", "load_average")


@pytest.mark.django_db
class TestWhatTenantAdminsSee:
    """Host internals and every tenant's figures are the platform operator's; a tenant admin
    gets the same operations with the service states and their own tenant's figures."""

    @pytest.fixture
    def scene(self, api, root_admin, tenant_a, tenant_b, make_user):
        admin_a, admin_b = make_user(tenant_a, "admin"), make_user(tenant_b, "admin")
        client_a, client_b = api(admin_a), api(admin_b)  # each opens a login session
        for _ in range(3):
            client_a.get("/api/v1/monitor/alerts")
        for _ in range(7):
            client_b.get("/api/v1/monitor/alerts")
        MonitorAlert.objects.create(metric="cpu_usage", level="critical", message="CPU usage is 97%", value=97,
                                    peak=97, threshold=90, raised_at=timezone.now())  # fmt: skip
        return client_a, api(root_admin)

    def test_status_hides_the_host_and_other_tenants_from_a_tenant_admin(self, scene):
        client_a, root = scene
        # When tenant A's admin reads the status
        r = client_a.get(STATUS)
        # Then it answers, with the service states and no host internal
        assert r.status_code == 200
        data = r.json()["data"]
        assert data["uptime"] is None and data["host_uptime"] is None
        assert all(data["metrics"][k] is None for k in HOST_FIELDS)
        assert {s["service_name"] for s in data["services"]} == {"database", "redis", "celery_workers", "celery_beat"}
        assert all(s["error"] is None and s["detail"] is None for s in data["services"])
        assert data["services"][0]["status"] == "healthy" and data["system_health"] in {"healthy", "degraded"}
        # And the platform's alert is not theirs; the users and requests counted are tenant A's
        assert data["alerts"] == []
        assert data["metrics"]["active_users"] == 1
        a_rate = data["metrics"]["api_requests_per_minute"]
        # While the platform admin sees the host, the alert and everyone's traffic
        full = root.get(STATUS).json()["data"]
        assert full["uptime"] > 0 and full["metrics"]["cpu_usage"] is not None and full["alerts"]
        assert full["metrics"]["active_users"] >= 3
        assert full["metrics"]["api_requests_per_minute"] > a_rate > 0

    def test_monitor_metrics_and_alerts(self, scene, api, tenant_a, make_user):
        client_a, root = scene
        body = client_a.get("/api/v1/monitor/metrics").json()["data"]
        assert set(body["system"].values()) == {None}
        assert body["database"]["vendor"] is None and body["database"]["status"] == "healthy"
        assert body["application"]["active_users"] == 1 and body["application"]["active_sessions"] == 1
        full = root.get("/api/v1/monitor/metrics").json()["data"]
        assert full["system"]["memory_usage"] > 0 and full["database"]["vendor"]
        assert full["application"]["api_qps"] > body["application"]["api_qps"] > 0
        # monitor:read of a supervisor is answered the same way
        supervisor = api(make_user(tenant_a, "supervisor")).get("/api/v1/monitor/metrics").json()["data"]
        assert supervisor["system"]["cpu_usage"] is None
        alerts = client_a.get("/api/v1/monitor/alerts").json()["data"]
        assert alerts["total"] == 0 and alerts["items"] == []
        assert root.get("/api/v1/monitor/alerts").json()["data"]["total"] == 1

    def test_status_page_and_prometheus_are_the_platform_admins(self, client, root_admin, tenant_a, make_user):
        client.force_login(make_user(tenant_a, "admin"))
        assert client.get("/system/status/").status_code == 403
        assert client.get("/metrics").status_code == 403
        client.force_login(root_admin)
        page = client.get("/system/status/")
        assert page.status_code == 200
        assert client.get("/metrics").status_code == 200


@pytest.mark.django_db
class TestRequestMetrics:
    def test_middleware_measures_rate_latency_and_errors(self, api, root_admin):
        client = api(root_admin)
        for _ in range(5):
            client.get("/api/v1/monitor/alerts")
        client.get("/api/v1/no-such-thing")
        monitoring.recorder.record(503, 12.0)  # a 5xx as the middleware records it
        body = client.get("/api/v1/monitor/metrics").json()["data"]
        app = body["application"]
        assert app["p50_response_time"] is not None and app["p95_response_time"] >= app["p50_response_time"]
        assert app["error_rate"] > 0 and app["api_qps"] > 0
        assert body["system"]["memory_usage"] > 0

    def test_database_figures_are_the_databases_own(self, api, root_admin, tenant_a, make_user):
        from django.core.cache import cache
        from django.db import connection

        figures = ("connections", "max_connections", "slow_queries", "cache_hit_rate", "query_per_second")
        cache.delete(monitoring._TRANSACTIONS_SAMPLE)
        first = api(root_admin).get("/api/v1/monitor/metrics").json()["data"]["database"]
        second = api(root_admin).get("/api/v1/monitor/metrics").json()["data"]["database"]
        tenant = api(make_user(tenant_a, "admin")).get("/api/v1/monitor/metrics").json()["data"]["database"]
        # a tenant's administrator never reads the shared server's figures
        assert {k: tenant[k] for k in figures} == dict.fromkeys(figures)
        if connection.vendor != "postgresql":
            # the embedded SQLite file has no server statistics
            assert {k: second[k] for k in figures} == dict.fromkeys(figures)
            return
        # PostgreSQL: this test's own session is open, below the server's limit; a rate from the 2nd reading on
        assert 1 <= second["connections"] <= second["max_connections"]
        assert second["slow_queries"] >= 0 and 0 <= second["cache_hit_rate"] <= 100
        assert first["query_per_second"] is None and second["query_per_second"] >= 0

    def test_metrics_need_monitor_read(self, api, tenant_a, make_user):
        assert api(make_user(tenant_a, "agent")).get("/api/v1/monitor/metrics").status_code == 403
        assert api(make_user(tenant_a, "agent")).get("/api/v1/monitor/alerts").status_code == 403


@pytest.mark.django_db
class TestPrometheus:
    def test_refused_without_rights(self, client, tenant_a, make_user):
        assert client.get("/metrics").status_code == 403
        client.force_login(make_user(tenant_a, "admin"))
        assert client.get("/metrics").status_code == 403
        assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403

    def test_super_admin_token_and_allowed_address(self, client, root_admin, settings):
        from portal.config import set_config

        set_config("monitor.metrics_token", "s3cret-token")
        r = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token")
        assert r.status_code == 200 and "opsportal_http_requests_total" in r.content.decode()
        assert 'opsportal_service_up{service="database"} 1' in r.content.decode()
        settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
        assert client.get("/metrics").status_code == 200
        settings.METRICS_ALLOWED_IPS = []
        client.force_login(root_admin)
        assert client.get("/metrics").status_code == 200


@pytest.mark.django_db
class TestAlerts:
    HOST = {"cpu_usage": 10.0, "memory_usage": 10.0, "disk_usage": 10.0}
    REQ = {"requests": 0, "error_rate": 0.0, "p95_ms": None}

    def test_admins_are_notified_once_per_episode(self, root_admin, monkeypatch):
        told = []
        monkeypatch.setattr(monitoring, "notify_admins", lambda alert: told.append(alert.metric))
        hot = {**self.HOST, "cpu_usage": 97.0}
        assert [a.metric for a in monitoring.evaluate_alerts(host=hot, requests=self.REQ)] == ["cpu_usage"]
        monitoring.evaluate_alerts(host={**hot, "cpu_usage": 99.0}, requests=self.REQ)  # same episode
        assert told == ["cpu_usage"]
        alert = MonitorAlert.objects.get()
        assert alert.peak == 99.0 and alert.resolved_at is None
        monitoring.evaluate_alerts(host=self.HOST, requests=self.REQ)  # back under: resolved
        alert.refresh_from_db()
        assert alert.resolved_at is not None
        monitoring.evaluate_alerts(host=hot, requests=self.REQ)  # a new episode: told again
        assert told == ["cpu_usage", "cpu_usage"] and MonitorAlert.objects.count() == 2

    def test_threshold_comes_from_the_settings_registry(self, root_admin, monkeypatch):
        from portal.config import set_config

        monkeypatch.setattr(monitoring, "notify_admins", lambda alert: None)
        set_config("monitor.alert.cpu_percent", 50)
        raised = monitoring.evaluate_alerts(host={**self.HOST, "cpu_usage": 60.0}, requests=self.REQ)
        assert [a.threshold for a in raised] == [50.0]

    def test_notification_reaches_root_admins_by_email(self, root_admin, mailoutbox):
        root_admin.email = "root@ops.example"
        root_admin.save(update_fields=["email"])
        monitoring.evaluate_alerts(host={**self.HOST, "disk_usage": 95.0}, requests=self.REQ)
        assert len(mailoutbox) == 1 and "root@ops.example" in mailoutbox[0].to
        assert MonitorAlert.objects.get().notified_at is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rows", "eager_celery")
def test_backup_restores_into_an_empty_database(tmp_path, tenant_a, tenant_b, make_user):
    """The dump restores into a fresh database with the same rows (SQLite: a new file;
    PostgreSQL: pg_restore into a new database)."""
    from accounts.models import User
    from tenants.models import Tenant

    make_user(tenant_a, "agent")
    expected = {"tenants": Tenant.objects.count(), "users": User.objects.count()}
    tables = {"tenants": Tenant._meta.db_table, "users": User._meta.db_table}
    made = backup.create_backup()
    assert made.size > 0 and backup.list_backups()[0].name == made.name
    counts = {}
    if connection.vendor == "sqlite":
        restored = tmp_path / "restored.sqlite3"
        source = sqlite3.connect(made.path)
        target = sqlite3.connect(restored)
        source.backup(target)
        for key, table in tables.items():
            counts[key] = target.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        target.close()
        source.close()
    else:
        db = connection.settings_dict
        env, args = backup._pg_env_and_args(db)
        fresh = f"{db['NAME']}_restore"
        psql = ["psql", *args, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-c"]
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{fresh}"'], env=env, check=True, capture_output=True)
        subprocess.run([*psql, f'CREATE DATABASE "{fresh}"'], env=env, check=True, capture_output=True)
        try:
            subprocess.run(["pg_restore", "--no-owner", *args, "-d", fresh, str(made.path)], env=env, check=True,
                           capture_output=True)  # fmt: skip
            for key, table in tables.items():
                out = subprocess.run(["psql", *args, "-d", fresh, "-tAc", f'SELECT COUNT(*) FROM "{table}"'], env=env,
                                     check=True, capture_output=True, text=True)  # fmt: skip
                counts[key] = int(out.stdout.strip())
        finally:
            subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{fresh}"'], env=env, capture_output=True)
    assert counts == expected and expected["users"] >= 1
    assert os.path.exists(made.path)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rows", "eager_celery")
def test_backups_keep_the_configured_count_and_download_is_super_admin_only(client, root_admin, tenant_a,
                                                                             make_user):  # fmt: skip
    from portal.config import set_config

    set_config("system.backup.retention_count", 2)
    names = [backup.create_backup().name for _ in range(3)]
    assert [b.name for b in backup.list_backups()] == sorted(names, reverse=True)[:2]
    newest = names[-1]
    client.force_login(make_user(tenant_a, "admin"))
    assert client.get(f"/system/backups/{newest}").status_code == 403
    client.force_login(root_admin)
    assert client.get("/system/backups/../../etc/passwd").status_code == 404
    r = client.get(f"/system/backups/{newest}")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
