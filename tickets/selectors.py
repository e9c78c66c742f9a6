"""Every read of the tickets domain, tenant- and visibility-scoped.

Who sees what: a requester sees the tickets they filed; an agent sees the tickets assigned to
them, the unassigned queue and their own; supervisors and tenant admins the whole tenant.
Invisible tickets are simply absent (404).
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Avg, Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from tickets.choices import OPEN_STATUSES, V1, TicketPriority, TicketStatus, priority_word, status_word
from tickets.models import Category, Ticket, TicketAttachment, TicketComment, TicketHistory, overdue_q, sla_breached_q
from tickets.policy import is_manager, is_staff_member

# Which tickets a user may see, in one rule: supervisors/admins "all" of their tenant's; staff
# (``ticket:process``) those assigned to them, unassigned ones and their own; everyone else
# their own. ``visibility_q`` applies it to querysets, ``payload_visible`` to live events (the
# WebSocket consumer asks for it through ``portal.realtime``, see ``tickets.apps``).
AUDIENCE_ALL, AUDIENCE_STAFF, AUDIENCE_OWN = "all", "staff", "own"


def ticket_audience(user) -> str:
    if is_manager(user):
        return AUDIENCE_ALL
    if user.has_contract_permission("ticket:process"):
        return AUDIENCE_STAFF
    return AUDIENCE_OWN


def visibility_q(user) -> Q:
    audience = ticket_audience(user)
    if audience == AUDIENCE_ALL:
        return Q()
    if audience == AUDIENCE_STAFF:
        return Q(assigned_to=user) | Q(assigned_to__isnull=True) | Q(created_by=user)
    return Q(created_by=user)


def payload_visible(audience: str, user_id: int, payload: dict) -> bool:
    """``visibility_q`` for a ticket event payload (``tickets.events.TicketUpdatedPayload``)."""
    if audience == AUDIENCE_ALL or payload.get("created_by_id") == user_id:
        return True
    if audience != AUDIENCE_STAFF:
        return False
    # Also whoever could see it just before a reassignment: their lists must drop the row.
    before = payload.get("previous_assigned_to_id", payload.get("assigned_to_id"))
    return payload.get("assigned_to_id") in (None, user_id) or before in (None, user_id)


def tickets_for(user) -> QuerySet:
    """The tickets ``user`` may see (alive, own tenant, visibility rules)."""
    if not user or not user.is_authenticated:
        return Ticket.objects.none()
    return Ticket.objects.for_user(user).filter(visibility_q(user))


def ticket_left_view(*, user, pk) -> Ticket | None:
    """A ticket of ``user``'s tenant that they took part in (requested it, acted on it, or were
    its assignee) but may no longer see: reassigned away, or deleted. Pages explain such a
    ticket instead of a bare 404; for anyone else it does not exist."""
    if not user or not user.is_authenticated or user.tenant_id is None:
        return None
    ticket = Ticket.all_objects.filter(tenant_id=user.tenant_id, pk=pk).first()
    if ticket is None:
        return None
    took_part = (
        ticket.created_by_id == user.pk
        or TicketHistory.objects.filter(ticket=ticket)
        .filter(
            Q(actor=user) | Q(field="assigned_to_id", old_value=user.pk) | Q(field="assigned_to_id", new_value=user.pk)
        )
        .exists()
    )
    return ticket if took_part else None


LIST_RELATED = ("created_by", "assigned_to", "category")
#: The user columns a ticket list shows (names, email, role lookups); the rest — password
#: hash included — is never fetched for a list.
LIST_USER_FIELDS = (
    "id",
    "tenant",
    "username",
    "email",
    "real_name",
    "first_name",
    "last_name",
    "status",
    "is_superuser",
)


def with_list_columns(queryset: QuerySet) -> QuerySet:
    """``select_related`` of what a ticket list shows, without the users' other columns."""
    from accounts.models import User

    hidden = [f.name for f in User._meta.concrete_fields if f.name not in LIST_USER_FIELDS]
    return queryset.select_related(*LIST_RELATED).defer(
        *(f"{relation}__{name}" for relation in ("created_by", "assigned_to") for name in hidden)
    )


def ticket_list(*, user, filterset_class, params, base: QuerySet | None = None) -> QuerySet:
    """Filtered, sorted tickets for a list; raises ValidationError on bad parameters. The
    result paginates cheaply: its total comes from the roll-up counters when the list is the
    user's whole view or filtered by status only (``with_count_plan``)."""
    queryset = with_list_columns(base if base is not None else tickets_for(user))
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    try:
        result = filterset.qs
    except Exception as error:  # django-filter raises forms.ValidationError from filter methods
        from django import forms

        if isinstance(error, forms.ValidationError):
            detail = getattr(error, "message_dict", None) or {"non_field_errors": error.messages}
            raise ValidationError(detail) from None
        raise
    return with_count_plan(result, user=user, filterset=filterset) if base is None else result


UNFILTERING = {"sort", "order", "page", "size", "limit"}


def _statuses_filtered(filterset) -> list[str] | bool | None:
    """The canonical statuses a filterset keeps (None = all), or False when it filters on
    anything but status (then no counter can answer)."""
    statuses = None
    for name, value in filterset.form.cleaned_data.items():
        if name in UNFILTERING or value in (None, "", [], ()):
            continue
        if name != "status":
            return False
        field = filterset.filters[name]
        translate = getattr(field, "translate", None)
        if translate is not None:  # contract words
            words = [w.strip() for w in str(value).split(",") if w.strip()]
            statuses = sorted({s for w in words for s in translate(w)})
        else:  # canonical values (the pages)
            statuses = sorted(value) if isinstance(value, list | tuple) else [value]
    return statuses


def with_count_plan(queryset: QuerySet, *, user, filterset) -> QuerySet:
    """Attach the exact, cheap total of a list of everything ``user`` sees (optionally by
    status): managers sum the tenant's state counters; agents the counters of their own and
    the unassigned tickets plus a count of the tickets they filed that others handle;
    requesters count their own tickets. Any other filter leaves the capped count."""
    statuses = _statuses_filtered(filterset)
    if statuses is False or not user or not user.is_authenticated or not user.tenant_id:
        return queryset
    from tickets import rollups

    tenant_id = user.tenant_id
    if is_manager(user):

        def plan():
            return rollups.count_tickets(tenant_id=tenant_id, statuses=statuses)

    elif user.has_contract_permission("ticket:process"):

        def plan():
            others = Ticket.objects.filter(tenant_id=tenant_id, created_by=user, assigned_to__isnull=False).exclude(
                assigned_to=user
            )
            if statuses is not None:
                others = others.filter(status__in=statuses)
            counted = rollups.count_tickets(tenant_id=tenant_id, statuses=statuses, assignee_ids=[user.pk, 0])
            return counted + others.count()

    else:

        def plan():
            own = tickets_for(user)
            return (own.filter(status__in=statuses) if statuses is not None else own).count()

    return queryset.with_count_plan(plan)


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


def category_choices_for(user) -> QuerySet:
    """The categories a ticket may be filed under: the caller's tenant's active ones (a
    ticket form's category picker)."""
    return categories_for(user).filter(is_active=True)


def assignees_of(tenant) -> QuerySet:
    """Who may be given tickets of ``tenant``: its active users holding ``ticket:process``
    through their active roles (or those roles' ancestors). ``services.eligible_assignee``
    accepts exactly these, so a picker never offers someone the service would refuse."""
    from accounts.selectors import users_holding

    return users_holding(tenant=tenant, code="ticket:process").order_by("username")


def assignees_for(user) -> QuerySet:
    """``assignees_of`` the caller's tenant (assignee pickers; nothing for platform principals)."""
    from portal.tenancy import principal_tenant

    return assignees_of(principal_tenant(user))


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


HIGH_PRIORITIES = (TicketPriority.HIGH, TicketPriority.URGENT, TicketPriority.CRITICAL)


def desk_stats(*, user) -> dict:
    """The desk ``GET /tickets/stats`` figures over the tickets ``user`` can see.

    Read from the roll-ups (``tickets.rollups``), so the cost does not grow with the tickets:
    managers read the tenant's state counts; agents the counts of their own and the unassigned
    tickets plus, counted live, the few tickets they filed that someone else handles; requesters
    see only their own tickets, counted live (their own, not the tenant's). "Overdue" and "SLA
    breached" depend on the clock: the roll-ups count the open tickets that have a deadline and
    a short index range subtracts those whose deadline is still ahead."""
    now = timezone.now()
    if not user or not user.is_authenticated:
        return desk_stats_live(user=user, now=now)
    if is_manager(user):
        return _desk_from_rollups(user, now, assignees=None)
    if user.has_contract_permission("ticket:process"):
        figures = _desk_from_rollups(user, now, assignees=[user.pk, 0])
        others = tickets_for(user).filter(created_by=user, assigned_to__isnull=False).exclude(assigned_to=user)
        return _add_figures(figures, desk_stats_live(user=user, now=now, visible=others))
    return desk_stats_live(user=user, now=now)


def _add_figures(a: dict, b: dict) -> dict:
    out = {}
    for key, value in a.items():
        if isinstance(value, dict):
            merged = dict(value)
            for k, v in b[key].items():
                merged[k] = merged.get(k, 0) + v
            out[key] = merged
        else:
            out[key] = value + b[key]
    return out


def _desk_from_rollups(user, now, *, assignees) -> dict:
    from tickets import rollups

    figures = dict.fromkeys(
        (
            "total",
            "open",
            "in_progress",
            "pending",
            "resolved",
            "closed",
            "cancelled",
            "overdue",
            "sla_breached",
            "my_tickets",
            "unassigned",
            "high_priority",
            "escalated",
        ),
        0,
    )
    by_priority = dict.fromkeys(TicketPriority.values, 0)
    by_category_ref: dict = {}
    word = {
        TicketStatus.NEW: "open",
        TicketStatus.ASSIGNED: "open",
        TicketStatus.IN_PROGRESS: "in_progress",
        TicketStatus.PAUSED: "pending",
        TicketStatus.RESOLVED: "resolved",
        TicketStatus.CLOSED: "closed",
        TicketStatus.CANCELLED: "cancelled",
    }
    for row in rollups.desk_groups(tenant_id=user.tenant_id, me=user.pk, assignee_ids=assignees):
        n, is_open = row["total"], row["status"] in OPEN_STATUSES
        figures["total"] += n
        figures[word[row["status"]]] += n
        by_priority[row["priority"]] = by_priority.get(row["priority"], 0) + n
        by_category_ref[row["category_ref"]] = by_category_ref.get(row["category_ref"], 0) + n
        figures["sla_breached"] += row["sla_any"] if is_open else row["sla_fixed_n"]
        if not is_open:
            continue
        figures["overdue"] += row["due"]
        figures["my_tickets"] += row["mine"]
        figures["unassigned"] += row["unassigned"]
        figures["high_priority"] += n if row["priority"] in HIGH_PRIORITIES else 0
        figures["escalated"] += row["escalated"]
    # Open tickets whose deadline is still ahead are not late yet (partial indexes).
    ahead = Ticket.objects.filter(tenant_id=user.tenant_id, status__in=sorted(OPEN_STATUSES)).filter(
        Q(due_date__gte=now) | Q(sla_due_date__gte=now)
    )
    if assignees is not None:
        ahead = ahead.filter(Q(assigned_to__in=[a for a in assignees if a]) | Q(assigned_to__isnull=True))
    not_fixed = ~Q(sla_breached=True) & ~Q(resolved_at__gt=F("sla_due_date"))
    counts = ahead.aggregate(
        due=Count("id", filter=Q(due_date__gte=now)),
        sla=Count("id", filter=Q(sla_due_date__gte=now) & not_fixed),
    )
    figures["overdue"] -= counts["due"]
    figures["sla_breached"] -= counts["sla"]
    figures["by_priority"] = by_priority
    codes = dict(
        Category.objects.filter(tenant_id=user.tenant_id, pk__in=list(by_category_ref)).values_list("pk", "code")
    )
    by_category: dict = {}
    for ref, n in by_category_ref.items():
        if n:
            key = codes.get(ref) or "uncategorized"
            by_category[key] = by_category.get(key, 0) + n
    figures["by_category"] = by_category
    return figures


def desk_stats_live(*, user, now=None, visible: QuerySet | None = None) -> dict:
    """The desk figures aggregated over the tickets themselves (``visible`` defaults to what
    ``user`` can see): the reference the roll-ups are tested against, and the path of roles
    whose view is their own tickets."""
    now = now or timezone.now()
    visible = tickets_for(user) if visible is None else visible
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
    """v1 statistics: summary, per-day trends and distributions of the tickets ``user`` can see
    that were created within ``time_range``.

    Managers (who see the whole tenant) read the daily roll-ups (``tickets.rollups``): about 60
    rows per day of the range, whatever the number of tickets. A user who holds
    ``ticket:statistics`` without being a manager sees only their own share of the tickets,
    which the roll-ups do not break down by person: theirs is aggregated live over the tickets
    they can see (``statistics_overview_live``)."""
    if not is_manager(user):
        return statistics_overview_live(user=user, time_range=time_range, group_by=group_by)
    from tickets import rollups
    from tickets.models import RollupKind

    now = timezone.now()
    days = TIME_RANGES[time_range]
    today = timezone.localdate()
    start_day = today - timedelta(days=days - 1)
    rows = rollups.daily_rows(tenant_id=user.tenant_id, since=start_day)
    totals = dict.fromkeys(rollups.DAILY_METRICS, 0)
    groups = {"total": 0, "pending": 0, "in_progress": 0, "resolved": 0}
    status_group = {
        TicketStatus.NEW: "pending",
        TicketStatus.ASSIGNED: "pending",
        TicketStatus.IN_PROGRESS: "in_progress",
        TicketStatus.PAUSED: "in_progress",
        TicketStatus.RESOLVED: "resolved",
        TicketStatus.CLOSED: "resolved",
    }
    by = {"status": {}, "priority": {}, "category": {}, "assignee": {}}
    per_day: dict = {}
    resolved_per_day: dict = {}

    def bump(table, key, n):
        table[key] = table.get(key, 0) + n

    for row in rows:
        n = row["n"]
        if row["kind"] == RollupKind.CREATED:
            for metric in rollups.DAILY_METRICS:
                totals[metric] += row[metric]
            groups["total"] += n
            if row["status"] in status_group:
                groups[status_group[row["status"]]] += n
            bump(by["status"], row["status"], n)
            bump(by["priority"], row["priority"], n)
            entry = per_day.setdefault(row["day"], [0, 0, 0])
            entry[0] += n
            entry[1] += row["response_sum"]
            entry[2] += row["response_n"]
        elif row["kind"] == RollupKind.CATEGORY:
            bump(by["category"], row["ref"], n)
        elif row["kind"] == RollupKind.ASSIGNEE:
            bump(by["assignee"], row["ref"], n)
        else:
            bump(resolved_per_day, row["day"], n)

    def average(total, count):
        return round(total / count, 1) if count else None

    summary = {
        **groups,
        "avg_response_time": average(totals["response_sum"], totals["response_n"]),
        "avg_resolve_time": average(totals["resolution_sum"], totals["resolution_n"]),
        "satisfaction_rate": average(totals["rating_sum"], totals["rating_n"]),
    }
    trends = []
    for offset in range(days):
        day = start_day + timedelta(days=offset)
        n, response_sum, response_n = per_day.get(day, (0, 0, 0))
        trends.append(
            {
                "date": day.isoformat(),
                "created": n,
                "resolved": resolved_per_day.get(day, 0),
                "avg_response_time": average(response_sum, response_n),
            }
        )

    def named(dimension: str) -> dict:
        counts = {k: v for k, v in by[dimension].items() if v}
        if dimension == "category":
            names = dict(
                Category.objects.filter(tenant_id=user.tenant_id, pk__in=list(counts)).values_list("pk", "code")
            )
        elif dimension == "assignee":
            from accounts.models import User

            names = dict(
                User.objects.filter(tenant_id=user.tenant_id, pk__in=list(counts)).values_list("pk", "username")
            )
        out: dict = {}
        for value, n in counts.items():
            if dimension == "priority":
                key = priority_word(value, V1)
            elif dimension == "status":
                key = status_word(value, V1)
            else:
                key = names.get(value) or ("unassigned" if dimension == "assignee" else "uncategorized")
            out[key] = out.get(key, 0) + n
        return out

    by_priority = {priority_word(p, V1): by["priority"][p] for p in TicketPriority.values if by["priority"].get(p)}
    distribution = {"by_priority": by_priority, "by_category": named("category")}
    if group_by and f"by_{group_by}" not in distribution:
        distribution[f"by_{group_by}"] = named(group_by)
    return {
        "summary": summary,
        "trends": trends,
        "distribution": distribution,
        "time_range": time_range,
        "generated_at": now,
    }


def statistics_overview_live(*, user, time_range: str = "7d", group_by: str | None = None) -> dict:
    """The v1 statistics aggregated over the tickets themselves: the reference the roll-ups
    are tested against, and the path of users whose view is not the whole tenant."""
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


# --- desk queues ------------------------------------------------------------------------------


def my_tickets_queue(*, user) -> QuerySet:
    """``GET /api/tickets/my-tickets``: visible tickets assigned to or filed by ``user``."""
    return tickets_for(user).filter(Q(assigned_to=user) | Q(created_by=user)).select_related(*LIST_RELATED)


def unassigned_queue(*, user) -> QuerySet:
    """Open visible tickets nobody holds yet."""
    return tickets_for(user).filter(assigned_to__isnull=True, status__in=OPEN_STATUSES).select_related("category")


def overdue_queue(*, user, now, min_hours: int = 0) -> QuerySet:
    """Visible overdue tickets, at least ``min_hours`` past their due date, oldest due first."""
    queryset = tickets_for(user).filter(overdue_q(now)).select_related("assigned_to")
    if min_hours:
        queryset = queryset.filter(due_date__lte=now - timedelta(hours=min_hours))
    return queryset.order_by("due_date", "id")


def sla_breach_queue(*, user, now, min_hours: int = 0) -> QuerySet:
    """Visible tickets past their SLA, by at least ``min_hours`` (still open: now; resolved:
    when resolved), earliest SLA due first."""
    queryset = tickets_for(user).filter(sla_breached_q(now)).select_related("category")
    if min_hours:
        late = timedelta(hours=min_hours)
        queryset = queryset.filter(
            Q(resolved_at__isnull=True, sla_due_date__lte=now - late)
            | Q(resolved_at__isnull=False, resolved_at__gte=F("sla_due_date") + late)
        )
    return queryset.order_by("sla_due_date", "id")


def usernames(ids) -> dict[int, str]:
    """``{user id: username}`` for the history of a visible ticket (ids come from its rows)."""
    from django.contrib.auth import get_user_model

    return dict(get_user_model().objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "username"))


def category_of_tenant(*, tenant, pk) -> Category | None:
    """A category of ``tenant`` by id (a parent picked in a form or an API call), or ``None``."""
    return Category.objects.for_tenant(tenant).filter(pk=pk).first()


def ticket_attachment(*, ticket, pk) -> TicketAttachment | None:
    """An attachment of a ticket already known to be visible."""
    return TicketAttachment.objects.filter(ticket=ticket, pk=pk).first()


def upload_for_download(*, user, pk) -> TicketAttachment | None:
    """A stored upload ``user`` may download: on a ticket they can see, or their own upload not
    yet attached to a ticket."""
    visible = tickets_for(user).values("pk")
    return (
        TicketAttachment.objects.for_user(user)
        .filter(pk=pk)
        .filter(Q(ticket__in=visible) | Q(ticket__isnull=True, uploaded_by=user))
        .first()
    )


def search_tiers(text: str) -> list[tuple[float, Q]]:
    """The ranks of the ticket search (``filtersets.search_q``), best first, each with the
    condition that earns it; a ticket ranks by the first condition it meets. The last rank
    tests only the fields no rank above tests (description): a ticket that matches one of
    those has a better rank already, and their indexes are not scanned twice."""
    from portal.textsearch import contains_q, iexact_q, startswith_q
    from tickets.filtersets import CUSTOMER_FIELDS, SEARCH_FIELDS, search_q

    tiers = [
        (1.0, iexact_q("number", text)),
        (0.95, iexact_q("title", text)),
        (0.9, startswith_q("title", text)),
        (0.8, contains_q("title", text)),
        (0.7, contains_q("number", text)),
        (0.6, search_q(text, CUSTOMER_FIELDS)),
    ]
    others = tuple(f for f in SEARCH_FIELDS if f not in ("number", "title", *CUSTOMER_FIELDS))
    if others:
        tiers.append((0.5, search_q(text, others)))
    return tiers


#: The ranks of ``search_tiers`` by the field they test, the widest last (number contains
#: number exact; title contains title prefix contains title exact).
TIER_GROUPS = ((0, 4), (1, 2, 3), (5,), (6,))


def _rank_of(tiers: list[tuple[float, Q]], group: tuple[int, ...]):
    """The best rank of ``group`` a ticket meeting the group's widest condition meets."""
    if len(group) == 1:
        return Value(group[0], output_field=IntegerField())
    return Case(
        *(When(tiers[i][1], then=Value(i)) for i in group[:-1]),
        default=Value(group[-1]),
        output_field=IntegerField(),
    )


def _ranked_union(parts: list[tuple[object, QuerySet]]) -> list[dict]:
    """``pk``, ``created_at`` and ``rank`` (an index into the tiers) of the tickets each part
    (a sliced ``pk`` subquery) selects, all parts in one UNION ALL."""
    union = None
    for rank, subquery in parts:
        rows = Ticket.all_objects.filter(pk__in=subquery).order_by().values("pk", "created_at").annotate(rank=rank)
        union = rows if union is None else union.union(rows, all=True)
    return list(union) if union is not None else []


#: A group of ranks with fewer matches than this is read whole, through the search indexes;
#: of a group with more, each rank's newest are read off the ``created_at`` index.
SEARCH_PROBE = 100


def ticket_search(*, user, text: str, limit: int = 10) -> list[Ticket]:
    """The tickets ``user`` may see that match ``text`` — the tickets list's own search
    (``filtersets.search_q``) — best first: exact number, then title prefix, title, customer,
    description; newest first within a rank. ``search_score`` is in [0, 1].

    Every match is never scored and sorted (≈ 25 ms per 10,000, and a common word matches a
    tenth of the tickets); each rank contributes its newest ``limit`` and a ticket takes the
    best rank it came with. That is the order of scoring every match: a ticket among the
    best ``limit`` has fewer than ``limit`` newer tickets meeting its own rank's condition
    (each ranks above it), so it is among that rank's newest ``limit``; a ticket that came
    only with a worse rank than its own ranks lower still.

    Two steps, because ``ORDER BY created_at DESC LIMIT n`` is fast only for a common rank:
    for a rare one PostgreSQL may walk the whole ``created_at`` index (it cannot tell that a
    gram is rare: ≈ 110 ms at 100,000). First each group of ranks (``TIER_GROUPS``) is read
    up to ``SEARCH_PROBE`` matches of its widest condition, in no order (the search indexes,
    or a scan that stops early), each ticket with its best rank of the group; a group that
    has fewer is complete. Then only the ranks of the common groups are read newest first.
    Three queries at most, whatever the number of matches."""
    text = (text or "").strip()
    if not text:
        return []
    visible = tickets_for(user)
    tiers = search_tiers(text)
    groups = [group for group in TIER_GROUPS if group[-1] < len(tiers)]
    group_of = {i: g for g, group in enumerate(groups) for i in group}
    probe = max(SEARCH_PROBE, limit)
    rows = _ranked_union(
        [
            (_rank_of(tiers, group), visible.filter(tiers[group[-1]][1]).order_by().values("pk")[:probe])
            for group in groups
        ]
    )
    counts = [0] * len(groups)
    for row in rows:
        counts[group_of[row["rank"]]] += 1
    common = [i for g, group in enumerate(groups) if counts[g] >= probe for i in group]
    rows += _ranked_union(
        [
            (
                Value(i, output_field=IntegerField()),
                visible.filter(tiers[i][1]).order_by("-created_at", "-id").values("pk")[:limit],
            )
            for i in common
        ]
    )
    best: dict[int, tuple[float, object]] = {}
    for row in rows:
        score = tiers[row["rank"]][0]
        if row["pk"] not in best or best[row["pk"]][0] < score:
            best[row["pk"]] = (score, row["created_at"])
    order = sorted(best, key=lambda pk: (best[pk][0], best[pk][1], pk), reverse=True)[:limit]
    tickets = visible.filter(pk__in=order).only(
        "id", "number", "title", "description", "status", "created_at", "customer_name", "customer_company"
    )
    by_pk = {ticket.pk: ticket for ticket in tickets}
    found = []
    for pk in order:
        if pk in by_pk:  # deleted in between
            by_pk[pk].search_score = best[pk][0]
            found.append(by_pk[pk])
    return found
