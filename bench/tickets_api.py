"""Seed 100,000 tickets into a PostgreSQL database and time the hot ticket endpoints.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsportal_bench \\
        .venv/bin/python -m bench.tickets_api [--tickets 100000] [--runs 40]

Migrates the database, creates a ``bench`` tenant (once) with a supervisor, agents and
requesters, bulk-inserts the tickets (once; rerunning reuses them), runs VACUUM (ANALYZE), then calls
each endpoint in-process through the real URL/view/serializer stack (authentication is forced,
so token checks are not part of the figures) and prints p50/p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")

WORDS = ["打印机", "VPN", "邮箱", "蓝屏", "网络", "ERP", "权限", "显示器", "服务器", "数据库", "无法登录", "卡顿"]
CUSTOMERS = ["张三", "李四", "王五", "赵六", "陈七", "周八", "吴九", "郑十"]


def setup():
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the in-process client talks to "testserver"


def seed(total: int):
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.services import user_create
    from tenants.models import Tenant
    from tenants.services import tenant_create
    from tickets import services
    from tickets.choices import PRIORITY_RANK, TicketPriority, TicketSource, TicketStatus, TicketType
    from tickets.models import Category, Ticket

    call_command("migrate", verbosity=0)
    tenant = Tenant.objects.filter(code="bench").first() or tenant_create(code="bench", name="压测公司", max_users=1000)
    people = {}
    for username, role in (
        [("sup", "supervisor"), ("admin", "admin")]
        + [(f"agent{i}", "agent") for i in range(10)]
        + [(f"req{i}", "user") for i in range(50)]
    ):
        from accounts.models import User

        people[username] = User.objects.filter(tenant=tenant, username=username).first() or user_create(
            tenant=tenant,
            username=username,
            email=f"{username}@bench.local",
            password="Bench@123456",
            role_codes=[role],
        )
    categories = list(Category.objects.filter(tenant=tenant))
    if not categories:
        for name in ["硬件", "软件", "网络", "账号", "咨询"]:
            root = services.category_create(tenant=tenant, by=people["admin"], data={"name": name, "sla_hours": 8})
            categories.append(root)
            for n in range(2):
                categories.append(
                    services.category_create(
                        tenant=tenant, by=people["admin"], data={"name": f"{name}{n}", "parent": root, "sla_hours": 4}
                    )
                )
    existing = Ticket.all_objects.filter(tenant=tenant).count()
    if existing >= total:
        print(f"reusing {existing} tickets", flush=True)
        return tenant, people
    rng = random.Random(42)
    agents = [people[f"agent{i}"] for i in range(10)]
    requesters = [people[f"req{i}"] for i in range(50)]
    now = timezone.now()
    statuses = list(TicketStatus.values)
    started = time.perf_counter()
    batch = []
    for n in range(existing, total):
        created = now - timedelta(minutes=rng.randint(0, 90 * 24 * 60))
        status = rng.choice(statuses)
        priority = rng.choice(TicketPriority.values)
        assigned = rng.choice(agents) if status != TicketStatus.NEW and rng.random() < 0.9 else None
        resolved = created + timedelta(minutes=rng.randint(10, 3000)) if status in ("resolved", "closed") else None
        word = rng.choice(WORDS)
        batch.append(
            Ticket(
                tenant=tenant,
                number=f"B{n:08d}",
                title=f"{word} 问题 #{n}",
                description=f"用户反馈{word}异常，编号{n}",
                status=status,
                priority=priority,
                priority_rank=PRIORITY_RANK[priority],
                type=rng.choice(TicketType.values),
                source=rng.choice(TicketSource.values),
                created_by=rng.choice(requesters),
                assigned_to=assigned,
                category=rng.choice(categories),
                customer_name=rng.choice(CUSTOMERS),
                customer_email=f"c{n % 5000}@example.com",
                customer_phone=f"139{n:08d}",
                created_at=created,
                due_date=created + timedelta(hours=48),
                sla_due_date=created + timedelta(hours=8),
                resolved_at=resolved,
                resolution_time=int((resolved - created).total_seconds() // 60) if resolved else None,
                first_reply_at=created + timedelta(minutes=15) if assigned else None,
                response_time=15 if assigned else None,
                rating=rng.randint(1, 5) if status == "closed" else None,
            )
        )
        if len(batch) == 5000:
            with transaction.atomic():
                Ticket.objects.bulk_create(batch)
            batch.clear()
    if batch:
        Ticket.objects.bulk_create(batch)
    print(f"seeded {total - existing} tickets in {time.perf_counter() - started:.1f}s", flush=True)
    return tenant, people


def vacuum():
    """What autovacuum does to a live table: statistics and the visibility map (without it,
    counts cannot use index-only scans on a freshly bulk-loaded table)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) tickets_ticket")


def measure(tenant, people, runs: int):
    from rest_framework.test import APIClient

    from tickets.models import Ticket

    client = APIClient()
    client.force_authenticate(people["sup"])
    agent = APIClient()
    agent.force_authenticate(people["agent3"])
    sample = list(Ticket.objects.filter(tenant=tenant).order_by("?").values_list("pk", flat=True)[:runs])
    cases = [
        ("desk list (page 1, limit 20)", client, lambda i: "/api/tickets?limit=20"),
        ("desk list (page 200, sort=priority)", client, lambda i: "/api/tickets?limit=20&page=200&sort=priority"),
        ("desk list filtered (status+priority)", client, lambda i: "/api/tickets?status=in_progress&priority=high"),
        ("desk list as agent (visibility)", agent, lambda i: "/api/tickets?limit=20"),
        ("v1 list (size 20)", client, lambda i: "/api/v1/tickets?size=20"),
        ("desk detail", client, lambda i: f"/api/tickets/{sample[i % len(sample)]}"),
        ("v1 detail", client, lambda i: f"/api/v1/tickets/{sample[i % len(sample)]}"),
        ("desk search (Chinese word)", client, lambda i: f"/api/tickets?search={WORDS[i % len(WORDS)]}"),
        ("desk search (phone digits)", client, lambda i: f"/api/tickets?search=139{i:04d}"),
        ("v1 search (keyword=customer)", client, lambda i: f"/api/v1/tickets?keyword={CUSTOMERS[i % len(CUSTOMERS)]}"),
        ("desk stats", client, lambda i: "/api/tickets/stats"),
        ("v1 statistics overview 30d", client, lambda i: "/api/v1/tickets/statistics/overview?time_range=30d"),
    ]
    print(f"\n{'endpoint':42} {'p50 ms':>8} {'p95 ms':>8}  (n={runs})")
    for name, api, path in cases:
        api.get(path(0))  # warm up
        timings = []
        for i in range(runs):
            started = time.perf_counter()
            response = api.get(path(i))
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"{name}: HTTP {response.status_code} {response.content[:200]!r}")
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        print(f"{name:42} {statistics.median(timings):8.1f} {p95:8.1f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the benchmark is about PostgreSQL).")
    setup()
    tenant, people = seed(args.tickets)
    vacuum()
    measure(tenant, people, args.runs)


if __name__ == "__main__":
    main()
