"""Ticket figures for the workbench: the statistics provider and the ticket widgets' data.

Every figure is an aggregate query (COUNT/AVG … GROUP BY) over the tickets in the caller's
statistics scope (:func:`statistics_scope`) — never a Python loop over ticket rows — so the cost
grows with the number of days and groups shown, not with the number of tickets.

Supervisors and tenant admins (whose scope is the whole tenant) read the ticket roll-ups
(``tickets.rollups``: daily counts and state counts maintained in the same transaction as every
ticket change), so their figures cost the same at 1,000 or 1,000,000 tickets. The roll-ups are
not broken down by requester, so requesters' and agents' figures are aggregated live over their
own (few) tickets. This is the one module that reads ticket figures for the workbench.
"""

from __future__ import annotations

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from tickets.choices import OPEN_STATUSES, V1, TicketPriority, TicketStatus, priority_word
from tickets.models import Ticket, overdue_q, sla_breached_q
from tickets.policy import is_manager

DONE = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
OPEN = tuple(OPEN_STATUSES)
COLORS = {
    "created": "#3b82f6",
    "completed": "#16a34a",
    "pending": "#f59e0b",
    "breached": "#dc2626",
    "met": "#16a34a",
}
PRIORITY_COLORS = {
    TicketPriority.LOW: "#94a3b8",
    TicketPriority.NORMAL: "#3b82f6",
    TicketPriority.HIGH: "#f59e0b",
    TicketPriority.URGENT: "#ea580c",
    TicketPriority.CRITICAL: "#dc2626",
}


def statistics_scope(user) -> QuerySet:
    """The tickets whose figures ``user`` sees: a requester the tickets they raised, an agent
    those raised by or assigned to them, supervisors and tenant admins the whole tenant."""
    if not user or not user.is_authenticated or not user.tenant_id:
        return Ticket.objects.none()
    tickets = Ticket.objects.for_user(user)
    if is_manager(user):
        return tickets
    if user.has_contract_permission("ticket:process"):
        return tickets.filter(Q(assigned_to=user) | Q(created_by=user))
    return tickets.filter(created_by=user)


def _hours(minutes) -> float | None:
    return round(minutes / 60, 1) if minutes is not None else None


def _round(value, digits=1) -> float | None:
    return round(value, digits) if value is not None else None


def _tz():
    return timezone.get_current_timezone()


def overview(user, window) -> dict:
    """Tickets created in the window: how many, still open, done, cancelled; average response
    and resolution time (hours) and rating."""
    return _rollup_figures(user, window)["overview"] if is_manager(user) else _overview_live(user, window)


def daily(user, window) -> list[dict]:
    """One entry per local day of the window: created, completed (resolved that day), still
    pending of that day's tickets, average first-response time (hours)."""
    return _rollup_figures(user, window)["days"] if is_manager(user) else _daily_live(user, window)


def _rollup_figures(user, window) -> dict:
    """The tenant's window figures from the daily roll-ups: one indexed read of about 60 rows a
    day, then sums over those rows (never over tickets), plus one query for category names."""
    from tickets import rollups
    from tickets.models import Category, RollupKind

    rows = rollups.daily_rows(tenant_id=user.tenant_id, since=window.first_day)
    totals = dict.fromkeys(("total", "pending", "completed", "cancelled"), 0)
    sums = dict.fromkeys(rollups.DAILY_METRICS, 0)
    per_day: dict = {}
    resolved: dict = {}
    priorities: dict = {}
    categories: dict = {}
    for row in rows:
        n = row["n"]
        if row["kind"] == RollupKind.CREATED:
            for metric in rollups.DAILY_METRICS:
                sums[metric] += row[metric]
            totals["total"] += n
            is_open = row["status"] in OPEN_STATUSES
            totals["pending"] += n if is_open else 0
            totals["completed"] += n if row["status"] in DONE else 0
            totals["cancelled"] += n if row["status"] == TicketStatus.CANCELLED else 0
            priorities[row["priority"]] = priorities.get(row["priority"], 0) + n
            day = per_day.setdefault(row["day"], [0, 0, 0, 0])
            day[0] += n
            day[1] += n if is_open else 0
            day[2] += row["response_sum"]
            day[3] += row["response_n"]
        elif row["kind"] == RollupKind.CATEGORY:
            categories[row["ref"]] = categories.get(row["ref"], 0) + n
        elif row["kind"] == RollupKind.RESOLVED:
            resolved[row["day"]] = resolved.get(row["day"], 0) + n

    def average(total, count):
        return total / count if count else None

    names = {
        pk: (code, name)
        for pk, code, name in Category.objects.filter(tenant_id=user.tenant_id, pk__in=list(categories)).values_list(
            "pk", "code", "name"
        )
    }
    ranked = sorted(
        ((n, names.get(ref, ("uncategorized", _("Uncategorised")))) for ref, n in categories.items() if n),
        key=lambda r: (-r[0], r[1][0]),
    )
    return {
        "overview": {
            "total_tickets": totals["total"],
            "pending_tickets": totals["pending"],
            "completed_tickets": totals["completed"],
            "cancelled_tickets": totals["cancelled"],
            "avg_response_time": _hours(average(sums["response_sum"], sums["response_n"])),
            "avg_resolution_time": _hours(average(sums["resolution_sum"], sums["resolution_n"])),
            "customer_satisfaction": _round(average(sums["rating_sum"], sums["rating_n"])),
        },
        "days": [
            {
                "date": day.isoformat(),
                "created": per_day.get(day, [0])[0],
                "completed": resolved.get(day, 0),
                "pending": per_day.get(day, [0, 0])[1],
                "avg_time": _hours(average(*per_day.get(day, [0, 0, 0, 0])[2:])),
            }
            for day in window.dates()
        ],
        "by_priority": {priority_word(p, V1): priorities.get(p, 0) for p in reversed(TicketPriority.values)},
        "categories": [(code, str(name), n) for n, (code, name) in ranked],
    }


def _overview_live(user, window) -> dict:
    """Tickets created in the window: how many, how many still open, how many done (1 query)."""
    figures = (
        statistics_scope(user)
        .filter(created_at__gte=window.start)
        .aggregate(
            total_tickets=Count("id"),
            pending_tickets=Count("id", filter=Q(status__in=OPEN)),
            completed_tickets=Count("id", filter=Q(status__in=DONE)),
            cancelled_tickets=Count("id", filter=Q(status=TicketStatus.CANCELLED)),
            avg_response=Avg("response_time"),
            avg_resolution=Avg("resolution_time"),
            customer_satisfaction=Avg("rating"),
        )
    )
    figures["avg_response_time"] = _hours(figures.pop("avg_response"))
    figures["avg_resolution_time"] = _hours(figures.pop("avg_resolution"))
    figures["customer_satisfaction"] = _round(figures["customer_satisfaction"])
    return figures


def _daily_live(user, window) -> list[dict]:
    """Per local day: created, completed (resolved that day), still pending of that day's
    tickets, and the average first-response time in hours (2 grouped queries)."""
    scope = statistics_scope(user)
    created = {
        row["day"]: row
        for row in scope.filter(created_at__gte=window.start)
        .order_by()
        .annotate(day=TruncDate("created_at", tzinfo=_tz()))
        .values("day")
        .annotate(created=Count("id"), pending=Count("id", filter=Q(status__in=OPEN)), avg=Avg("response_time"))
    }
    completed = dict(
        scope.filter(resolved_at__gte=window.start)
        .order_by()
        .annotate(day=TruncDate("resolved_at", tzinfo=_tz()))
        .values_list("day")
        .annotate(n=Count("id"))
    )
    days = []
    for day in window.dates():  # one entry per day of the window, not per ticket
        row = created.get(day, {})
        days.append(
            {
                "date": day.isoformat(),
                "created": row.get("created", 0),
                "completed": completed.get(day, 0),
                "pending": row.get("pending", 0),
                "avg_time": _hours(row.get("avg")),
            }
        )
    return days


def by_priority(queryset) -> dict[str, int]:
    rows = dict(queryset.order_by().values_list("priority").annotate(n=Count("id")))
    return {priority_word(p, V1): rows.get(p, 0) for p in reversed(TicketPriority.values)}


def by_category(queryset, *, limit: int = 10) -> list[tuple[str, str, int]]:
    """``(code, name, count)`` of the biggest categories, then the rest as ``other``."""
    rows = list(
        queryset.order_by()
        .values_list("category__code", "category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__code")
    )
    out = [(code or "uncategorized", name or _("Uncategorised"), n) for code, name, n in rows[:limit]]
    rest = sum(n for _code, _name, n in rows[limit:])  # a handful of groups, not tickets
    if rest:
        out.append(("other", _("Other"), rest))
    return out


def by_status(queryset) -> dict[str, int]:
    return dict(queryset.order_by().values_list("status").annotate(n=Count("id")))


def provide(user, window) -> dict:
    """The tickets' part of ``GET /api/v1/dashboard/statistics``."""
    if is_manager(user):
        figures = _rollup_figures(user, window)
        days, categories, priorities = figures["days"], figures["categories"], figures["by_priority"]
        summary = figures["overview"]
    else:
        in_window = statistics_scope(user).filter(created_at__gte=window.start)
        days, categories, priorities = _daily_live(user, window), by_category(in_window), by_priority(in_window)
        summary = _overview_live(user, window)
    return {
        "overview": summary,
        "trends": {
            "ticket_trends": [{k: d[k] for k in ("date", "created", "completed", "pending")} for d in days],
            "response_time_trends": [{"date": d["date"], "avg_time": d["avg_time"]} for d in days],
        },
        "distribution": {
            "ticket_by_priority": priorities,
            "ticket_by_category": {code: n for code, _name, n in categories},
            "category_names": {code: str(name) for code, name, _n in categories},
        },
    }


# --- widget data --------------------------------------------------------------------------------


def _dataset(label, data, color) -> dict:
    return {"label": str(label), "data": data, "backgroundColor": color, "borderColor": color}


def summary_widget(user, query) -> dict:
    figures = overview(user, query.window)
    backlog = _backlog(user)
    labels = [_("Still open"), _("Completed"), _("Cancelled")]
    return {
        "chart_data": {
            "labels": [str(x) for x in labels],
            "datasets": [
                _dataset(
                    _("Tickets"),
                    [figures["pending_tickets"], figures["completed_tickets"], figures["cancelled_tickets"]],
                    [COLORS["pending"], COLORS["completed"], "#94a3b8"],
                )
            ],
        },
        "summary": {
            "total": figures["total_tickets"],
            "pending": figures["pending_tickets"],
            "completed": figures["completed_tickets"],
            "open_now": backlog["open"],
            "overdue_now": backlog["overdue"],
            "avg_response_time": figures["avg_response_time"],
            "customer_satisfaction": figures["customer_satisfaction"],
        },
    }


def _backlog(user) -> dict:
    """Open and overdue tickets now: the roll-ups' state counts for managers (``desk_stats``),
    a live count over their own tickets for everyone else."""
    if is_manager(user):
        from tickets.selectors import desk_stats

        figures = desk_stats(user=user)
        return {"open": figures["open"] + figures["in_progress"] + figures["pending"], "overdue": figures["overdue"]}
    return statistics_scope(user).aggregate(
        open=Count("id", filter=Q(status__in=OPEN)), overdue=Count("id", filter=overdue_q())
    )


def _open_by(user, dimension: str) -> dict:
    """Open tickets now by ``priority`` / ``category`` (id) / ``assignee`` (id), 0 = none."""
    if is_manager(user):
        from tickets import rollups

        return rollups.state_totals(tenant_id=user.tenant_id, by=dimension, open_only=True)
    column = {"priority": "priority", "category": "category_id", "assignee": "assigned_to_id"}[dimension]
    rows = statistics_scope(user).filter(status__in=OPEN).order_by().values_list(column).annotate(n=Count("id"))
    if dimension == "priority":
        return dict(rows)
    return {(value or 0): n for value, n in rows}


def trends_widget(user, query) -> dict:
    days = daily(user, query.window)
    created = [d["created"] for d in days]
    half = len(created) // 2
    earlier, later = sum(created[:half]), sum(created[half:])
    change = None
    if half and earlier:
        change = f"{round((later - earlier) * 100 / earlier):+d}%"
    return {
        "chart_data": {
            "labels": [d["date"] for d in days],
            "datasets": [
                _dataset(_("New tickets"), created, COLORS["created"]),
                _dataset(_("Completed"), [d["completed"] for d in days], COLORS["completed"]),
            ],
        },
        "summary": {"total": sum(created), "completed": sum(d["completed"] for d in days), "change": change},
    }


def sla_widget(user, query) -> dict:
    """SLA compliance of the tickets finished in the window that had an SLA, plus the open
    tickets already past their SLA deadline. The finished ones are an index range on
    ``resolved_at``; the open ones come from the roll-ups for managers."""
    now = timezone.now()
    figures = (
        statistics_scope(user)
        .filter(resolved_at__gte=query.window.start, sla_due_date__isnull=False)
        .aggregate(finished=Count("id"), finished_late=Count("id", filter=sla_breached_q(now)))
    )
    figures["open_breached"] = _open_sla_breached(user, now)
    met = figures["finished"] - figures["finished_late"]
    rate = round(met * 100 / figures["finished"], 1) if figures["finished"] else None
    return {
        "chart_data": {
            "labels": [str(_("Within SLA")), str(_("SLA breached"))],
            "datasets": [
                _dataset(_("Finished tickets"), [met, figures["finished_late"]], [COLORS["met"], COLORS["breached"]])
            ],
        },
        "summary": {
            "compliance_rate": rate,
            "finished": figures["finished"],
            "breached": figures["finished_late"],
            "open_breached": figures["open_breached"],
        },
    }


def _open_sla_breached(user, now) -> int:
    if not is_manager(user):
        return statistics_scope(user).filter(sla_breached_q(now), status__in=OPEN).count()
    from tickets import rollups

    late = sum(
        row["n"]
        for row in rollups.state_rows(tenant_id=user.tenant_id, statuses=OPEN)
        if row["sla_fixed"] or row["sla_due_set"]
    )
    # open tickets whose SLA deadline is still ahead (and not flagged for good) are not late yet
    ahead = Ticket.objects.filter(
        tenant_id=user.tenant_id, status__in=OPEN, sla_due_date__gte=now, sla_breached=False
    ).count()
    return late - ahead


def backlog_priority_widget(user, query) -> dict:
    rows = _open_by(user, "priority")
    order = list(reversed(TicketPriority.values))
    return {
        "chart_data": {
            "labels": [str(TicketPriority(p).label) for p in order],
            "keys": [priority_word(p, V1) for p in order],
            "datasets": [
                _dataset(_("Open tickets"), [rows.get(p, 0) for p in order], [PRIORITY_COLORS[p] for p in order])
            ],
        },
        "summary": {"total": sum(rows.values())},
    }


def backlog_category_widget(user, query) -> dict:
    from tickets.models import Category

    counts = _open_by(user, "category")
    names = dict(
        Category.objects.filter(tenant_id=user.tenant_id, pk__in=[k for k in counts if k]).values_list("pk", "name")
    )
    ranked = sorted(((n, ref) for ref, n in counts.items() if n), key=lambda r: (-r[0], r[1]))
    rows = [(str(ref or "uncategorized"), names.get(ref) or str(_("Uncategorised")), n) for n, ref in ranked[:8]]
    rest = sum(n for n, _ref in ranked[8:])
    if rest:
        rows.append(("other", str(_("Other")), rest))
    return {
        "chart_data": {
            "labels": [name for _code, name, _n in rows],
            "keys": [code for code, _name, _n in rows],
            "datasets": [_dataset(_("Open tickets"), [n for _c, _name, n in rows], COLORS["created"])],
        },
        "summary": {"total": sum(n for _c, _name, n in rows)},
    }


def _workload_rows(user) -> list[tuple[int, int, int, int]]:
    """``(assignee id, open, in progress, overdue)`` per assignee of open tickets, busiest first."""
    now = timezone.now()
    if is_manager(user):
        from tickets import rollups

        open_n: dict = {}
        overdue: dict = {}
        for row in rollups.state_rows(tenant_id=user.tenant_id, statuses=OPEN):
            ref = row["assignee_ref"]
            if ref:
                open_n[ref] = open_n.get(ref, 0) + row["n"]
                overdue[ref] = overdue.get(ref, 0) + (row["n"] if row["due_set"] else 0)
        # open tickets whose due date is still ahead are not overdue (a short index range)
        ahead = (
            Ticket.objects.filter(
                tenant_id=user.tenant_id, status__in=OPEN, due_date__gte=now, assigned_to__isnull=False
            )
            .order_by()
            .values_list("assigned_to_id")
            .annotate(n=Count("id"))
        )
        for ref, n in ahead:
            overdue[ref] = overdue.get(ref, 0) - n
        working = rollups.state_totals(tenant_id=user.tenant_id, by="assignee", statuses=[TicketStatus.IN_PROGRESS])
        rows = [(ref, n, working.get(ref, 0), overdue.get(ref, 0)) for ref, n in open_n.items() if n]
    else:
        rows = list(
            statistics_scope(user)
            .filter(status__in=OPEN, assigned_to__isnull=False)
            .order_by()
            .values_list("assigned_to_id")
            .annotate(
                n=Count("id"),
                in_progress=Count("id", filter=Q(status=TicketStatus.IN_PROGRESS)),
                overdue=Count("id", filter=overdue_q(now)),
            )
        )
    return sorted(rows, key=lambda r: (-r[1], r[0]))[:12]


def workload_widget(user, query) -> dict:
    """Open, in-progress and overdue tickets per assignee (in the caller's scope), busiest first."""
    from accounts.models import User

    rows = _workload_rows(user)
    people = {
        pk: real or username
        for pk, real, username in User.objects.filter(
            tenant_id=user.tenant_id, pk__in=[r[0] for r in rows]
        ).values_list("pk", "real_name", "username")
    }
    return {
        "chart_data": {
            "labels": [people.get(r[0], str(r[0])) for r in rows],
            "datasets": [
                _dataset(_("Still open"), [r[1] for r in rows], COLORS["created"]),
                _dataset(_("In progress"), [r[2] for r in rows], COLORS["pending"]),
                _dataset(_("Overdue"), [r[3] for r in rows], COLORS["breached"]),
            ],
        },
        "summary": {"assignees": len(rows), "total": sum(r[1] for r in rows)},
    }
