"""Median time per call of the SLA engine (pure arithmetic, no database).

    .venv/bin/python bench/sla_engine.py [--repeat 2000]

Calendar: Mon–Fri 09:00–12:00 and 13:30–18:00 Asia/Shanghai, with the 2026 National Day week
(Oct 1–7 off, Sep 20 and Oct 10 worked). A fresh calendar value is used for each scenario, but
calls within a scenario share its per-day cache, as a sweep over many tickets would."""

from __future__ import annotations

import argparse
import statistics
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.sla.engine import (
    BusinessCalendar,
    add_business_minutes,
    business_minutes_between,
    compute_clock,
)

SH = ZoneInfo("Asia/Shanghai")


def calendar() -> BusinessCalendar:
    periods = [(w, time(9), time(12)) for w in range(5)] + [(w, time(13, 30), time(18)) for w in range(5)]
    return BusinessCalendar.build(
        time_zone="Asia/Shanghai",
        periods=periods,
        holidays=[date(2026, 10, d) for d in range(1, 8)],
        workdays={date(2026, 9, 20): None, date(2026, 10, 10): None},
    )


def measure(label: str, func, repeat: int) -> None:
    func()  # warm the calendar's per-day cache once, as a long-running worker would be
    samples = []
    for _ in range(repeat):
        start = clock.perf_counter_ns()
        func()
        samples.append(clock.perf_counter_ns() - start)
    median = statistics.median(samples) / 1000
    p95 = sorted(samples)[int(len(samples) * 0.95)] / 1000
    print(f"{label:<58} median {median:8.1f} µs   p95 {p95:8.1f} µs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2000)
    repeat = parser.parse_args().repeat
    start = datetime(2026, 9, 14, 10, 17, tzinfo=SH)
    starts = [start + timedelta(minutes=37 * i) for i in range(200)]
    print(f"SLA engine, {repeat} calls per scenario, Python {sys.version.split()[0]}")

    cal = calendar()
    measure("add 240 business minutes (same/next day)", lambda: add_business_minutes(cal, start, 240), repeat)
    cal = calendar()
    measure(
        "add 30 business days (13,500 min, over National Day)", lambda: add_business_minutes(cal, start, 13_500), repeat
    )
    cal = calendar()
    measure("add 250 business days (~1 year)", lambda: add_business_minutes(cal, start, 250 * 450), repeat)
    cal = calendar()
    end = add_business_minutes(cal, start, 13_500)
    measure(
        "business minutes between, 30 business days apart", lambda: business_minutes_between(cal, start, end), repeat
    )
    measure("add 30 business days, 24×7 (no calendar)", lambda: add_business_minutes(None, start, 13_500), repeat)
    cal = calendar()
    pauses = [(start + timedelta(hours=5 * i), start + timedelta(hours=5 * i + 2)) for i in range(10)]
    measure(
        "compute_clock: 5-day target, 10 pauses, evaluated 3 days in",
        lambda: compute_clock(calendar=cal, target_minutes=5 * 450, started_at=start, pauses=pauses,
                              now=start + timedelta(days=3)),
        repeat,
    )  # fmt: skip
    cold = []
    for moment in starts[:50]:
        fresh = calendar()
        t0 = clock.perf_counter_ns()
        add_business_minutes(fresh, moment, 13_500)
        cold.append(clock.perf_counter_ns() - t0)
    label = "add 30 business days, cold calendar (no per-day cache)"
    print(f"{label:<58} median {statistics.median(cold) / 1000:8.1f} µs")


if __name__ == "__main__":
    main()
