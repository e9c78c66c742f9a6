"""Engineer performance from real ticket history, computed with grouped aggregates.

Figures per engineer over the last ``WINDOW_DAYS`` (tickets resolved in the window):
- ``resolved_count`` / ``avg_resolution_minutes``: tickets resolved (or closed) and the mean of
  their stored ``resolution_time``;
- ``sla_compliance_rate``: of those with an SLA deadline, the share resolved by it (and not
  flagged breached);
- ``avg_rating`` / ``rated_count``: requesters' 1–5 ratings of them;
- ``rejection_rate``: rejections (history rows of action ``reject`` by the engineer) over the
  tickets they were given in the window (still held or finished + rejected);
- ``total_tickets``: tickets assigned to them in the window (held or finished).

``performance_score`` (0–100) weighs SLA compliance 40 %, rating 30 %, speed 15 % (the tenant's
median resolution time over the engineer's, capped at 100) and non-rejection 15 %; components
without data are left out and the weights renormalised. No data at all: ``None`` (dispatch
treats it as neutral). Written only here; the API never accepts these fields.
"""

from __future__ import annotations

import statistics
from datetime import timedelta

from django.db import transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from engineers import roster
from engineers.models import EngineerProfile
from tickets.choices import TicketStatus
from tickets.models import Ticket, TicketHistory

WINDOW_DAYS = 90
WEIGHTS = {"sla": 40.0, "rating": 30.0, "speed": 15.0, "acceptance": 15.0}
FINISHED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


def _round(value, digits=1):
    return None if value is None else round(float(value), digits)


def score(*, sla: float | None, rating: float | None, speed: float | None, rejection: float | None) -> float | None:
    parts = {
        "sla": sla,
        "rating": None if rating is None else rating / 5 * 100,
        "speed": speed,
        "acceptance": None if rejection is None else 100 - rejection,
    }
    present = {k: v for k, v in parts.items() if v is not None}
    if not present:
        return None
    total_weight = sum(WEIGHTS[k] for k in present)
    return round(sum(WEIGHTS[k] * max(0.0, min(100.0, v)) for k, v in present.items()) / total_weight, 1)


def figures_for_tenant(tenant_id: int, *, now=None) -> dict[int, dict]:
    """{user id: figures} for every assignee of the tenant, in three grouped queries."""
    now = now or timezone.now()
    since = now - timedelta(days=WINDOW_DAYS)
    tickets = Ticket.objects.filter(tenant_id=tenant_id, assigned_to__isnull=False)
    resolved = (
        tickets.filter(status__in=FINISHED, resolved_at__gte=since)
        .order_by()
        .values("assigned_to_id")
        .annotate(
            resolved=Count("id"),
            avg_minutes=Avg("resolution_time"),
            with_sla=Count("id", filter=Q(sla_due_date__isnull=False)),
            within_sla=Count(
                "id", filter=Q(sla_due_date__isnull=False, resolved_at__lte=F("sla_due_date"), sla_breached=False)
            ),
            avg_rating=Avg("rating"),
            rated=Count("rating"),
        )
    )
    given = dict(
        tickets.filter(assigned_at__gte=since).order_by().values_list("assigned_to_id").annotate(n=Count("id"))
    )
    rejected = dict(
        TicketHistory.objects.filter(
            tenant_id=tenant_id, action="reject", field="status", created_at__gte=since, actor__isnull=False
        )
        .order_by()
        .values_list("actor_id")
        .annotate(n=Count("id"))
    )
    out: dict[int, dict] = {}
    for row in resolved:
        out[row["assigned_to_id"]] = row
    users = set(out) | set(given) | set(rejected)
    medians = [r["avg_minutes"] for r in out.values() if r["avg_minutes"]]
    tenant_median = statistics.median(medians) if medians else None
    figures = {}
    for user_id in users:
        row = out.get(user_id, {})
        held = given.get(user_id, 0)
        rejections = rejected.get(user_id, 0)
        offered = held + rejections
        avg_minutes = row.get("avg_minutes")
        sla = row["within_sla"] / row["with_sla"] * 100 if row.get("with_sla") else None
        rejection = rejections / offered * 100 if offered else None
        speed = min(100.0, tenant_median / avg_minutes * 100) if tenant_median and avg_minutes else None
        rating = row.get("avg_rating")
        figures[user_id] = {
            "total_tickets": held,
            "resolved_count": row.get("resolved", 0),
            "avg_resolution_minutes": _round(avg_minutes),
            "sla_compliance_rate": _round(sla),
            "avg_rating": _round(rating, 2),
            "rated_count": row.get("rated", 0),
            "rejection_rate": _round(rejection),
            "performance_score": score(sla=sla, rating=rating, speed=speed, rejection=rejection),
        }
    return figures


EMPTY = {
    "total_tickets": 0,
    "resolved_count": 0,
    "avg_resolution_minutes": None,
    "sla_compliance_rate": None,
    "avg_rating": None,
    "rated_count": 0,
    "rejection_rate": None,
    "performance_score": None,
}


@transaction.atomic
def performance_recompute(*, tenant_id: int | None = None, now=None) -> int:
    """Recompute and store every (alive) engineer's figures, per tenant; returns how many
    profiles were written. Idempotent: the same history gives the same figures."""
    now = now or timezone.now()
    profiles = EngineerProfile.objects.all()
    if tenant_id is not None:
        profiles = profiles.filter(tenant_id=tenant_id)
    tenant_ids = sorted(set(profiles.values_list("tenant_id", flat=True)))
    written = 0
    for tid in tenant_ids:
        figures = figures_for_tenant(tid, now=now)
        rows = list(profiles.filter(tenant_id=tid).select_for_update())
        for profile in rows:
            for name, value in figures.get(profile.user_id, EMPTY).items():
                setattr(profile, name, value)
            profile.performance_computed_at = now
        EngineerProfile.objects.bulk_update(rows, [*EMPTY, "performance_computed_at"], batch_size=500)
        roster.roster_changed(tid)
        written += len(rows)
    return written
