"""Live status and metrics: service checks, host figures, request metrics and alerts.

Request metrics are measured by :class:`RequestMetricsMiddleware`: each process counts requests,
5xx answers and latency (into fixed histogram buckets) in memory and adds its counts to the
shared store at most once a second — one pipelined Redis round trip per second per process in
production, nothing but a dict update on the request path otherwise. The store keeps per-minute
buckets (for rates and percentiles over the last minutes) and monotonic totals (for Prometheus).
Embedded mode (one server process) keeps the store in process memory.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.functional import empty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.client import client_ip
from portal.config import get_config

logger = logging.getLogger(__name__)

#: Upper bounds (ms) of the latency histogram buckets; the last is +Inf.
BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
WINDOW_MINUTES = 5
FLUSH_EVERY = 1.0
KEY_PREFIX = "opsportal:metrics"
BOOT_TIME = time.time()


# --- the store ---------------------------------------------------------------------------------------


class LocalStore:
    """In-process store (embedded mode, tests): same interface as :class:`RedisStore`."""

    def __init__(self):
        self.lock = threading.Lock()
        self.minutes: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.totals: dict[str, int] = defaultdict(int)

    def add(self, counts: dict[int, dict[str, int]]) -> None:
        with self.lock:
            for minute, fields in counts.items():
                for field, n in fields.items():
                    self.minutes[minute][field] += n
                    self.totals[field] += n
            horizon = int(time.time() // 60) - 60
            for minute in [m for m in self.minutes if m < horizon]:
                del self.minutes[minute]

    def read(self, minutes: list[int]) -> tuple[list[dict], dict]:
        with self.lock:
            return [dict(self.minutes.get(m, {})) for m in minutes], dict(self.totals)

    def clear(self) -> None:
        with self.lock:
            self.minutes.clear()
            self.totals.clear()


class RedisStore:
    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)

    def add(self, counts: dict[int, dict[str, int]]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for minute, fields in counts.items():
            key = f"{KEY_PREFIX}:m:{minute}"
            for field, n in fields.items():
                pipe.hincrby(key, field, n)
                pipe.hincrby(f"{KEY_PREFIX}:total", field, n)
            pipe.expire(key, 3600)
        pipe.execute()

    def read(self, minutes: list[int]) -> tuple[list[dict], dict]:
        pipe = self.client.pipeline(transaction=False)
        for minute in minutes:
            pipe.hgetall(f"{KEY_PREFIX}:m:{minute}")
        pipe.hgetall(f"{KEY_PREFIX}:total")
        rows = pipe.execute()
        decode = lambda h: {k.decode(): int(v) for k, v in h.items()}  # noqa: E731
        return [decode(h) for h in rows[:-1]], decode(rows[-1])

    def clear(self) -> None:
        keys = list(self.client.scan_iter(f"{KEY_PREFIX}:*"))
        if keys:
            self.client.delete(*keys)


_store = None
_store_lock = threading.Lock()


def store():
    global _store
    with _store_lock:
        if _store is None:
            _store = RedisStore(settings.REDIS_URL) if settings.REDIS_URL else LocalStore()
        return _store


# --- the recorder (per process) --------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.pending: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.last_flush = time.monotonic()

    def record(self, status: int, elapsed_ms: float, tenant_id: int | None = None) -> None:
        """Count one request; a tenant user's request is also counted under ``t<id>:`` fields,
        so a tenant administrator can be shown their tenant's figures (and only those)."""
        bucket = next((i for i, bound in enumerate(BUCKETS_MS) if elapsed_ms <= bound), len(BUCKETS_MS))
        minute = int(time.time() // 60)
        prefixes = ("", f"{tenant_field_prefix(tenant_id)}") if tenant_id is not None else ("",)
        with self.lock:
            fields = self.pending[minute]
            for prefix in prefixes:
                fields[f"{prefix}count"] += 1
                fields[f"{prefix}duration_ms"] += int(elapsed_ms)
                fields[f"{prefix}b{bucket}"] += 1
                if status >= 500:
                    fields[f"{prefix}errors"] += 1
            due = time.monotonic() - self.last_flush >= FLUSH_EVERY
        if due:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            pending, self.pending = self.pending, defaultdict(lambda: defaultdict(int))
            self.last_flush = time.monotonic()
        if not pending:
            return
        try:
            store().add({m: dict(f) for m, f in pending.items()})
        except Exception:
            logger.warning("Request metrics could not be stored", exc_info=True)


recorder = Recorder()


def tenant_field_prefix(tenant_id: int) -> str:
    return f"t{int(tenant_id)}:"


def _request_tenant_id(request) -> int | None:
    """The tenant of the user this request was served for, without a query: DRF puts the
    authenticated user on the request; the session's lazy user counts only if the view used it."""
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:
        return None
    return getattr(wrapped, "tenant_id", None)


class RequestMetricsMiddleware:
    """Counts every request with its status and latency (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            recorder.record(status, (time.perf_counter() - started) * 1000, _request_tenant_id(request))


def _percentile(buckets: list[int], total: int, q: float) -> float | None:
    if total <= 0:
        return None
    rank, seen, lower = q * total, 0, 0.0
    for i, n in enumerate(buckets):
        upper = float(BUCKETS_MS[i]) if i < len(BUCKETS_MS) else float(BUCKETS_MS[-1]) * 2
        if n and seen + n >= rank:
            return round(lower + (upper - lower) * (rank - seen) / n, 1)
        seen += n
        lower = upper
    return float(BUCKETS_MS[-1])


def request_metrics(window_minutes: int = WINDOW_MINUTES, *, tenant_id: int | None = None) -> dict:
    """Rate, latency percentiles and error rate over the last minutes, across processes: of every
    request, or with ``tenant_id`` of that tenant's users' requests only."""
    recorder.flush()
    now_minute = int(time.time() // 60)
    minutes = list(range(now_minute - window_minutes + 1, now_minute + 1))
    rows, totals = store().read(minutes)
    if tenant_id is not None:
        prefix = tenant_field_prefix(tenant_id)
        rows = [{k[len(prefix) :]: v for k, v in r.items() if k.startswith(prefix)} for r in rows]
        totals = {k[len(prefix) :]: v for k, v in totals.items() if k.startswith(prefix)}
    count = sum(r.get("count", 0) for r in rows)
    errors = sum(r.get("errors", 0) for r in rows)
    duration = sum(r.get("duration_ms", 0) for r in rows)
    buckets = [sum(r.get(f"b{i}", 0) for r in rows) for i in range(len(BUCKETS_MS) + 1)]
    elapsed = window_minutes * 60 - (60 - time.time() % 60)  # the current minute is partial
    return {
        "window_seconds": int(elapsed),
        "requests": count,
        "errors": errors,
        "requests_per_second": round(count / elapsed, 3) if elapsed > 0 else 0.0,
        "requests_per_minute": round(count * 60 / elapsed, 1) if elapsed > 0 else 0.0,
        "error_rate": round(errors / count, 4) if count else 0.0,
        "avg_ms": round(duration / count, 1) if count else None,
        "p50_ms": _percentile(buckets, count, 0.50),
        "p95_ms": _percentile(buckets, count, 0.95),
        "p99_ms": _percentile(buckets, count, 0.99),
        "per_minute": [{"minute": m * 60, "requests": r.get("count", 0), "errors": r.get("errors", 0)}
                       for m, r in zip(minutes, rows, strict=True)],
        "totals": totals,
    }  # fmt: skip


# --- host -----------------------------------------------------------------------------------------------


def host_metrics() -> dict:
    import psutil

    disk = shutil.disk_usage(settings.VAR_DIR)
    memory = psutil.virtual_memory()
    net = psutil.net_io_counters()
    return {
        "cpu_usage": psutil.cpu_percent(interval=None),
        "memory_usage": memory.percent,
        "memory_total": memory.total,
        "disk_usage": round(disk.used / disk.total * 100, 1) if disk.total else 0.0,
        "disk_total": disk.total,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": psutil.cpu_count() or 1,
        "host_uptime": int(time.time() - psutil.boot_time()),
        "network_in": net.bytes_recv if net else 0,
        "network_out": net.bytes_sent if net else 0,
    }


# --- services ---------------------------------------------------------------------------------------------

HEARTBEAT_KEY = "opsportal:beat-heartbeat"

#: The words of the status (``system_health``, a service's ``status``) as people read them; the
#: API answers the codes.
HEALTH_LABELS = {
    "healthy": gettext_lazy("Healthy"),
    "degraded": gettext_lazy("Degraded"),
    "unhealthy": gettext_lazy("Down"),
    "not_configured": gettext_lazy("Not configured"),
}
SERVICE_LABELS = {
    "database": gettext_lazy("Database"),
    "redis": gettext_lazy("Redis (cache and live updates)"),
    "celery_workers": gettext_lazy("Task workers (celery)"),
    "celery_beat": gettext_lazy("Scheduler (celery beat)"),
}
ENVIRONMENT_LABELS = {
    "embedded": gettext_lazy("embedded (single process)"),
    "development": gettext_lazy("development"),
    "production": gettext_lazy("production"),
}


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
        status = "healthy"
        error = None
    except Exception as exc:  # noqa: BLE001 - any failure is the finding
        # Our own findings (RuntimeError) read as sentences; anything else keeps its class name.
        text = str(exc) if type(exc) is RuntimeError else f"{type(exc).__name__}: {exc}"
        detail, status, error = None, "unhealthy", text[:300]
    result = {
        "status": status,
        "response_time": round((time.perf_counter() - started) * 1000, 2),
        "last_check": timezone.now(),
        "error": error,
        "detail": None,
    }
    if isinstance(detail, dict):
        result.update(detail)
    return result


def check_database() -> dict:
    def run():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"detail": connection.vendor}

    return {"service_name": "database", **_timed(run)}


def check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"service_name": "redis", "status": "not_configured", "response_time": None,
                "last_check": timezone.now(), "error": None, "detail": _("embedded mode: no Redis")}  # fmt: skip

    def run():
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()

    return {"service_name": "redis", **_timed(run)}


def check_workers() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"service_name": "celery_workers", "status": "healthy", "response_time": 0.0,
                "last_check": timezone.now(), "error": None,
                "detail": _("embedded mode: tasks run in the server process")}  # fmt: skip

    def run():
        from portal.celery import app

        replies = app.control.inspect(timeout=1.0).ping() or {}
        if not replies:
            raise RuntimeError(_("no worker answered"))
        return {"detail": ", ".join(sorted(replies)), "workers": len(replies)}

    return {"service_name": "celery_workers", **_timed(run)}


def beat_heartbeat() -> None:
    """Called by the periodic monitor job: proof that beat (and a worker) ran it recently."""
    from django.core.cache import cache

    cache.set(HEARTBEAT_KEY, time.time(), timeout=3600)


def check_beat() -> dict:
    from django.core.cache import cache

    def run():
        if getattr(settings, "EMBEDDED_BEAT", False):
            from portal import embedded

            beat = embedded._beat
            if beat is not None and not beat.is_alive():
                raise RuntimeError(_("the embedded beat thread has stopped"))
        last = cache.get(HEARTBEAT_KEY)
        if last is None:
            raise RuntimeError(_("the monitor job has not run yet"))
        age = time.time() - float(last)
        if age > 120:
            raise RuntimeError(_("last scheduled run %(seconds)d s ago") % {"seconds": age})
        return {"detail": _("last scheduled run %(seconds)d s ago") % {"seconds": age}}

    return {"service_name": "celery_beat", **_timed(run)}


def services_status() -> list[dict]:
    return [check_database(), check_redis(), check_workers(), check_beat()]


def active_users(tenant_id=None) -> int:
    from django.apps import apps

    model = apps.get_model("accounts", "LoginSession")
    rows = model.objects.filter(ended_at__isnull=True, expires_at__gt=timezone.now())
    if tenant_id is not None:
        rows = rows.filter(tenant_id=tenant_id)
    return rows.values("user_id").distinct().count()


def sees_platform(user) -> bool:
    """Host internals (CPU, memory, disk, load, uptimes, network), service details (worker host
    names, error texts), platform alerts and figures summed over every tenant are the platform
    operator's. A tenant administrator (``system:monitor:read`` / ``monitor:read`` in their role)
    is answered the same operations with the service states and their own tenant's figures;
    host fields are ``null``. See docs/security.md "System status"."""
    return bool(getattr(user, "is_platform_admin", False))


def system_status(*, user) -> dict:
    """``GET admin/system/status`` for ``user`` (see :func:`sees_platform`)."""
    if not sees_platform(user):
        return tenant_status(user.tenant_id)
    services = services_status()
    host = host_metrics()
    requests = request_metrics()
    return {
        "system_health": _overall(services),
        "uptime": int(time.time() - BOOT_TIME),
        "host_uptime": host["host_uptime"],
        "version": getattr(settings, "PORTAL_VERSION", "1.0.0"),
        "environment": "embedded" if settings.EMBEDDED else ("development" if settings.DEBUG else "production"),
        "services": services,
        "metrics": {
            "cpu_usage": host["cpu_usage"],
            "memory_usage": host["memory_usage"],
            "disk_usage": host["disk_usage"],
            "load_average": host["load_average"],
            "active_users": active_users(None),
            "api_requests_per_minute": requests["requests_per_minute"],
            "p50_ms": requests["p50_ms"],
            "p95_ms": requests["p95_ms"],
            "p99_ms": requests["p99_ms"],
            "error_rate": requests["error_rate"],
        },
        "alerts": list(open_alerts()),
    }


def _overall(services: list[dict]) -> str:
    bad = [s for s in services if s["status"] == "unhealthy"]
    if any(s["service_name"] == "database" for s in bad):
        return "unhealthy"
    return "degraded" if bad else "healthy"


def tenant_status(tenant_id: int) -> dict:
    """What a tenant's administrator sees: each service's state and response time (no error
    text or host names), their tenant's users and requests; no host figure, no platform alert."""
    services = [{**s, "error": None, "detail": None} for s in services_status()]
    requests = request_metrics(tenant_id=tenant_id)
    return {
        "system_health": _overall(services),
        "uptime": None,
        "host_uptime": None,
        "version": getattr(settings, "PORTAL_VERSION", "1.0.0"),
        "environment": "embedded" if settings.EMBEDDED else ("development" if settings.DEBUG else "production"),
        "services": services,
        "metrics": {
            "cpu_usage": None,
            "memory_usage": None,
            "disk_usage": None,
            "load_average": None,
            "active_users": active_users(tenant_id),
            "api_requests_per_minute": requests["requests_per_minute"],
            "p50_ms": requests["p50_ms"],
            "p95_ms": requests["p95_ms"],
            "p99_ms": requests["p99_ms"],
            "error_rate": requests["error_rate"],
        },
        "alerts": [],
    }


#: a statement running longer than this counts as slow in ``database_figures``
SLOW_QUERY_SECONDS = 1.0
DATABASE_FIGURES = ("connections", "max_connections", "slow_queries", "cache_hit_rate", "query_per_second")
_TRANSACTIONS_SAMPLE = "monitor:database-transactions"


def database_figures() -> dict:
    """The documented ``database`` figures of ``GET monitor/metrics``, read from PostgreSQL's
    statistics views: sessions open on this database and the server's ``max_connections``;
    statements of this database running longer than ``SLOW_QUERY_SECONDS`` right now; the
    buffer cache hit rate (%) since the statistics were reset; transactions per second since
    the previous reading by any process (shared through the cache; ``None`` at the first).
    The embedded SQLite database has none of these: all ``None``."""
    figures = dict.fromkeys(DATABASE_FIGURES)
    if connection.vendor != "postgresql":
        return figures
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()), "
                "current_setting('max_connections')::int, "
                "(SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
                "AND now() - query_start > make_interval(secs => %s)), "
                "blks_hit, blks_read, xact_commit + xact_rollback "
                "FROM pg_stat_database WHERE datname = current_database()",
                [SLOW_QUERY_SECONDS],
            )
            row = cursor.fetchone()
    except DatabaseError:
        logger.warning("database figures unavailable", exc_info=True)
        return figures
    if row is None:
        return figures
    sessions, limit, slow, hits, reads, transactions = row
    now = time.time()
    previous = cache.get(_TRANSACTIONS_SAMPLE)
    cache.set(_TRANSACTIONS_SAMPLE, (now, transactions), 3600)
    if previous and now > previous[0] and transactions >= previous[1]:
        figures["query_per_second"] = round((transactions - previous[1]) / (now - previous[0]), 1)
    figures.update(
        connections=sessions,
        max_connections=limit,
        slow_queries=slow,
        cache_hit_rate=round(100.0 * hits / (hits + reads), 1) if hits + reads else None,
    )
    return figures


HIDDEN_HOST = dict.fromkeys(("cpu_usage", "memory_usage", "disk_usage", "network_in", "network_out", "load_average"))


def metrics_for(user) -> tuple[dict, dict, dict, int, int]:
    """(host, requests, database, active users, active sessions) of ``GET monitor/metrics`` for
    ``user``: everything for the platform admin; for a tenant, no host figure, the database's
    state without its vendor, and the tenant's own requests, users and sessions."""
    if sees_platform(user):
        database = {**check_database(), **database_figures()}
        return host_metrics(), request_metrics(), database, active_users(None), active_sessions(None)
    database = {**check_database(), "detail": None, "error": None, **dict.fromkeys(DATABASE_FIGURES)}
    tenant_id = user.tenant_id
    return (HIDDEN_HOST, request_metrics(tenant_id=tenant_id), database, active_users(tenant_id),
            active_sessions(tenant_id))  # fmt: skip


# --- alerts ---------------------------------------------------------------------------------------------

#: metric -> (config key of the threshold, reading from (host, requests), message)
THRESHOLDS = {
    "cpu_usage": ("monitor.alert.cpu_percent", lambda h, r: h["cpu_usage"]),
    "memory_usage": ("monitor.alert.memory_percent", lambda h, r: h["memory_usage"]),
    "disk_usage": ("monitor.alert.disk_percent", lambda h, r: h["disk_usage"]),
    "error_rate": ("monitor.alert.error_rate_percent", lambda h, r: r["error_rate"] * 100 if r["requests"] else 0),
    "p95_latency": ("monitor.alert.p95_latency_ms", lambda h, r: r["p95_ms"] or 0),
}


def alert_message(metric: str, value: float, threshold: float) -> str:
    names = {
        "cpu_usage": _("CPU usage"), "memory_usage": _("Memory usage"), "disk_usage": _("Disk usage"),
        "error_rate": _("Error rate"), "p95_latency": _("95th percentile response time"),
    }  # fmt: skip
    unit = " ms" if metric == "p95_latency" else "%"
    return _("%(name)s is %(value)s%(unit)s (threshold %(threshold)s%(unit)s)") % {
        "name": names.get(metric, metric), "value": round(value, 1), "threshold": threshold, "unit": unit,
    }  # fmt: skip


def open_alerts():
    from portal.system.ops_models import MonitorAlert

    for alert in MonitorAlert.objects.filter(resolved_at__isnull=True):
        yield {"level": alert.level, "message": alert.message, "timestamp": alert.raised_at, "metric": alert.metric}


def alerts_for(user):
    """Alerts are raised from host and platform-wide readings: the platform operator's only."""
    from portal.system.ops_models import MonitorAlert

    return MonitorAlert.objects.all() if sees_platform(user) else MonitorAlert.objects.none()


def evaluate_alerts(*, host: dict | None = None, requests: dict | None = None) -> list:
    """Raise an alert when a reading crosses its threshold, resolve it when it is back under;
    admins are notified once per episode (when it is raised). Returns the alerts raised now."""
    from django.db import IntegrityError, transaction

    from portal.system.ops_models import AlertLevel, MonitorAlert

    host = host if host is not None else host_metrics()
    requests = requests if requests is not None else request_metrics()
    raised, now = [], timezone.now()
    for metric, (key, read) in THRESHOLDS.items():
        threshold = float(get_config(key))
        value = float(read(host, requests))
        current = MonitorAlert.objects.filter(metric=metric, resolved_at__isnull=True).first()
        if value >= threshold:
            if current is not None:
                if value > current.peak:
                    MonitorAlert.objects.filter(pk=current.pk).update(peak=value)
                continue
            level = AlertLevel.CRITICAL if value >= threshold * 1.1 or value >= 99 else AlertLevel.WARNING
            try:
                with transaction.atomic():
                    alert = MonitorAlert.objects.create(
                        metric=metric, level=level, message=alert_message(metric, value, threshold), value=value,
                        peak=value, threshold=threshold, raised_at=now,
                    )  # fmt: skip
            except IntegrityError:  # another process raised it first: its episode, its notification
                continue
            raised.append(alert)
        elif current is not None:
            MonitorAlert.objects.filter(pk=current.pk).update(resolved_at=now)
    for alert in raised:
        notify_admins(alert)
    return raised


def notify_admins(alert) -> int:
    """Tell the platform administrators (live event + email where they have an address)."""
    from django.contrib.auth import get_user_model
    from django.core.mail import send_mail

    from portal import realtime
    from portal.system.ops_models import MonitorAlert

    admins = list(get_user_model().objects.filter(tenant__isnull=True, is_superuser=True, status="active"))
    payload = {"metric": alert.metric, "level": alert.level, "message": alert.message}
    for admin in admins:
        try:
            realtime.publish(realtime.user_group(admin.pk), "system.alert", payload)
        except Exception:
            logger.warning("Alert push to user %s failed", admin.pk, exc_info=True)
    emails = [a.email for a in admins if a.email]
    if emails:
        send_mail(f"[OpsPortal] {alert.message}", alert.message, None, emails, fail_silently=True)
    MonitorAlert.objects.filter(pk=alert.pk).update(notified_at=timezone.now())
    return len(admins)


# --- Prometheus ------------------------------------------------------------------------------------------


def prometheus_text() -> str:
    requests = request_metrics()
    totals = requests["totals"]
    host = host_metrics()
    lines = [
        "# HELP opsportal_http_requests_total Requests served (all processes).",
        "# TYPE opsportal_http_requests_total counter",
        f"opsportal_http_requests_total {totals.get('count', 0)}",
        "# HELP opsportal_http_request_errors_total Requests answered with a 5xx status.",
        "# TYPE opsportal_http_request_errors_total counter",
        f"opsportal_http_request_errors_total {totals.get('errors', 0)}",
        "# HELP opsportal_http_request_duration_seconds Request latency.",
        "# TYPE opsportal_http_request_duration_seconds histogram",
    ]
    cumulative = 0
    for i, bound in enumerate(BUCKETS_MS):
        cumulative += totals.get(f"b{i}", 0)
        lines.append(f'opsportal_http_request_duration_seconds_bucket{{le="{bound / 1000:g}"}} {cumulative}')
    cumulative += totals.get(f"b{len(BUCKETS_MS)}", 0)
    lines += [
        f'opsportal_http_request_duration_seconds_bucket{{le="+Inf"}} {cumulative}',
        f"opsportal_http_request_duration_seconds_sum {totals.get('duration_ms', 0) / 1000:g}",
        f"opsportal_http_request_duration_seconds_count {totals.get('count', 0)}",
    ]
    gauges = {
        "opsportal_cpu_usage_percent": host["cpu_usage"],
        "opsportal_memory_usage_percent": host["memory_usage"],
        "opsportal_disk_usage_percent": host["disk_usage"],
        "opsportal_load_average_1m": host["load_average"][0],
        "opsportal_process_uptime_seconds": int(time.time() - BOOT_TIME),
    }
    for name, value in gauges.items():
        lines += [f"# TYPE {name} gauge", f"{name} {value}"]
    for service in services_status():
        up = 1 if service["status"] == "healthy" else 0
        lines.append(f'opsportal_service_up{{service="{service["service_name"]}"}} {up}')
    return "\n".join(lines) + "\n"


def metrics_access_allowed(request) -> bool:
    """/metrics: the platform super admin's session, the configured bearer token, or an allowed
    client address. Everyone else is refused."""
    import hmac

    user = getattr(request, "user", None)
    if getattr(user, "is_platform_admin", False):
        return True
    token = get_config("monitor.metrics_token")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), str(token)):
        return True
    address = client_ip(request)
    return address is not None and address in settings.METRICS_ALLOWED_IPS


def live_snapshot(*, host: dict, requests: dict) -> dict:
    """The small payload the status page's charts append every tick."""
    return {
        "at": timezone.now().isoformat(),
        "cpu_usage": host["cpu_usage"],
        "memory_usage": host["memory_usage"],
        "disk_usage": host["disk_usage"],
        "load_average": host["load_average"],
        "requests_per_minute": requests["requests_per_minute"],
        "p50_ms": requests["p50_ms"],
        "p95_ms": requests["p95_ms"],
        "error_rate": requests["error_rate"],
    }


def publish_status(*, host: dict, requests: dict) -> None:
    """Push the snapshot to each platform administrator's sockets (their status page listens)."""
    from django.contrib.auth import get_user_model

    from portal import realtime

    payload = live_snapshot(host=host, requests=requests)
    for admin_id in (
        get_user_model()
        .objects.filter(tenant__isnull=True, is_superuser=True, status="active")
        .values_list("pk", flat=True)
    ):
        try:
            realtime.publish(realtime.user_group(admin_id), "system.status", payload)
        except Exception:
            logger.warning("Status push failed", exc_info=True)


def active_sessions(tenant_id=None) -> int:
    from django.apps import apps

    rows = apps.get_model("accounts", "LoginSession").objects.filter(
        ended_at__isnull=True, expires_at__gt=timezone.now()
    )
    return (rows.filter(tenant_id=tenant_id) if tenant_id is not None else rows).count()
