"""Every read of the tickets domain, tenant- and visibility-scoped.

Who sees what: a requester sees the tickets they filed; an agent sees the tickets assigned to
them, the unassigned queue and their own; supervisors and tenant admins the whole tenant.
Invisible tickets are simply absent (404).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from tickets.choices import OPEN_STATUSES, V1, TicketPriority, TicketStatus, priority_word, status_word
from tickets.models import Category, Ticket, TicketAttachment, TicketComment, TicketHistory, overdue_q, sla_breached_q
from tickets.policy import is_manager, is_staff_member


def visibility_q(user) -> Q:
    if is_manager(user):
        return Q()
    if user.has_contract_permission("ticket:process"):
        return Q(assigned_to=user) | Q(assigned_to__isnull=True) | Q(created_by=user)
    return Q(created_by=user)


def tickets_for(user) -> QuerySet:
    """The tickets ``user`` may see (alive, own tenant, visibility rules)."""
    if not user or not user.is_authenticated:
        return Ticket.objects.none()
    return Ticket.objects.for_user(user).filter(visibility_q(user))


LIST_RELATED = ("created_by", "assigned_to", "category")


def ticket_list(*, user, filterset_class, params, base: QuerySet | None = None) -> QuerySet:
    """Filtered, sorted tickets for a list; raises ValidationError on bad parameters."""
    queryset = (base if base is not None else tickets_for(user)).select_related(*LIST_RELATED)
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    try:
        return filterset.qs
    except Exception as error:  # django-filter raises forms.ValidationError from filter methods
        from django import forms

        if isinstance(error, forms.ValidationError):
            detail = getattr(error, "message_dict", None) or {"non_field_errors": error.messages}
            raise ValidationError(detail) from None
        raise


def comments_for(*, ticket: Ticket, user) -> QuerySet:
    queryset = TicketComment.objects.filter(ticket=ticket).select_related("author")
    if not is_staff_member(user):
        queryset = queryset.filter(is_internal=False)
    return queryset.prefetch_related("attachments")


def attachments_for(*, ticket: Ticket) -> QuerySet:
    return TicketAttachment.objects.filter(ticket=ticket).select_related("uploaded_by")


def history_for(*, ticket: Ticket, user) -> QuerySet:
    queryset = TicketHistory.objects.filter(ticket=ticket).select_related("actor").order_by("-created_at", "-id")
    if not is_staff_member(user):
        queryset = queryset.exclude(field="internal_note")
    return queryset


def history_entries(*, ticket: Ticket, user) -> list[dict]:
    """History rows grouped by service call: [{action, actor, created_at, note, changes}]."""
    entries: dict = {}
    for row in history_for(ticket=ticket, user=user):
        entry = entries.get(row.batch)
        if entry is None:
            entry = entries[row.batch] = {
                "id": row.pk,
                "action": row.action,
                "actor": row.actor,
                "created_at": row.created_at,
                "note": row.note,
                "changes": {},
            }
        if row.field:
            entry["changes"][row.field] = {"old": row.old_value, "new": row.new_value}
    return list(entries.values())


def categories_for(user) -> QuerySet:
    return Category.objects.for_user(user)


def category_tree(*, user, active_only: bool = False) -> list[Category]:
    """Root categories with ``children_list`` and ``ticket_count`` (the node's own tickets plus
    its descendants'), in two queries whatever the tree size."""
    nodes = list(categories_for(user).select_related("auto_assign_user"))
    counts = dict(tickets_for(user).filter(category__isnull=False).values_list("category_id").annotate(n=Count("id")))
    by_id = {n.pk: n for n in nodes}
    for node in nodes:
        node.children_list = []
        node.ticket_count = 0
    for node in nodes:  # a node's count includes its subtree: add own count to every ancestor
        own = counts.get(node.pk, 0)
        current = node
        while current is not None:
            current.ticket_count += own
            current = by_id.get(current.parent_id)
    roots = []
    for node in nodes:
        if active_only and not node.is_active:
            continue
        parent = by_id.get(node.parent_id)
        (parent.children_list if parent is not None else roots).append(node)
    return roots


def desk_stats(*, user) -> dict:
    """The desk ``GET /tickets/stats`` figures over the tickets ``user`` can see (3 queries)."""
    now = timezone.now()
    visible = tickets_for(user)
    figures = visible.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=[TicketStatus.NEW, TicketStatus.ASSIGNED])),
        in_progress=Count("id", filter=Q(status=TicketStatus.IN_PROGRESS)),
        pending=Count("id", filter=Q(status=TicketStatus.PAUSED)),
        resolved=Count("id", filter=Q(status=TicketStatus.RESOLVED)),
        closed=Count("id", filter=Q(status=TicketStatus.CLOSED)),
        cancelled=Count("id", filter=Q(status=TicketStatus.CANCELLED)),
        overdue=Count("id", filter=overdue_q(now)),
        sla_breached=Count("id", filter=sla_breached_q(now)),
        my_tickets=Count("id", filter=Q(assigned_to=user, status__in=OPEN_STATUSES)),
        unassigned=Count("id", filter=Q(assigned_to__isnull=True, status__in=OPEN_STATUSES)),
        high_priority=Count(
            "id",
            filter=Q(
                priority__in=[TicketPriority.HIGH, TicketPriority.URGENT, TicketPriority.CRITICAL],
                status__in=OPEN_STATUSES,
            ),
        ),
        escalated=Count("id", filter=Q(is_escalated=True, status__in=OPEN_STATUSES)),
        **_priority_counts(),
    )
    figures["by_priority"] = {p: figures.pop(f"priority_{p}") for p in TicketPriority.values}
    figures["by_category"] = {
        code or "uncategorized": n
        for code, n in visible.order_by().values_list("category__code").annotate(n=Count("id"))
    }
    return figures


def _priority_counts() -> dict:
    """Per-priority counts as filtered aggregates, so they ride along the scan of the summary."""
    return {f"priority_{p}": Count("id", filter=Q(priority=p)) for p in TicketPriority.values}


TIME_RANGES = {"1d": 1, "7d": 7, "30d": 30, "90d": 90}
GROUP_BY = ("status", "priority", "category", "assignee")


def statistics_overview(*, user, time_range: str = "7d", group_by: str | None = None) -> dict:
    """v1 statistics: summary, per-day trends and distributions, all as aggregate queries
    over the tickets ``user`` can see that were created within ``time_range``."""
    now = timezone.now()
    days = TIME_RANGES[time_range]
    start_day = timezone.localdate() - timedelta(days=days - 1)
    start = timezone.make_aware(timezone.datetime.combine(start_day, timezone.datetime.min.time()))
    visible = tickets_for(user)
    window = visible.filter(created_at__gte=start)
    summary = window.aggregate(
        total=Count("id"),
        pending=Count("id", filter=Q(status__in=[TicketStatus.NEW, TicketStatus.ASSIGNED])),
        in_progress=Count("id", filter=Q(status__in=[TicketStatus.IN_PROGRESS, TicketStatus.PAUSED])),
        resolved=Count("id", filter=Q(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])),
        avg_response_time=Avg("response_time"),
        avg_resolve_time=Avg("resolution_time"),
        satisfaction_rate=Avg("rating"),
        **_priority_counts(),
    )
    by_priority = {}
    for priority in TicketPriority.values:
        n = summary.pop(f"priority_{priority}")
        if n:
            by_priority[priority_word(priority, V1)] = n
    for key in ("avg_response_time", "avg_resolve_time", "satisfaction_rate"):
        summary[key] = round(summary[key], 1) if summary[key] is not None else None
    tz = timezone.get_current_timezone()
    created = {
        row["day"]: row
        for row in window.order_by()
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(created=Count("id"), avg_response_time=Avg("response_time"))
    }
    resolved = dict(
        visible.filter(resolved_at__gte=start)
        .order_by()
        .annotate(day=TruncDate("resolved_at", tzinfo=tz))
        .values_list("day")
        .annotate(n=Count("id"))
    )
    trends = []
    for offset in range(days):
        day = start_day + timedelta(days=offset)
        row = created.get(day, {})
        avg = row.get("avg_response_time")
        trends.append(
            {
                "date": day.isoformat(),
                "created": row.get("created", 0),
                "resolved": resolved.get(day, 0),
                "avg_response_time": round(avg, 1) if avg is not None else None,
            }
        )
    distribution = {"by_priority": by_priority, "by_category": _group(window, "category")}
    if group_by and f"by_{group_by}" not in distribution:
        distribution[f"by_{group_by}"] = _group(window, group_by)
    return {
        "summary": summary,
        "trends": trends,
        "distribution": distribution,
        "time_range": time_range,
        "generated_at": now,
    }


def _group(queryset, dimension: str) -> dict:

    column = {
        "status": "status",
        "priority": "priority",
        "category": "category__code",
        "assignee": "assigned_to__username",
    }[dimension]
    out: dict = {}
    for value, n in queryset.order_by().values_list(column).annotate(n=Count("id")):
        if dimension == "priority":
            key = priority_word(value, V1)
        elif dimension == "status":
            key = status_word(value, V1)
        else:
            key = value or ("unassigned" if dimension == "assignee" else "uncategorized")
        out[key] = out.get(key, 0) + n
    return out


def ticket_search(*, user, text: str, limit: int = 10) -> list[Ticket]:
    """The tickets ``user`` may see that match ``text`` — the tickets list's own search
    (``filtersets.search_q``) — best first: exact number, then title prefix, title, customer,
    description; newest first within a rank. ``search_score`` is in [0, 1]."""
    from django.db.models import Case, FloatField, Value, When

    from tickets.filtersets import search_q

    text = (text or "").strip()
    if not text:
        return []
    customer = (
        Q(customer_name__icontains=text)
        | Q(customer_company__icontains=text)
        | Q(customer_email__icontains=text)
        | Q(customer_phone__icontains=text)
    )
    score = Case(
        When(number__iexact=text, then=Value(1.0)),
        When(title__iexact=text, then=Value(0.95)),
        When(title__istartswith=text, then=Value(0.9)),
        When(title__icontains=text, then=Value(0.8)),
        When(number__icontains=text, then=Value(0.7)),
        When(customer, then=Value(0.6)),
        default=Value(0.5),
        output_field=FloatField(),
    )
    return list(
        tickets_for(user)
        .filter(search_q(text))
        .annotate(search_score=score)
        .only("id", "number", "title", "description", "status", "created_at", "customer_name", "customer_company")
        .order_by("-search_score", "-created_at", "-id")[:limit]
    )
