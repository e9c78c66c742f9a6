"""Load test over real HTTP: seed N tickets into PostgreSQL, start the production processes
(daphne, ``DEBUG=false``, ``REDIS_URL``, the connection pool) and drive them with concurrent
clients, printing p50/p95 latency and requests/s per endpoint, errors, the database connections
seen and each server process's memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsportal_bench \\
    REDIS_URL=redis://127.0.0.1:6379/7 \\
        .venv/bin/python -m bench.http_load [--tickets 100000] [--processes 1,2] [--clients 1,4,32]

- The database is migrated; a ``bench`` tenant (supervisor, 10 agents, 50 requesters, 15
  categories) is created once, and tickets are inserted with one ``INSERT … SELECT
  generate_series`` per 100,000 rows (1,000,000 take a few minutes); rerunning reuses them
  (``--tickets`` only ever adds). Then the roll-ups and counters are rebuilt from the table and
  ``VACUUM (ANALYZE)`` runs, as autovacuum would on a live system.
- ``--seed-only`` stops after seeding (start a big seed early, in its own database).
- Servers listen on ``--port`` and the following ports, on 127.0.0.1 only. Clients are threads
  with keep-alive connections (``http.client``), each request bounded by a 30 s timeout; every
  case sends ``--requests`` requests (at least 8 per client).
- Targets (docs/performance.md): at 1,000,000 tickets, one client: list page 1 p95 <= 50 ms,
  detail <= 30 ms, statistics <= 100 ms, filtered search <= 150 ms, deep page <= 150 ms; with 32
  clients and 2 processes: 0 errors and connections within processes x DB_POOL_MAX_SIZE.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH_SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123"
# Parallel query workers share the application_name; only client backends are pool connections.
CLIENT_CONNECTIONS_SQL = (
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND backend_type = 'client backend'"
)
APP_NAME = "opsportal-bench"
ROOT = Path(__file__).resolve().parent.parent
WORDS = ["打印机", "VPN", "邮箱", "蓝屏", "网络", "ERP", "权限", "显示器", "服务器", "数据库", "无法登录", "卡顿"]
CUSTOMERS = ["张三", "李四", "王五", "赵六", "陈七", "周八", "吴九", "郑十"]
STATUSES = ["new", "assigned", "in_progress", "paused", "resolved", "closed", "cancelled"]
PRIORITIES = ["low", "normal", "high", "urgent", "critical"]
TYPES = ["incident", "request", "problem", "change"]
SOURCES = ["web", "email", "phone", "api"]
BATCH = 100_000


def setup_django():
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DB_POOL", "false")  # this process needs one connection
    import django

    django.setup()


# --- seeding ----------------------------------------------------------------------------------


def seed_people():
    from accounts.models import User
    from accounts.services import user_create
    from tenants.models import Tenant
    from tenants.services import tenant_create
    from tickets import services
    from tickets.models import Category

    tenant = Tenant.objects.filter(code="bench").first() or tenant_create(code="bench", name="压测公司", max_users=1000)
    people = {}
    for username, role in (
        [("sup", "supervisor"), ("admin", "admin")]
        + [(f"agent{i}", "agent") for i in range(10)]
        + [(f"req{i}", "user") for i in range(50)]
    ):
        people[username] = User.objects.filter(tenant=tenant, username=username).first() or user_create(
            tenant=tenant,
            username=username,
            email=f"{username}@bench.local",
            password="Bench@123456" if username == "sup" else None,  # only the page test signs in
            role_codes=[role],
        )
    if not Category.objects.filter(tenant=tenant).exists():
        for name in ["硬件", "软件", "网络", "账号", "咨询"]:
            root = services.category_create(tenant=tenant, by=people["admin"], data={"name": name, "sla_hours": 8})
            for n in range(2):
                services.category_create(
                    tenant=tenant, by=people["admin"], data={"name": f"{name}{n}", "parent": root, "sla_hours": 4}
                )
    return tenant, people


SEED_SQL = """
INSERT INTO tickets_ticket (
    tenant_id, number, title, description, status, priority, priority_rank, type, source,
    customer_company, customer_name, customer_email, customer_phone, tags, custom_fields,
    due_date, sla_due_date, assigned_at, resolved_at, closed_at, resolution_time, first_reply_at,
    response_time, resolution_notes, resolution_type, view_count, comment_count, rating,
    rating_comment, is_escalated, is_deleted, created_at, updated_at, assigned_to_id, category_id,
    created_by_id, is_overdue, sla_breached)
SELECT
    %(tenant)s, 'B' || lpad(n::text, 8, '0'),
    words[1 + (r1 * 1000)::int %% cardinality(words)] || ' 问题 #' || n,
    '用户反馈' || words[1 + (r1 * 1000)::int %% cardinality(words)] || '异常，编号' || n,
    status, priority, array_position(%(priorities)s::text[], priority) - 1,
    (%(types)s::text[])[1 + (r2 * 1000)::int %% 4], (%(sources)s::text[])[1 + (r2 * 7000)::int %% 4],
    '', customers[1 + (r3 * 1000)::int %% cardinality(customers)], 'c' || (n %% 5000) || '@example.com',
    '139' || lpad(n::text, 8, '0'), '[]'::jsonb, '{}'::jsonb,
    created + interval '48 hours', created + interval '8 hours',
    CASE WHEN assignee IS NOT NULL THEN created + interval '10 minutes' END,
    CASE WHEN status IN ('resolved', 'closed') THEN created + resolve_after END,
    CASE WHEN status = 'closed' THEN created + resolve_after + interval '1 hour' END,
    CASE WHEN status IN ('resolved', 'closed') THEN (extract(epoch FROM resolve_after) / 60)::int END,
    CASE WHEN assignee IS NOT NULL THEN created + interval '15 minutes' END,
    CASE WHEN assignee IS NOT NULL THEN 15 END,
    '', '', 0, 0, CASE WHEN status = 'closed' THEN 1 + (r3 * 5000)::int %% 5 END,
    '', false, false, created, created, assignee, category, requester, false, false
FROM (
    SELECT n, words, customers, r1, r2, r3,
        now() - r4 * interval '90 days' AS created,
        (%(statuses)s::text[])[1 + (r5 * 7)::int %% 7] AS status,
        (%(priorities)s::text[])[1 + (r6 * 5)::int %% 5] AS priority,
        CASE WHEN (%(statuses)s::text[])[1 + (r5 * 7)::int %% 7] <> 'new' AND r7 < 0.9
             THEN (%(agents)s::bigint[])[1 + (r7 * 1000)::int %% cardinality(%(agents)s::bigint[])] END AS assignee,
        (%(categories)s::bigint[])[1 + (r2 * 1000)::int %% cardinality(%(categories)s::bigint[])] AS category,
        (%(requesters)s::bigint[])[1 + (r3 * 7000)::int %% cardinality(%(requesters)s::bigint[])] AS requester,
        (10 + r1 * 3000) * interval '1 minute' AS resolve_after
    FROM (
        SELECT n, %(words)s::text[] AS words, %(customers)s::text[] AS customers,
            random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5,
            random() AS r6, random() AS r7
        FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS n
    ) AS draws
) AS rows
"""


def seed_tickets(tenant, people, total: int) -> None:
    from django.db import connection, transaction

    from tickets.models import Category, Ticket

    existing = Ticket.all_objects.filter(tenant=tenant).count()
    if existing >= total:
        print(f"reusing {existing} tickets", flush=True)
        return
    params = {
        "tenant": tenant.pk,
        "words": WORDS,
        "customers": CUSTOMERS,
        "statuses": STATUSES,
        "priorities": PRIORITIES,
        "types": TYPES,
        "sources": SOURCES,
        "agents": [people[f"agent{i}"].pk for i in range(10)],
        "requesters": [people[f"req{i}"].pk for i in range(50)],
        "categories": list(Category.objects.filter(tenant=tenant).values_list("pk", flat=True)),
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        for first in range(existing, total, BATCH):
            last = min(first + BATCH, total) - 1
            with transaction.atomic():
                cursor.execute(SEED_SQL, {**params, "first": first, "last": last})
            print(f"  {last + 1:>9,} tickets ({time.perf_counter() - started:.0f}s)", flush=True)
    print(f"seeded {total - existing:,} tickets in {time.perf_counter() - started:.1f}s", flush=True)


def rebuild_and_vacuum() -> None:
    from django.core.management import call_command, get_commands
    from django.db import connection

    started = time.perf_counter()
    if "rebuild_ticket_rollups" in get_commands():
        call_command("rebuild_ticket_rollups")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    print(f"roll-ups rebuilt and vacuumed in {time.perf_counter() - started:.1f}s", flush=True)


# --- servers ----------------------------------------------------------------------------------


def server_env(pool_max: int) -> dict[str, str]:
    """The environment of a server process: the production settings (``DEBUG=false``, the
    connection pool), over plain HTTP on loopback, with this process's ``SECRET_KEY`` (so the
    tokens it issues are accepted) and the per-user API rate lifted."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "EMBEDDED_BEAT": "false",
        "DB_POOL": "true",
        "DB_POOL_MAX_SIZE": str(pool_max),
        "DB_APPLICATION_NAME": APP_NAME,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # One bench user sends thousands of requests a minute: lift the per-user API rate so the
        # figures are latencies, not 429s (the limiter has its own tests).
        "API_RATE_USER": "1000000/min",
    }


class Servers:
    """``count`` daphne processes with the production settings, on consecutive ports."""

    def __init__(self, count: int, port: int, env: dict[str, str], log_dir: Path):
        self.count, self.port, self.env, self.log_dir = count, port, env, log_dir
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        for n in range(self.count):
            log = open(self.log_dir / f"daphne-{n}.log", "wb")
            args = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port + n)]
            self.procs.append(
                subprocess.Popen(
                    [*args, "portal.asgi:application"],
                    cwd=ROOT,
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        for n in range(self.count):
            deadline = time.monotonic() + 60
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port + n, timeout=2)
                    conn.request("GET", "/healthz")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or self.procs[n].poll() is not None:
                    self.__exit__(None, None, None)
                    sys.exit(f"daphne {n} did not start; see {self.log_dir}/daphne-{n}.log")
                time.sleep(0.3)
        return self

    def rss_mb(self) -> list[float]:
        import psutil

        return [round(psutil.Process(p.pid).memory_info().rss / 2**20, 1) for p in self.procs]

    def __exit__(self, *exc):
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


# --- clients ----------------------------------------------------------------------------------


class Client:
    """One keep-alive connection per (thread, port)."""

    local = threading.local()

    @classmethod
    def get(cls, port: int, path: str, headers: dict) -> tuple[int, bytes]:
        conns = getattr(cls.local, "conns", None)
        if conns is None:
            conns = cls.local.conns = {}
        for attempt in range(2):
            conn = conns.get(port)
            if conn is None:
                conn = conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                conns.pop(port, None)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def connections_now() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(CLIENT_CONNECTIONS_SQL, [APP_NAME])
        return cursor.fetchone()[0]


def run_case(ports: list[int], clients: int, requests: int, make_path, headers) -> dict:
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    peak = 0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, connections_now())
            time.sleep(0.05)

    def worker(k: int):
        for i in range(k, requests, clients):
            path = make_path(i)
            started = time.perf_counter()
            try:
                status, body = Client.get(ports[i % len(ports)], path, headers)
            except OSError as error:
                status, body = 0, repr(error).encode()
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                timings.append(elapsed)
                if status != 200:
                    errors.append(f"{status} {path} {body[:160]!r}")

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(worker, range(clients)))
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p95": timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)],
        "rps": len(timings) / wall,
        "errors": errors,
        "connections": peak,
    }


def portal_cookie(port: int) -> str:
    """Sign the supervisor in to the portal pages (one password check) and return the cookie."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = dict(c.split(";", 1)[0].split("=", 1) for c in response.headers.get_all("Set-Cookie") or [] if "=" in c)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "tenant_code": "bench", "username": "sup", "password": "Bench@123456"}
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "Referer": f"http://127.0.0.1:{port}/accounts/login/",
    }
    conn.request("POST", "/accounts/login/", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    for c in response.headers.get_all("Set-Cookie") or []:
        key, value = c.split(";", 1)[0].split("=", 1)
        cookies[key] = value
    if response.status != 302 or "sessionid" not in cookies:
        sys.exit(f"portal sign-in failed: HTTP {response.status}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--processes", default="1,2", help="comma-separated daphne process counts")
    parser.add_argument("--clients", default="1,4,32", help="comma-separated client counts")
    parser.add_argument("--requests", type=int, default=100, help="requests per case (at least 8 per client)")
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--pool-max", type=int, default=8, help="DB_POOL_MAX_SIZE of each server process")
    parser.add_argument("--seed-only", action="store_true")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the benchmark is about PostgreSQL).")
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    tenant, people = seed_people()
    seed_tickets(tenant, people, args.tickets)
    if args.seed_only:
        return
    rebuild_and_vacuum()
    call_command("collectstatic", "--noinput", verbosity=0)  # production serves hashed static names

    from accounts.auth_services import tokens_for_user
    from tickets.models import Ticket

    bearer = {"Authorization": f"Bearer {tokens_for_user(people['sup'])['access_token']}"}
    ids = list(Ticket.objects.filter(tenant=tenant).order_by("?").values_list("pk", flat=True)[:500])
    total = Ticket.objects.filter(tenant=tenant).count()
    deep = max(1, min(5000, total // 20))
    cases = [
        ("v1 list page 1", lambda i: "/api/v1/tickets?page=1&size=20", "list"),
        ("desk list page 1", lambda i: "/api/tickets?page=1&limit=20", "list"),
        (f"desk deep page {deep}", lambda i: f"/api/tickets?page={deep}&limit=20", "deep"),
        (f"v1 deep page {deep}", lambda i: f"/api/v1/tickets?page={deep}&size=20", "deep"),
        (
            "desk search (customer name)",
            lambda i: f"/api/tickets?search={urllib.parse.quote(CUSTOMERS[i % 8])}",
            "search",
        ),
        (
            "v1 filtered (status+keyword)",
            lambda i: f"/api/v1/tickets?status=in_progress&keyword={urllib.parse.quote(WORDS[i % 12])}",
            "search",
        ),
        ("desk detail", lambda i: f"/api/tickets/{ids[i % len(ids)]}", "detail"),
        ("v1 detail", lambda i: f"/api/v1/tickets/{ids[i % len(ids)]}", "detail"),
        ("v1 auth/me", lambda i: "/api/v1/auth/me", "me"),
        ("desk stats", lambda i: "/api/tickets/stats", "stats"),
        ("v1 statistics overview 30d", lambda i: "/api/v1/tickets/statistics/overview?time_range=30d", "stats"),
        ("HTML ticket list", lambda i: "/tickets/", "page"),
    ]
    env = server_env(args.pool_max)
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    results = []
    print(f"\n{total:,} tickets; pool max {args.pool_max} per process; figures are one run (noisy shared machine)")
    for processes in [int(x) for x in args.processes.split(",")]:
        with Servers(processes, args.port, env, log_dir) as servers:
            ports = [args.port + n for n in range(processes)]
            cookie = {"Cookie": portal_cookie(ports[0])}
            for clients in [int(x) for x in args.clients.split(",")]:
                requests = max(args.requests, 8 * clients)
                print(f"\n== {processes} daphne process(es), {clients} client(s), {requests} requests per case")
                print(f"{'endpoint':34} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'errors':>6} {'db conns':>8}")
                for name, path, kind in cases:
                    headers = cookie if kind == "page" else bearer
                    Client.get(ports[0], path(0), headers)  # warm up
                    figures = run_case(ports, clients, requests, path, headers)
                    print(
                        f"{name:34} {figures['p50']:8.1f} {figures['p95']:8.1f} {figures['rps']:7.1f} "
                        f"{len(figures['errors']):6d} {figures['connections']:8d}",
                        flush=True,
                    )
                    for error in figures["errors"][:3]:
                        print(f"    {error}")
                    results.append(
                        {
                            "processes": processes,
                            "clients": clients,
                            "endpoint": name,
                            "kind": kind,
                            **{k: v for k, v in figures.items() if k != "errors"},
                            "errors": len(figures["errors"]),
                        }
                    )
            rss = servers.rss_mb()
            print(f"\nRSS of the daphne processes (MB): {rss}; connection bound {processes * args.pool_max}")
            results.append({"processes": processes, "rss_mb": rss, "bound": processes * args.pool_max})
    if args.json:
        Path(args.json).write_text(json.dumps({"tickets": total, "results": results}, indent=1))


if __name__ == "__main__":
    main()
