"""Time the workbench endpoints (statistics, realtime, global search, widget data) at 100,000
tickets on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsportal_bench \\
        .venv/bin/python -m bench.dashboard [--tickets 100000] [--runs 40]

Seeds the same ``bench`` tenant as ``bench.tickets_api`` (reused when present), rebuilds the
ticket roll-ups that a bulk insert bypasses, runs VACUUM (ANALYZE), then calls each endpoint
in-process through the real URL/view/serializer stack as a supervisor (the whole tenant), an
agent and a requester, and prints p50/p95 in milliseconds. Target: p95 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from bench.tickets_api import CUSTOMERS, WORDS, seed, setup, vacuum


def measure(tenant, people, runs: int) -> list[tuple[str, float, float]]:
    from rest_framework.test import APIClient

    from tickets.models import Ticket

    def client(username):
        c = APIClient()
        c.force_authenticate(people[username])
        return c

    sup, agent, requester = client("sup"), client("agent3"), client("req7")
    numbers = list(Ticket.objects.filter(tenant=tenant).order_by("?").values_list("number", flat=True)[:runs])
    cases = [
        ("statistics 7d (supervisor)", sup, lambda i: "/api/v1/dashboard/statistics?time_range=7d"),
        ("statistics 30d (supervisor)", sup, lambda i: "/api/v1/dashboard/statistics?time_range=30d"),
        ("statistics 90d (supervisor)", sup, lambda i: "/api/v1/dashboard/statistics?time_range=90d"),
        ("statistics 30d (agent)", agent, lambda i: "/api/v1/dashboard/statistics?time_range=30d"),
        ("statistics 90d (requester)", requester, lambda i: "/api/v1/dashboard/statistics?time_range=90d"),
        ("realtime (supervisor)", sup, lambda i: "/api/v1/dashboard/realtime"),
        ("realtime (agent)", agent, lambda i: "/api/v1/dashboard/realtime"),
        ("search word (supervisor)", sup, lambda i: f"/api/v1/dashboard/search?q={WORDS[i % len(WORDS)]}"),
        ("search ticket number (supervisor)", sup, lambda i: f"/api/v1/dashboard/search?q={numbers[i % len(numbers)]}"),
        ("search customer (supervisor)", sup, lambda i: f"/api/v1/dashboard/search?q={CUSTOMERS[i % len(CUSTOMERS)]}"),
        ("search word (requester)", requester, lambda i: f"/api/v1/dashboard/search?q={WORDS[i % len(WORDS)]}"),
        (
            "widget ticket_trends 30d (supervisor)",
            sup,
            lambda i: "/api/v1/dashboard/widgets/ticket_trends/data?time_range=30d",
        ),
        ("widget ticket_summary 7d (supervisor)", sup, lambda i: "/api/v1/dashboard/widgets/ticket_summary/data"),
        ("widget sla_compliance 7d (supervisor)", sup, lambda i: "/api/v1/dashboard/widgets/sla_compliance/data"),
        ("widget backlog_priority (supervisor)", sup, lambda i: "/api/v1/dashboard/widgets/backlog_priority/data"),
        ("widget backlog_category (supervisor)", sup, lambda i: "/api/v1/dashboard/widgets/backlog_category/data"),
        ("widget workload (supervisor)", sup, lambda i: "/api/v1/dashboard/widgets/workload/data"),
        ("widget my_tasks (agent)", agent, lambda i: "/api/v1/dashboard/widgets/my_tasks/data"),
        ("tasks (agent)", agent, lambda i: "/api/v1/dashboard/tasks"),
    ]
    results = []
    print(f"\n{'endpoint':44} {'p50 ms':>8} {'p95 ms':>8}  (n={runs})")
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
        results.append((name, statistics.median(timings), p95))
        print(f"{name:44} {statistics.median(timings):8.1f} {p95:8.1f}", flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the benchmark is about PostgreSQL).")
    setup()
    tenant, people = seed(args.tickets)
    from tickets import rollups

    started = time.perf_counter()
    rollups.rebuild([tenant.pk])  # the bulk insert bypassed the services that keep them
    print(f"roll-ups rebuilt in {time.perf_counter() - started:.1f}s", flush=True)
    vacuum()
    results = measure(tenant, people, args.runs)
    slow = [name for name, _p50, p95 in results if p95 > 100]
    print(f"\np95 above 100 ms: {', '.join(slow) if slow else 'none'}")


if __name__ == "__main__":
    main()
