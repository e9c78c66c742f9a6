"""What the tickets app contributes to the workbench (discovered by ``portal.dashboard``):
ticket and SLA widgets, the ticket statistics provider, ticket search, ticket tasks and the
"new ticket" quick action."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.dashboard.highlight import snippet
from portal.dashboard.registry import (
    QuickAction,
    SearchHit,
    SearchProvider,
    TaskSource,
    Widget,
    register_quick_action,
    register_realtime,
    register_search,
    register_statistics,
    register_task_source,
    register_widget,
)
from portal.timestamps import iso_utc
from tickets import selectors, statistics, todo
from tickets.choices import OPEN_STATUSES, V1, TicketPriority, priority_from_word, status_word
from tickets.models import sla_breached_q
from tickets.policy import STAFF_QUEUE

ALL = frozenset({"user", "agent", "supervisor", "admin"})
STAFF = frozenset({"agent", "supervisor", "admin"})
MANAGERS = frozenset({"supervisor", "admin"})
RANGE = {"type": "select", "options": ["1d", "7d", "30d", "90d"], "default": "7d"}

register_statistics("tickets", statistics.provide, permission="ticket:read")

register_widget(
    Widget(
        code="ticket_summary",
        name=_("Ticket overview"),
        description=_("Tickets created in the period: open, completed and cancelled, with response time."),
        data=statistics.summary_widget,
        widget_type="stat",
        chart_type="doughnut",
        permission="ticket:read",
        module="tickets",
        config_schema={"time_range": RANGE},
        min_width=4,
        width=4,
        default_for=ALL,
        order=10,
    )
)
register_widget(
    Widget(
        code="ticket_trends",
        name=_("Ticket trends"),
        description=_("Tickets created and completed per day."),
        data=statistics.trends_widget,
        chart_type="line",
        permission="ticket:read",
        module="tickets",
        config_schema={"time_range": RANGE, "chart_type": {"type": "select", "options": ["line", "bar"]}},
        min_width=8,
        width=8,
        default_for=ALL,
        order=40,
    )
)
register_widget(
    Widget(
        code="sla_compliance",
        name=_("SLA compliance"),
        description=_("Share of tickets finished within their SLA, and open tickets past it."),
        data=statistics.sla_widget,
        chart_type="doughnut",
        permission="ticket:read",
        module="tickets",
        config_schema={"time_range": RANGE},
        width=4,
        default_for=STAFF,
        order=20,
    )
)
register_widget(
    Widget(
        code="backlog_priority",
        name=_("Backlog by priority"),
        description=_("Open tickets per priority."),
        data=statistics.backlog_priority_widget,
        permission="ticket:read",
        module="tickets",
        width=4,
        default_for=ALL,
        order=30,
    )
)
register_widget(
    Widget(
        code="backlog_category",
        name=_("Backlog by category"),
        description=_("Open tickets per category."),
        data=statistics.backlog_category_widget,
        permission="ticket:read",
        module="tickets",
        width=4,
        default_for=MANAGERS,
        order=60,
    )
)
register_widget(
    Widget(
        code="workload",
        name=_("Workload"),
        description=_("Open, in-progress and overdue tickets per assignee."),
        data=statistics.workload_widget,
        permission="ticket:process",
        module="tickets",
        width=8,
        default_for=MANAGERS,
        order=70,
    )
)


def _my_tasks_widget(user, query) -> dict:
    tasks, total = todo.page(user, status=None, priority=None, start=0, stop=8)
    return {
        "items": [
            {
                "id": t.id,
                "title": t.title,
                "status": t.status,
                "priority": t.priority,
                "priority_label": str(TicketPriority(priority_from_word(t.priority, V1)).label),
                "url": t.url,
                "due_time": iso_utc(t.due_time),
                "is_overdue": t.is_overdue,
            }
            for t in tasks
        ],
        "summary": {"total": total, **todo.summary(user)},
    }


register_widget(
    Widget(
        code="my_tasks",
        name=_("My tasks"),
        description=_("Open tickets assigned to you, most urgent first."),
        data=_my_tasks_widget,
        widget_type="list",
        chart_type=None,
        permission="task:read",
        module="tickets",
        width=4,
        default_for=STAFF,
        order=50,
    )
)

register_task_source(
    TaskSource(
        type="ticket", page=todo.page, summary=todo.summary, set_status=todo.set_status, permission="ticket:read"
    )
)


def _search(user, text: str, limit: int) -> list[SearchHit]:
    hits = []
    for ticket in selectors.ticket_search(user=user, text=text, limit=limit):
        matched_title = text.lower() in f"{ticket.number} {ticket.title}".lower()
        hits.append(
            SearchHit(
                kind="ticket",
                id=str(ticket.pk),
                title=f"{ticket.number} {ticket.title}",
                text=f"{ticket.number} {ticket.title}" if matched_title else snippet(ticket.description, text),
                url=reverse("tickets:detail", args=[ticket.pk]),
                score=ticket.search_score,
                created_at=ticket.created_at,
            )
        )
    return hits


register_search(SearchProvider(kind="ticket", label=_("Tickets"), search=_search, permission="ticket:read", order=10))
register_quick_action(
    QuickAction(
        id="create_ticket", label=_("New ticket"), url_name="tickets:create", permission="ticket:create", order=10
    )
)
register_quick_action(
    QuickAction(
        id="unassigned_tickets",
        label=_("Unassigned tickets"),
        url_name="tickets:unassigned",
        permission=STAFF_QUEUE,  # the page's own code: nobody is offered a queue they are refused
        icon="inbox",
        order=20,
    )
)


def _realtime(user) -> dict:
    """Alerts on the caller's tickets past their SLA, and the latest changed tickets."""
    now = timezone.now()
    scope = statistics.statistics_scope(user)
    breached = scope.filter(sla_breached_q(now), status__in=OPEN_STATUSES).count()
    alerts = []
    if breached:
        alerts.append(
            {
                "id": "tickets_sla_breached",
                "level": "critical",
                "message": str(_("%(n)s open tickets are past their SLA.") % {"n": breached}),
                "timestamp": now,
            }
        )
    latest = (
        selectors.tickets_for(user)
        .select_related("created_by", "assigned_to")
        .order_by("-updated_at", "-id")
        .only(
            "id",
            "number",
            "title",
            "status",
            "created_at",
            "updated_at",
            "created_by__real_name",
            "created_by__username",
            "assigned_to__real_name",
            "assigned_to__username",
        )[:10]
    )
    activities = []
    for ticket in latest:
        created = ticket.status == "new" and (ticket.updated_at - ticket.created_at).total_seconds() < 5
        actor = ticket.created_by if created or ticket.assigned_to is None else ticket.assigned_to
        activities.append(
            {
                "id": f"ticket_{ticket.pk}",
                "type": "ticket_created" if created else f"ticket_{status_word(ticket.status, V1)}",
                "description": f"{ticket.number} {ticket.title}",
                "user": actor.real_name or actor.username,
                "url": reverse("tickets:detail", args=[ticket.pk]),
                "timestamp": ticket.updated_at,
            }
        )
    return {"alerts": alerts, "recent_activities": activities}


register_realtime("tickets", _realtime, permission="ticket:read")
