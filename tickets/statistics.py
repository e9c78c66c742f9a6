"""Ticket figures for the workbench: the statistics provider and the ticket widgets' data.

Every figure is an aggregate query (COUNT/AVG … GROUP BY) over the tickets in the caller's
statistics scope (:func:`statistics_scope`) — never a Python loop over ticket rows — so the cost
grows with the number of days and groups shown, not with the number of tickets.

This is the one module that reads ticket figures for the workbench: when the tickets app keeps
daily roll-ups, only the functions below change, not the workbench.
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
            sla_breached=Count("id", filter=sla_breached_q()),
        )
    )
    figures["avg_response_time"] = _hours(figures.pop("avg_response"))
    figures["avg_resolution_time"] = _hours(figures.pop("avg_resolution"))
    figures["customer_satisfaction"] = _round(figures["customer_satisfaction"])
    return figures


def daily(user, window) -> list[dict]:
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
    in_window = statistics_scope(user).filter(created_at__gte=window.start)
    days = daily(user, window)
    categories = by_category(in_window)
    return {
        "overview": overview(user, window),
        "trends": {
            "ticket_trends": [{k: d[k] for k in ("date", "created", "completed", "pending")} for d in days],
            "response_time_trends": [{"date": d["date"], "avg_time": d["avg_time"]} for d in days],
        },
        "distribution": {
            "ticket_by_priority": by_priority(in_window),
            "ticket_by_category": {code: n for code, _name, n in categories},
            "category_names": {code: str(name) for code, name, _n in categories},
        },
    }


# --- widget data --------------------------------------------------------------------------------


def _dataset(label, data, color) -> dict:
    return {"label": str(label), "data": data, "backgroundColor": color, "borderColor": color}


def summary_widget(user, query) -> dict:
    figures = overview(user, query.window)
    backlog = statistics_scope(user).aggregate(
        open=Count("id", filter=Q(status__in=OPEN)), overdue=Count("id", filter=overdue_q())
    )
    labels = [_("Open"), _("Completed"), _("Cancelled")]
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
                _dataset(_("Created"), created, COLORS["created"]),
                _dataset(_("Completed"), [d["completed"] for d in days], COLORS["completed"]),
            ],
        },
        "summary": {"total": sum(created), "completed": sum(d["completed"] for d in days), "change": change},
    }


def sla_widget(user, query) -> dict:
    """SLA compliance of the tickets finished in the window that had an SLA, plus the open
    tickets already past their SLA deadline (1 query)."""
    now = timezone.now()
    scope = statistics_scope(user)
    figures = scope.aggregate(
        finished=Count("id", filter=Q(resolved_at__gte=query.window.start, sla_due_date__isnull=False)),
        finished_late=Count(
            "id", filter=Q(resolved_at__gte=query.window.start, sla_due_date__isnull=False) & sla_breached_q(now)
        ),
        open_breached=Count("id", filter=Q(status__in=OPEN) & sla_breached_q(now)),
    )
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


def backlog_priority_widget(user, query) -> dict:
    open_now = statistics_scope(user).filter(status__in=OPEN)
    rows = dict(open_now.order_by().values_list("priority").annotate(n=Count("id")))
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
    rows = by_category(statistics_scope(user).filter(status__in=OPEN), limit=8)
    return {
        "chart_data": {
            "labels": [name for _code, name, _n in rows],
            "keys": [code for code, _name, _n in rows],
            "datasets": [_dataset(_("Open tickets"), [n for _c, _name, n in rows], COLORS["created"])],
        },
        "summary": {"total": sum(n for _c, _name, n in rows)},
    }


def workload_widget(user, query) -> dict:
    """Open tickets per assignee (the agents in the caller's scope), busiest first."""
    rows = list(
        statistics_scope(user)
        .filter(status__in=OPEN, assigned_to__isnull=False)
        .order_by()
        .values_list("assigned_to__real_name", "assigned_to__username")
        .annotate(
            n=Count("id"),
            in_progress=Count("id", filter=Q(status=TicketStatus.IN_PROGRESS)),
            overdue=Count("id", filter=overdue_q()),
        )
        .order_by("-n", "assigned_to__username")[:12]
    )
    labels = [real or username for real, username, *_rest in rows]
    return {
        "chart_data": {
            "labels": labels,
            "datasets": [
                _dataset(_("Open"), [r[2] for r in rows], COLORS["created"]),
                _dataset(_("In progress"), [r[3] for r in rows], COLORS["pending"]),
                _dataset(_("Overdue"), [r[4] for r in rows], COLORS["breached"]),
            ],
        },
        "summary": {"assignees": len(rows), "total": sum(r[2] for r in rows)},
    }
