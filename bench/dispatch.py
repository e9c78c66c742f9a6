"""Time intelligent and batch dispatch over 1,000 engineers on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsportal_bench_dispatch \\
        .venv/bin/python -m bench.dispatch [--engineers 1000] [--tickets 500] [--runs 30]

Migrates, seeds (once; reruns reuse it) a ``bench_dispatch`` tenant with N engineers (skills from
a 20-skill library, levels 1-5, coordinates around six cities, schedules always on duty, a few
open tickets each) and T unassigned tickets whose text names one or two skills. Then prints the
median (and p95) of:

- one suggestion: load the pool from the database + score every engineer (what
  ``GET dispatch/suggestions`` and the start of ``POST dispatch/intelligent`` do);
- one intelligent dispatch, end to end: the above + assignment through the ticket service
  (history, notification, SLA) + the dispatch record — rolled back after each run;
- the engine alone on a loaded pool;
- one batch plan for T tickets × N engineers (load + score matrix + optimal + greedy);
- one batch dispatch end to end (plan + T assignments + records), rolled back;

and the batch's optimal total score against the greedy one on the same input.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings_test")

CITIES = [
    ("北京市", ["朝阳区", "海淀区", "东城区"], 39.90, 116.40),
    ("上海市", ["浦东新区", "徐汇区", "静安区"], 31.23, 121.47),
    ("广州市", ["天河区", "越秀区"], 23.13, 113.26),
    ("深圳市", ["南山区", "福田区"], 22.54, 114.06),
    ("杭州市", ["西湖区", "滨江区"], 30.27, 120.15),
    ("成都市", ["武侯区", "高新区"], 30.57, 104.07),
]
SKILLS = [
    ("linux", "Linux", ["linux", "服务器"]), ("windows", "Windows", ["windows", "蓝屏"]),
    ("network", "网络", ["网络", "vpn", "交换机"]), ("database", "数据库", ["数据库", "mysql", "oracle"]),
    ("printer", "打印机", ["打印机", "卡纸"]), ("email", "邮箱", ["邮箱", "outlook"]),
    ("erp", "ERP", ["erp", "sap"]), ("security", "安全", ["病毒", "防火墙"]),
    ("storage", "存储", ["存储", "磁盘"]), ("cloud", "云平台", ["云", "kubernetes"]),
    ("backup", "备份", ["备份", "恢复"]), ("voip", "电话", ["电话", "voip"]),
    ("wifi", "无线", ["wifi", "无线"]), ("account", "账号", ["账号", "密码"]),
    ("office", "办公软件", ["excel", "word"]), ("monitor", "显示器", ["显示器", "屏幕"]),
    ("vm", "虚拟化", ["vmware", "虚拟机"]), ("web", "网站", ["网站", "nginx"]),
    ("middleware", "中间件", ["tomcat", "中间件"]), ("hardware", "硬件", ["主板", "内存条"]),
]  # fmt: skip
ON_DUTY = {
    "timezone": "Asia/Shanghai",
    "work_hours": {"start": "00:00", "end": "23:59"},
    "work_days": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "break_time": None,
    "follow_holidays": False,
}


def setup():
    import django

    django.setup()


def seed(n_engineers: int, n_tickets: int):
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import User
    from accounts.services import user_create
    from engineers.models import EngineerProfile, EngineerSkill, Skill
    from tenants.models import Tenant
    from tenants.services import tenant_create
    from tickets.models import Ticket

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    tenant = Tenant.objects.filter(code="bench_dispatch").first() or tenant_create(
        code="bench_dispatch", name="派单压测", max_users=100000
    )
    sup = User.objects.filter(tenant=tenant, username="sup").first() or user_create(
        tenant=tenant,
        username="sup",
        email="sup@bench.test",
        password="Bench@123456",
        role_codes=["supervisor"],
        by=None,
    )
    req = User.objects.filter(tenant=tenant, username="req").first() or user_create(
        tenant=tenant, username="req", email="req@bench.test", password="Bench@123456", role_codes=["user"], by=None
    )
    with transaction.atomic():
        library = {}
        for i, (code, name, keywords) in enumerate(SKILLS):
            library[code] = Skill.objects.get_or_create(
                tenant=tenant, code=code, defaults={"name": name, "keywords": keywords, "sort_order": i}
            )[0]
        have = EngineerProfile.objects.filter(tenant=tenant).count()
        if have < n_engineers:
            users = User.objects.bulk_create(
                [
                    User(
                        tenant=tenant,
                        username=f"eng{i}",
                        email=f"eng{i}@bench.test",
                        real_name=f"工程师{i}",
                        password="!",
                    )
                    for i in range(have, n_engineers)
                ]
            )
            profiles = []
            for user in users:
                city, districts, lat, lon = rng.choice(CITIES)
                profiles.append(
                    EngineerProfile(
                        tenant=tenant,
                        user=user,
                        city=city,
                        district=rng.choice(districts),
                        latitude=Decimal(f"{lat + rng.uniform(-0.3, 0.3):.6f}"),
                        longitude=Decimal(f"{lon + rng.uniform(-0.3, 0.3):.6f}"),
                        max_workload=rng.choice([6, 8, 10]),
                        online_status="online",
                        work_schedule=ON_DUTY,
                        performance_score=round(rng.uniform(55, 98), 1),
                    )
                )
            profiles = EngineerProfile.objects.bulk_create(profiles)
            rows = []
            for p in profiles:
                for code in rng.sample(list(library), rng.randint(2, 6)):
                    rows.append(EngineerSkill(tenant=tenant, engineer=p, skill=library[code], level=rng.randint(1, 5)))
            EngineerSkill.objects.bulk_create(rows)
            # current workload: 0-4 open tickets each
            busy = []
            for k, p in enumerate(profiles):
                for j in range(rng.randint(0, 4)):
                    busy.append(
                        Ticket(
                            tenant=tenant,
                            number=f"B{p.pk}-{j}-{k}",
                            title="进行中",
                            created_by=req,
                            assigned_to_id=p.user_id,
                            status="in_progress",
                        )
                    )
            Ticket.objects.bulk_create(busy)
        have = Ticket.objects.filter(tenant=tenant, status="new", assigned_to__isnull=True).count()
        if have < n_tickets:
            tickets = []
            for i in range(have, n_tickets):
                picks = rng.sample(SKILLS, rng.randint(1, 2))
                city, districts, lat, lon = rng.choice(CITIES)
                title = " ".join(rng.choice(k) for _c, _n, k in picks) + " 故障"
                tickets.append(
                    Ticket(
                        tenant=tenant,
                        number=f"BQ{i}",
                        title=title,
                        created_by=req,
                        status="new",
                        priority=rng.choice(["low", "normal", "high", "urgent"]),
                        custom_fields={
                            "location": {
                                "city": city,
                                "latitude": lat + rng.uniform(-0.2, 0.2),
                                "longitude": lon + rng.uniform(-0.2, 0.2),
                            }
                        },
                    )
                )
            Ticket.objects.bulk_create(tickets)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # earlier rolled-back runs leave dead rows and index entries
    return tenant, sup


class Rollback(Exception):
    pass


def timed(func, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        out.append((time.perf_counter() - start) * 1000)
    return out


def report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    print(f"{name:<58} median {statistics.median(samples):8.1f} ms   p95 {p95:8.1f} ms   (n={len(samples)})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--engineers", type=int, default=1000)
    parser.add_argument("--tickets", type=int, default=500)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup()
    from django.db import connection, transaction

    from dispatch import engine as E
    from dispatch import services
    from tickets.models import Ticket

    assert connection.vendor == "postgresql", "run on PostgreSQL: set DATABASE_URL"
    tenant, sup = seed(args.engineers, args.tickets)
    queue = list(
        Ticket.objects.filter(tenant=tenant, status="new", assigned_to__isnull=True)
        .select_related("category", "tenant")
        .order_by("id")[: args.tickets]
    )
    pool = services.load_pool(tenant)
    print(f"PostgreSQL {connection.pg_version}; {pool.size} engineers, {len(queue)} unassigned tickets\n")
    request = services.Request()
    rng = random.Random(1)

    report(
        "one suggestion (load pool + score, 1 ticket)",
        timed(lambda: services.suggest(ticket=rng.choice(queue), request=request), args.runs),
    )

    def one_dispatch():
        try:
            with transaction.atomic():
                services.dispatch_intelligent(ticket=rng.choice(queue), by=sup, request=request)
                raise Rollback
        except Rollback:
            pass

    report("one intelligent dispatch, end to end (rolled back)", timed(one_dispatch, args.runs))
    s = services.suggest(ticket=queue[0], request=request, pool=pool)
    report(
        "engine only: constraints + scores + ranking",
        timed(lambda: E.assess(pool, s.assessment.ticket, s.assessment.weights), args.runs * 10),
    )

    ids = [t.pk for t in queue]
    plans = []

    def plan():
        plans.append(services.batch_preview(tenant=tenant, by=sup, ticket_ids=ids, request=request))

    report(
        f"batch plan {len(ids)} tickets x {pool.size} engineers (optimal + greedy)", timed(plan, max(3, args.runs // 6))
    )

    def batch():
        try:
            with transaction.atomic():
                services.dispatch_batch(tenant=tenant, by=sup, ticket_ids=ids, request=request)
                raise Rollback
        except Rollback:
            pass

    report(f"batch dispatch end to end, {len(ids)} assignments (rolled back)", timed(batch, max(3, args.runs // 6)))
    result = plans[-1]
    _s, matrix, capacity, _p, _g = services.plan_batch(tickets=queue, tenant=tenant, request=request)
    start = time.perf_counter()
    from dispatch import optimizer

    optimizer.optimal(matrix, capacity)
    solve = (time.perf_counter() - start) * 1000
    print(
        f"\nbatch: optimal total {result.total_score:.1f} ({result.plan.assigned_count()} assigned) vs greedy "
        f"{result.greedy_total_score:.1f} ({result.greedy_plan.assigned_count()} assigned): "
        f"+{result.total_score - result.greedy_total_score:.1f}; solver alone {solve:.0f} ms"
    )


if __name__ == "__main__":
    main()
