"""Every read of the dispatch domain, tenant-scoped by construction (``x_for(user)``).

Statistics and effectiveness are SQL aggregates over ``DispatchRecord`` joined to the tickets'
outcomes (one or two statements each, whatever the number of records)."""

from __future__ import annotations

import math
import statistics as stats
from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import engine as E
from dispatch.choices import DispatchStatus, DispatchType
from dispatch.models import DispatchRecord, DispatchRule, DispatchStrategy
from engineers import selectors as engineer_selectors
from engineers.models import EngineerProfile, EngineerSkill
from tickets.choices import DONE_STATUSES, OPEN_STATUSES, TicketStatus
from tickets.models import Ticket


def strategies_for(user) -> QuerySet:
    return DispatchStrategy.objects.for_user(user)


def rules_for(user) -> QuerySet:
    return DispatchRule.objects.for_user(user).select_related("created_by")


def records_for(user) -> QuerySet:
    return DispatchRecord.objects.for_user(user).select_related("ticket", "engineer__user", "dispatched_by")


def parse_ids(raw) -> list[int] | None:
    """``engineer_ids=1,2,3`` → [1, 2, 3]; ``None`` when absent; ValueError when malformed."""
    if raw in (None, ""):
        return None
    out = []
    for part in str(raw).split(","):
        part = part.strip()
        if not part:
            continue
        value = int(part)
        if not 0 < value < 2**63:
            raise ValueError(part)
        out.append(value)
    return out


# --- workload --------------------------------------------------------------------------------------


def _engineers(user, engineer_ids):
    queryset = engineer_selectors.with_workload(
        engineer_selectors.engineers_for(user).select_related("user"), breakdown=True
    )
    if engineer_ids is not None:
        queryset = queryset.filter(pk__in=engineer_ids)
    return queryset.order_by("id")


def _distribution(loads: list[int]) -> dict:
    buckets = {"0-2": 0, "3-4": 0, "5-6": 0, "7-8": 0, "9+": 0}
    for n in loads:
        key = "0-2" if n <= 2 else "3-4" if n <= 4 else "5-6" if n <= 6 else "7-8" if n <= 8 else "9+"
        buckets[key] += 1
    return buckets


def balance_score(utilisations: list[float]) -> float:
    """100 when every engineer is equally loaded (relative to capacity); lower as the spread
    grows (100 × (1 − coefficient of variation), floored at 0)."""
    if len(utilisations) < 2:
        return 100.0
    mean = stats.fmean(utilisations)
    if mean == 0:
        return 100.0
    return round(max(0.0, 100.0 * (1 - stats.pstdev(utilisations) / mean)), 1)


def workload(user, *, engineer_ids=None, include_details: bool = False) -> dict:
    """§4.5.1: per engineer open / pending / in-progress tickets and utilisation, plus the
    tenant summary and distribution. Counts come from SQL subqueries (no per-row queries)."""
    engineers = list(_engineers(user, engineer_ids))
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    completed = dict(
        Ticket.objects.filter(
            tenant_id=user.tenant_id,
            assigned_to_id__in=[e.user_id for e in engineers],
            resolved_at__gte=today,
        )
        .values_list("assigned_to_id")
        .annotate(n=Count("id"))
    )
    skills: dict[int, list[str]] = {}
    for engineer_id, name in (
        EngineerSkill.objects.filter(engineer__in=engineers)
        .order_by("-level")
        .values_list("engineer_id", "skill__name")
    ):
        skills.setdefault(engineer_id, []).append(name)
    loads = [e.current_workload for e in engineers]
    utilisation = [e.current_workload / max(1, e.max_workload) for e in engineers]
    rows = []
    now = timezone.now()
    for e in engineers:
        used = e.current_workload / max(1, e.max_workload)
        avg_minutes = e.avg_resolution_minutes or 240
        row = {
            "engineer": e,
            "current_tickets": e.current_workload,
            "pending_tickets": e.pending_tickets,
            "in_progress_tickets": e.in_progress_tickets,
            "completed_today": completed.get(e.user_id, 0),
            "workload_score": round(100.0 * min(1.0, used), 1),
            "capacity_utilization": f"{round(100 * used)}%",
            "estimated_available_time": now
            + timedelta(minutes=avg_minutes * max(0, e.current_workload - e.max_workload + 1)),
            "status": e.online_status,
            "location": f"{e.city}{e.district}",
            "skills_summary": skills.get(e.pk, [])[:5],
            "performance_rating": e.avg_rating,
        }
        rows.append(row)
    summary = {
        "total_engineers": len(engineers),
        "online_engineers": sum(1 for e in engineers if e.online_status in ("online", "busy")),
        "avg_workload": round(stats.fmean(loads), 1) if loads else 0,
        "max_workload": max(loads, default=0),
        "min_workload": min(loads, default=0),
        "workload_variance": round(stats.pvariance(loads), 1) if len(loads) > 1 else 0,
        "balance_score": balance_score(utilisation),
    }
    return {"summary": summary, "engineers": rows, "workload_distribution": _distribution(loads)}


def load_balance_suggestions(user) -> dict:
    """§4.5.2: who is above the tenant's mean utilisation band and who has room, and which of
    the overloaded engineers' not-yet-started tickets (lowest priority first) could move."""
    engineers = list(_engineers(user, None).filter(employment_status__in=("active", "probation")))
    if not engineers:
        return {"balance_score": 100.0, "suggestions": [], "overloaded_engineers": [], "underloaded_engineers": []}
    total_load = sum(e.current_workload for e in engineers)
    total_cap = sum(e.max_workload for e in engineers)
    target = total_load / total_cap if total_cap else 0
    over, under = [], []
    for e in engineers:
        recommended = max(0, math.ceil(target * e.max_workload))
        if e.current_workload > recommended and e.current_workload >= 2:
            over.append((e, recommended))
        elif e.current_workload < e.max_workload and e.online_status != "offline":
            under.append(e)
    suggestions = []
    room = {e.pk: e.max_workload - e.current_workload for e in under}
    before = balance_score([e.current_workload / max(1, e.max_workload) for e in engineers])
    for e, recommended in sorted(over, key=lambda x: -(x[0].current_workload - x[1])):
        excess = e.current_workload - recommended
        movable = list(
            Ticket.objects.filter(
                tenant_id=user.tenant_id,
                assigned_to_id=e.user_id,
                status=TicketStatus.ASSIGNED,
                accepted_at__isnull=True,
            )
            .order_by("priority_rank", "created_at")
            .values_list("id", flat=True)[:excess]
        )
        targets = [x for x in sorted(under, key=lambda u: -room[u.pk]) if room[x.pk] > 0][: max(1, len(movable))]
        if not movable or not targets:
            continue
        for t in targets[: len(movable)]:
            room[t.pk] -= 1
        loads = {x.pk: x.current_workload for x in engineers}
        loads[e.pk] -= len(movable)
        for i, _t in enumerate(movable):
            loads[targets[i % len(targets)].pk] += 1
        after = balance_score([loads[x.pk] / max(1, x.max_workload) for x in engineers])
        suggestions.append(
            {
                "type": "redistribute",
                "description": _(
                    "Move %(n)s not-yet-accepted low-priority ticket(s) of %(name)s to engineers with room."
                )
                % {"n": len(movable), "name": e.display_name},
                "affected_tickets": movable,
                "target_engineers": [t.pk for t in targets],
                "expected_improvement": round(max(0.0, after - before), 1),
            }
        )
    return {
        "balance_score": before,
        "suggestions": suggestions,
        "overloaded_engineers": [
            {
                "engineer_id": e.pk,
                "engineer_name": e.display_name,
                "current_load": e.current_workload,
                "recommended_load": rec,
                "excess_tickets": e.current_workload - rec,
            }
            for e, rec in over
        ],
        "underloaded_engineers": [
            {
                "engineer_id": e.pk,
                "engineer_name": e.display_name,
                "current_load": e.current_workload,
                "capacity": e.max_workload,
                "available_capacity": e.max_workload - e.current_workload,
            }
            for e in under
        ],
    }


# --- statistics -----------------------------------------------------------------------------------

TIME_RANGES = {"1d": 1, "7d": 7, "30d": 30}
GROUPS = ("strategy", "engineer", "priority")


def _success():
    """A dispatch succeeded when it was not revoked and the ticket is still (or was, until it
    was done) with the dispatched engineer — i.e. nobody rejected or took it back."""
    return Q(status=DispatchStatus.ACTIVE) & Q(ticket__assigned_to_id=F("assignee_id"))


def _pct(part, whole) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def statistics_overview(user, *, time_range: str = "7d", group_by: str = "strategy") -> dict:
    days = TIME_RANGES[time_range]
    since = timezone.now() - timedelta(days=days)
    records = DispatchRecord.objects.for_user(user).filter(created_at__gte=since)
    response = ExpressionWrapper(F("ticket__accepted_at") - F("created_at"), output_field=DurationField())
    summary = records.aggregate(
        total=Count("id"),
        intelligent=Count("id", filter=~Q(dispatch_type=DispatchType.MANUAL)),
        manual=Count("id", filter=Q(dispatch_type=DispatchType.MANUAL)),
        success=Count("id", filter=_success()),
        avg_score=Avg("total_score", filter=~Q(dispatch_type=DispatchType.MANUAL)),
        avg_response=Avg(response, filter=_success() & Q(ticket__accepted_at__gte=F("created_at"))),
    )
    field = {"strategy": "strategy_code", "engineer": "engineer_id", "priority": "ticket__priority"}[group_by]
    groups = {}
    for row in (
        records.values(field)
        .annotate(count=Count("id"), success=Count("id", filter=_success()), avg=Avg("total_score"))
        .order_by(field)
    ):
        key = str(row[field] if row[field] not in (None, "") else "-")
        groups[key] = {
            "count": row["count"],
            "success_rate": _pct(row["success"], row["count"]),
            "avg_score": round(row["avg"], 1) if row["avg"] is not None else None,
        }
    trends = [
        {
            "date": row["day"].isoformat(),
            "total": row["total"],
            "success": row["success"],
            "avg_score": round(row["avg"], 1) if row["avg"] is not None else None,
        }
        for row in records.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(total=Count("id"), success=Count("id", filter=_success()), avg=Avg("total_score"))
        .order_by("day")
    ]
    avg_response = summary["avg_response"]
    return {
        "summary": {
            "total_dispatches": summary["total"],
            "intelligent_dispatches": summary["intelligent"],
            "manual_dispatches": summary["manual"],
            "success_rate": _pct(summary["success"], summary["total"]),
            "avg_match_score": round(summary["avg_score"], 1) if summary["avg_score"] is not None else None,
            "avg_response_time": round(avg_response.total_seconds() / 60, 1) if avg_response is not None else None,
        },
        f"by_{group_by}": groups,
        "trends": trends,
    }


def effectiveness(user) -> dict:
    """§4.6.2 from the records and their tickets' outcomes (one aggregate statement), plus the
    current workload balance."""
    records = DispatchRecord.objects.for_user(user)
    done = Q(ticket__status__in=list(DONE_STATUSES - {TicketStatus.CANCELLED}))
    mine = Q(ticket__assigned_to_id=F("assignee_id"))
    delay = ExpressionWrapper(F("created_at") - F("ticket__created_at"), output_field=DurationField())
    f = records.aggregate(
        total=Count("id"),
        automatic=Count("id", filter=~Q(dispatch_type=DispatchType.MANUAL)),
        matched=Count("id", filter=~Q(dispatch_type=DispatchType.MANUAL) & Q(skills_matched=True)),
        rating=Avg("ticket__rating", filter=mine & Q(ticket__rating__isnull=False)),
        resolved=Count("id", filter=mine & done),
        within_sla=Count("id", filter=mine & done & Q(ticket__sla_breached=False)),
        accepted=Count("id", filter=mine & Q(ticket__accepted_at__isnull=False)),
        completed=Count("id", filter=Q(status=DispatchStatus.ACTIVE) & mine & done),
        redone=Count("id", filter=Q(status=DispatchStatus.REVOKED) | ~mine),
        delay=Avg(delay, filter=Q(created_at__gte=F("ticket__created_at"))),
    )
    loads = workload(user)["summary"]["balance_score"]
    total = f["total"]
    metrics = {
        "accuracy_metrics": {
            "skill_match_accuracy": _pct(f["matched"], f["automatic"]),
            "workload_balance_score": loads,
            "customer_satisfaction": round(f["rating"], 2) if f["rating"] is not None else None,
            "sla_compliance_rate": _pct(f["within_sla"], f["resolved"]),
        },
        "performance_metrics": {
            "avg_dispatch_time": round(f["delay"].total_seconds() / 60, 1) if f["delay"] is not None else None,
            "avg_acceptance_rate": _pct(f["accepted"], total),
            "avg_completion_rate": _pct(f["completed"], total),
            "rework_rate": _pct(f["redone"], total),
        },
    }
    suggestions = []
    targets = [
        ("skill_match_accuracy", "accuracy_metrics", 92.0, _("Skill matching"),
         [_("Update the engineers' skill profiles"), _("Add keywords to the skill library")]),
        ("workload_balance_score", "accuracy_metrics", 85.0, _("Workload balance"),
         [_("Use the load_balance strategy for routine tickets"), _("Apply the load-balance suggestions")]),
        ("sla_compliance_rate", "accuracy_metrics", 95.0, _("SLA compliance"),
         [_("Add rules that raise the required level for urgent tickets"), _("Review engineers' schedules")]),
        ("avg_acceptance_rate", "performance_metrics", 90.0, _("Acceptance"),
         [_("Check why dispatched tickets are rejected"), _("Keep engineers' online status current")]),
    ]  # fmt: skip
    for key, group, target, area, tips in targets:
        current = metrics[group][key]
        if total and current is not None and current < target:
            suggestions.append(
                {"area": area, "current_score": current, "target_score": target, "suggestions": [str(t) for t in tips]}
            )
    metrics["improvement_suggestions"] = suggestions
    metrics["sample_size"] = total
    return metrics


# --- locations ------------------------------------------------------------------------------------


def locations(user, *, engineer_ids=None) -> list[EngineerProfile]:
    queryset = engineer_selectors.engineers_for(user).select_related("user").order_by("city", "district", "id")
    if engineer_ids is not None:
        queryset = queryset.filter(pk__in=engineer_ids)
    return list(queryset)


def distance_match(user, *, place: dict, engineer_ids=None, max_distance=None) -> list[dict]:
    """Engineers by distance from ``place`` (haversine on coordinates; city/district when
    either side lacks them), nearest first; ``max_distance`` (km) removes the farther ones."""
    out = []
    for e in locations(user, engineer_ids=engineer_ids):
        distance = None
        if e.has_coordinates and place.get("latitude") is not None and place.get("longitude") is not None:
            distance = E.haversine_km(float(e.latitude), float(e.longitude), place["latitude"], place["longitude"])
        if distance is not None:
            match = "coordinates"
            score = 100.0 * math.exp(-distance / E.LOCATION_DECAY_KM)
            within = max_distance is None or distance <= max_distance
        else:
            same_city = bool(place.get("city")) and e.city == place.get("city")
            same_district = same_city and bool(place.get("district")) and e.district == place.get("district")
            match = "same_district" if same_district else "same_city" if same_city else "other_city"
            score = E.SAME_DISTRICT if same_district else E.SAME_CITY if same_city else E.ELSEWHERE
            within = max_distance is None or same_city
        out.append(
            {
                "engineer": e,
                "distance_km": distance,
                "match": match,
                "location_score": round(score, 1),
                "within": within,
            }
        )
    out = [row for row in out if row["within"]]
    out.sort(key=lambda r: (r["distance_km"] is None, r["distance_km"] or 0, -r["location_score"], r["engineer"].pk))
    return out


def unassigned_queue(user, *, limit: int = 100) -> QuerySet:
    """Open tickets nobody has yet (the dispatch console's queue), most urgent first."""
    return (
        Ticket.objects.for_user(user)
        .filter(status=TicketStatus.NEW, assigned_to__isnull=True)
        .select_related("category")
        .order_by("-priority_rank", "created_at", "id")[:limit]
    )


__all__ = ["OPEN_STATUSES"]
