"""Ticket roll-ups: counts that the figures and lists read instead of scanning the tickets.

Two tables (``tickets.models``), both maintained **in the same transaction as every ticket
change** and recomputable at any time (``manage.py rebuild_ticket_rollups``):

- ``TicketStateCount`` — alive tickets per tenant × status × priority × category × assignee ×
  escalated × SLA-breached-for-good × has-due-date × has-SLA-due-date. A few thousand rows at
  most per tenant whatever the number of tickets. Serves the desk figures
  (``GET /api/tickets/stats``) and the exact ``total`` of unfiltered and status-filtered lists.
- ``TicketDailyCount`` — per tenant and local day: tickets created (by status × priority, with
  the sums behind average response/resolution time and rating; by category; by assignee) and
  tickets resolved. About 60 rows a day per tenant. Serves the v1 statistics and the workbench.

How they are kept: a writer takes a ``snapshot()`` of the ticket before the change and calls
``apply(before, snapshot(after))``; the difference of the two tickets' contributions is added
with ``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n`` (rows are upserted in key order,
so two concurrent changes never deadlock on them). ``tickets.services.Change`` does this for
every service; ``update_ticket()`` for the SLA check's direct updates; the Django admin's
``save_model`` too. A soft-deleted ticket contributes nothing.

Public read API (tenant-wide figures: for managers, see ``tickets.policy.is_manager``; other
roles' figures come from ``tickets.selectors.desk_stats``/``statistics_overview``, which combine
these tables with the user's own tickets):

- ``state_totals(tenant_id=…, by="status"|"priority"|"category"|"assignee", open_only=False,
  assignee_ids=None, statuses=None)`` -> ``{value: count}``
- ``count_tickets(tenant_id=…, statuses=None, assignee_ids=None)`` -> int
- ``daily_rows(tenant_id=…, since=date, kinds=None)`` -> list of ``TicketDailyCount``-shaped dicts
- ``daily_series(tenant_id=…, since=date, until=date)`` -> ``[{"date", "created", "resolved",
  "avg_response_time"}]`` one entry per day
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncDate

from tickets.choices import OPEN_STATUSES
from tickets.models import RollupKind, Ticket, TicketDailyCount, TicketStateCount

#: The ticket fields the roll-ups depend on (a snapshot holds exactly these).
FIELDS = (
    "tenant_id",
    "is_deleted",
    "status",
    "priority",
    "category_id",
    "assigned_to_id",
    "is_escalated",
    "sla_breached",
    "resolved_at",
    "sla_due_date",
    "due_date",
    "created_at",
    "response_time",
    "resolution_time",
    "rating",
)
STATE_COLUMNS = (
    "tenant_id",
    "status",
    "priority",
    "category_ref",
    "assignee_ref",
    "is_escalated",
    "sla_fixed",
    "due_set",
    "sla_due_set",
)
DAILY_KEY = ("tenant_id", "day", "kind", "status", "priority", "ref")
DAILY_METRICS = ("n", "response_sum", "response_n", "resolution_sum", "resolution_n", "rating_sum", "rating_n")


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_day(moment) -> date:
    return moment.astimezone(_zone()).date()


# --- contributions ----------------------------------------------------------------------------


def snapshot(ticket) -> dict | None:
    """What the roll-ups know of ``ticket`` (a model instance or a ``values()`` dict); None for
    a ticket that counts nowhere (unsaved or soft-deleted)."""
    if isinstance(ticket, dict):
        values = {name: ticket[name] for name in FIELDS}
    elif ticket.pk is None:
        return None
    else:
        values = {name: getattr(ticket, name) for name in FIELDS}
    return None if values["is_deleted"] else values


def sla_fixed(s: dict) -> bool:
    """The part of ``sla_breached_q`` that does not depend on the clock."""
    late = s["sla_due_date"] is not None and s["resolved_at"] is not None and s["resolved_at"] > s["sla_due_date"]
    return bool(s["sla_breached"]) or late


def _state_key(s: dict) -> tuple:
    return (
        s["tenant_id"],
        s["status"],
        s["priority"],
        s["category_id"] or 0,
        s["assigned_to_id"] or 0,
        bool(s["is_escalated"]),
        sla_fixed(s),
        s["due_date"] is not None,
        s["sla_due_date"] is not None,
    )


def _daily(s: dict) -> list[tuple[tuple, tuple]]:
    created = local_day(s["created_at"])
    response, resolution, rating = s["response_time"], s["resolution_time"], s["rating"]
    sums = (
        1,
        response or 0,
        int(response is not None),
        resolution or 0,
        int(resolution is not None),
        rating or 0,
        int(rating is not None),
    )
    one = (1, 0, 0, 0, 0, 0, 0)
    tenant = s["tenant_id"]
    out = [
        ((tenant, created, RollupKind.CREATED.value, s["status"], s["priority"], 0), sums),
        ((tenant, created, RollupKind.CATEGORY.value, "", "", s["category_id"] or 0), one),
        ((tenant, created, RollupKind.ASSIGNEE.value, "", "", s["assigned_to_id"] or 0), one),
    ]
    if s["resolved_at"] is not None:
        out.append(((tenant, local_day(s["resolved_at"]), RollupKind.RESOLVED.value, "", "", 0), one))
    return out


def apply(before: dict | None, after: dict | None) -> None:
    """Move one ticket's contribution from ``before`` to ``after`` (either may be None)."""
    apply_many([(before, after)])


def apply_many(moves) -> None:
    """``apply`` for many tickets at once: the differences are summed first, so a batch costs
    at most two upserts however many tickets it moved (``moves``: pairs of snapshots)."""
    state: dict[tuple, int] = defaultdict(int)
    daily: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(DAILY_METRICS))
    for before, after in moves:
        if before == after:
            continue
        for sign, snap in ((-1, before), (1, after)):
            if snap is None:
                continue
            state[_state_key(snap)] += sign
            for key, metrics in _daily(snap):
                row = daily[key]
                for i, value in enumerate(metrics):
                    row[i] += sign * value
    state_rows = sorted((key, n) for key, n in state.items() if n)
    daily_rows = sorted((key, tuple(m)) for key, m in daily.items() if any(m))
    if state_rows:
        _upsert(TicketStateCount, STATE_COLUMNS, ("n",), [(*key, n) for key, n in state_rows])
    if daily_rows:
        _upsert(TicketDailyCount, DAILY_KEY, DAILY_METRICS, [(*key, *m) for key, m in daily_rows])


#: Rows per INSERT: SQLite takes at most 32,766 parameters in one statement.
UPSERT_CHUNK = 1000


def _upsert(model, key: tuple, metrics: tuple, rows: list[tuple]) -> None:
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    columns = ", ".join(q(c) for c in (*key, *metrics))
    conflict = ", ".join(q(c) for c in key)
    updates = ", ".join(f"{q(m)} = {table}.{q(m)} + excluded.{q(m)}" for m in metrics)
    row = "(" + ", ".join(["%s"] * (len(key) + len(metrics))) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), UPSERT_CHUNK):  # in key order across chunks too: no deadlock
            chunk = rows[start : start + UPSERT_CHUNK]
            values = ", ".join([row] * len(chunk))
            sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({conflict}) DO UPDATE SET {updates}"  # noqa: S608 - names are ours
            cursor.execute(sql, [value for r in chunk for value in r])


def update_ticket(pk: int, **values) -> None:
    """``Ticket.all_objects.filter(pk=pk).update(**values)`` that keeps the roll-ups current
    (for writers that set stored fields directly, such as the SLA check)."""
    row = Ticket.all_objects.filter(pk=pk).values(*FIELDS).first()
    Ticket.all_objects.filter(pk=pk).update(**values)
    if row is not None:
        apply(snapshot(row), snapshot({**row, **{k: v for k, v in values.items() if k in FIELDS}}))


# --- recomputation ----------------------------------------------------------------------------


def _fixed_expression():
    late = Q(sla_due_date__isnull=False, resolved_at__isnull=False, resolved_at__gt=F("sla_due_date"))
    return Case(When(Q(sla_breached=True) | late, then=Value(True)), default=Value(False), output_field=BooleanField())


def _is_set(field: str):
    return Case(
        When(**{f"{field}__isnull": False}, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def recompute(tenant_ids=None) -> tuple[dict, dict]:
    """The roll-ups computed from the tickets themselves: ``({state key: n}, {daily key: metrics})``."""
    alive = Ticket.objects.all()
    if tenant_ids is not None:
        alive = alive.filter(tenant_id__in=list(tenant_ids))
    state = {}
    rows = (
        alive.order_by()
        .annotate(
            category_ref=Coalesce("category_id", 0),
            assignee_ref=Coalesce("assigned_to_id", 0),
            sla_fixed=_fixed_expression(),
            due_set=_is_set("due_date"),
            sla_due_set=_is_set("sla_due_date"),
        )
        .values(*STATE_COLUMNS)
        .annotate(count=Count("id"))
    )
    for row in rows:
        key = tuple(
            bool(row[c]) if c in ("is_escalated", "sla_fixed", "due_set", "sla_due_set") else row[c]
            for c in STATE_COLUMNS
        )
        state[key] = row["count"]
    daily: dict[tuple, tuple] = {}
    zone = _zone()
    created = alive.order_by().annotate(day=TruncDate("created_at", tzinfo=zone))
    for row in created.values("tenant_id", "day", "status", "priority").annotate(
        count=Count("id"),
        response_sum=Coalesce(Sum("response_time"), 0),
        response_n=Count("response_time"),
        resolution_sum=Coalesce(Sum("resolution_time"), 0),
        resolution_n=Count("resolution_time"),
        rating_sum=Coalesce(Sum("rating"), 0),
        rating_n=Count("rating"),
    ):
        key = (row["tenant_id"], row["day"], RollupKind.CREATED.value, row["status"], row["priority"], 0)
        daily[key] = (row["count"], *(row[m] for m in DAILY_METRICS[1:]))
    for kind, column in ((RollupKind.CATEGORY, "category_id"), (RollupKind.ASSIGNEE, "assigned_to_id")):
        for row in created.annotate(ref=Coalesce(column, 0)).values("tenant_id", "day", "ref").annotate(n=Count("id")):
            daily[(row["tenant_id"], row["day"], kind.value, "", "", row["ref"])] = (row["n"], 0, 0, 0, 0, 0, 0)
    resolved = alive.filter(resolved_at__isnull=False).order_by().annotate(day=TruncDate("resolved_at", tzinfo=zone))
    for row in resolved.values("tenant_id", "day").annotate(n=Count("id")):
        daily[(row["tenant_id"], row["day"], RollupKind.RESOLVED.value, "", "", 0)] = (row["n"], 0, 0, 0, 0, 0, 0)
    return state, daily


def stored(tenant_ids=None) -> tuple[dict, dict]:
    """The roll-ups as stored, in the shape of ``recompute()`` (rows that sum to zero left out)."""
    states = TicketStateCount.objects.exclude(n=0)
    days = TicketDailyCount.objects.all()
    if tenant_ids is not None:
        states = states.filter(tenant_id__in=list(tenant_ids))
        days = days.filter(tenant_id__in=list(tenant_ids))
    state = {tuple(row[:-1]): row[-1] for row in states.values_list(*STATE_COLUMNS, "n")}
    daily = {tuple(row[:6]): tuple(row[6:]) for row in days.values_list(*DAILY_KEY, *DAILY_METRICS) if any(row[6:])}
    return state, daily


@transaction.atomic
def rebuild(tenant_ids=None) -> tuple[int, int]:
    """Replace the stored roll-ups by a recomputation; returns (state rows, daily rows).
    Ticket writers wait meanwhile (PostgreSQL: a SHARE lock on the tickets table)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(Ticket._meta.db_table)} IN SHARE MODE")
    state, daily = recompute(tenant_ids)
    states, days = TicketStateCount.objects.all(), TicketDailyCount.objects.all()
    if tenant_ids is not None:
        states, days = states.filter(tenant_id__in=list(tenant_ids)), days.filter(tenant_id__in=list(tenant_ids))
    states.delete()
    days.delete()
    TicketStateCount.objects.bulk_create(
        [TicketStateCount(**dict(zip(STATE_COLUMNS, key, strict=True)), n=n) for key, n in state.items()],
        batch_size=2000,
    )
    TicketDailyCount.objects.bulk_create(
        [
            TicketDailyCount(**dict(zip(DAILY_KEY, key, strict=True)), **dict(zip(DAILY_METRICS, m, strict=True)))
            for key, m in daily.items()
        ],
        batch_size=2000,
    )
    return len(state), len(daily)


# --- reads ------------------------------------------------------------------------------------


def state_rows(*, tenant_id: int, assignee_ids=None, statuses=None):
    """``TicketStateCount`` rows (as dicts) of a tenant, optionally only those assigned to
    ``assignee_ids`` (0 = unassigned) or in ``statuses``."""
    rows = TicketStateCount.objects.filter(tenant_id=tenant_id).exclude(n=0)
    if assignee_ids is not None:
        rows = rows.filter(assignee_ref__in=list(assignee_ids))
    if statuses is not None:
        rows = rows.filter(status__in=list(statuses))
    return rows.values(*STATE_COLUMNS[1:], "n")


def desk_groups(*, tenant_id: int, me: int, assignee_ids=None):
    """The desk statistics' figures of a tenant's alive tickets, summed in the database by
    status × priority × category: a few hundred rows at most, however many assignees and
    flag combinations ``TicketStateCount`` holds. Each row carries ``n`` and the part of it that
    is SLA-breached for good (``sla_fixed``), has an SLA deadline or is breached for good
    (``sla_any``), has a due date (``due``), is assigned to ``me`` (``mine``), is unassigned
    (``unassigned``) or escalated (``escalated``)."""
    rows = TicketStateCount.objects.filter(tenant_id=tenant_id).exclude(n=0)
    if assignee_ids is not None:
        rows = rows.filter(assignee_ref__in=list(assignee_ids))

    def part(condition):
        return Coalesce(Sum("n", filter=condition), 0)

    return (
        rows.order_by()
        .values("status", "priority", "category_ref")
        .annotate(
            total=Sum("n"),
            sla_fixed_n=part(Q(sla_fixed=True)),
            sla_any=part(Q(sla_fixed=True) | Q(sla_due_set=True)),
            due=part(Q(due_set=True)),
            mine=part(Q(assignee_ref=me)),
            unassigned=part(Q(assignee_ref=0)),
            escalated=part(Q(is_escalated=True)),
        )
    )


def count_tickets(*, tenant_id: int, statuses=None, assignee_ids=None) -> int:
    """Alive tickets of a tenant (optionally in ``statuses`` / assigned to ``assignee_ids``,
    0 = unassigned): one indexed SUM over at most a few thousand rows."""
    rows = TicketStateCount.objects.filter(tenant_id=tenant_id)
    if assignee_ids is not None:
        rows = rows.filter(assignee_ref__in=list(assignee_ids))
    if statuses is not None:
        rows = rows.filter(status__in=list(statuses))
    return rows.aggregate(total=Coalesce(Sum("n"), 0))["total"]


def state_totals(*, tenant_id: int, by: str, open_only: bool = False, assignee_ids=None, statuses=None) -> dict:
    """Tenant-wide counts of alive tickets by one dimension: ``status``, ``priority``,
    ``category`` (category id, 0 = none) or ``assignee`` (user id, 0 = unassigned)."""
    column = {"status": "status", "priority": "priority", "category": "category_ref", "assignee": "assignee_ref"}[by]
    if open_only:
        statuses = [s for s in (statuses or OPEN_STATUSES) if s in OPEN_STATUSES]
    rows = TicketStateCount.objects.filter(tenant_id=tenant_id)
    if assignee_ids is not None:
        rows = rows.filter(assignee_ref__in=list(assignee_ids))
    if statuses is not None:
        rows = rows.filter(status__in=list(statuses))
    grouped = rows.order_by().values(column).annotate(total=Sum("n")).values_list(column, "total")
    return {key: total for key, total in grouped if total}


def daily_rows(*, tenant_id: int, since: date, kinds=None) -> list[dict]:
    """``TicketDailyCount`` rows of a tenant from ``since`` (a local date) on."""
    rows = TicketDailyCount.objects.filter(tenant_id=tenant_id, day__gte=since)
    if kinds is not None:
        rows = rows.filter(kind__in=[int(k) for k in kinds])
    return list(rows.values("day", "kind", "status", "priority", "ref", *DAILY_METRICS))


def daily_series(*, tenant_id: int, since: date, until: date) -> list[dict]:
    """One entry per local day from ``since`` to ``until``: tickets created, resolved, and the
    average response time (minutes) of the tickets created that day."""
    created: dict = defaultdict(lambda: [0, 0, 0])
    resolved: dict = defaultdict(int)
    for row in daily_rows(tenant_id=tenant_id, since=since, kinds=[RollupKind.CREATED, RollupKind.RESOLVED]):
        if row["kind"] == RollupKind.CREATED:
            entry = created[row["day"]]
            entry[0] += row["n"]
            entry[1] += row["response_sum"]
            entry[2] += row["response_n"]
        else:
            resolved[row["day"]] += row["n"]
    out = []
    day = since
    while day <= until:
        n, response_sum, response_n = created.get(day, (0, 0, 0))
        out.append(
            {
                "date": day.isoformat(),
                "created": n,
                "resolved": resolved.get(day, 0),
                "avg_response_time": round(response_sum / response_n, 1) if response_n else None,
            }
        )
        day += timedelta(days=1)
    return out
