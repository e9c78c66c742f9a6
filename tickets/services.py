"""Every write of the tickets domain. Keyword-only, typed, transactional.

Each public service locks the ticket row, checks the actor's permission code and relation to
the ticket (``tickets.policy``), applies the change, writes one history row per changed field
(sharing a batch id) and records exactly one domain event (``tickets.events``), all in one
transaction. A refusal raises ``DomainError`` before anything is written.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.bulk import update_each
from portal.errors import DomainError, ErrorCode
from portal.timestamps import iso_utc
from portal.trees import tree_write
from portal.uploads import check_upload
from tenants.models import Tenant
from tickets import events, rollups, sla
from tickets.choices import OPEN_STATUSES, PRIORITY_RANK, AttachmentKind, TicketPriority, TicketStatus
from tickets.models import Category, Ticket, TicketAttachment, TicketComment, TicketHistory, TicketNumberSequence
from tickets.policy import check_assign, check_transition, is_staff_member, refuse_transition, require_code
from tickets.selectors import assignees_of

User = get_user_model()
S = TicketStatus

MAX_BULK = 500
INTERNAL_NOTE = "internal_note"  # history field of internal comments; hidden from requesters
EDITABLE_FIELDS = (
    "title",
    "description",
    "priority",
    "type",
    "source",
    "category",
    "customer_id",
    "customer_company",
    "customer_name",
    "customer_email",
    "customer_phone",
    "tags",
    "custom_fields",
    "due_date",
)


# --- numbers ----------------------------------------------------------------------------------


def next_ticket_number(*, tenant: Tenant, day: date | None = None) -> str:
    """``T`` + local date + a per-tenant daily sequence. The atomic upsert locks the counter row
    until the creating transaction ends, so concurrent creations queue instead of colliding."""
    day = day or timezone.localdate()
    table = TicketNumberSequence._meta.db_table
    sql = (
        f"INSERT INTO {table} (tenant_id, day, last_value) VALUES (%s, %s, 1) "  # noqa: S608 - table name is ours
        f"ON CONFLICT (tenant_id, day) DO UPDATE SET last_value = {table}.last_value + 1 RETURNING last_value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant.pk, day.isoformat()])
        value = cursor.fetchone()[0]
    return f"T{day:%Y%m%d}{value:04d}"


# --- history ----------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclass
class Change:
    """The history rows of one service call."""

    ticket: Ticket
    actor: object
    action: str
    note: str = ""
    batch: uuid.UUID = field(default_factory=uuid.uuid4)
    rows: list = field(default_factory=list)
    changed: set = field(default_factory=set)
    #: the ticket as the roll-ups knew it before this call (a new ticket counted nowhere yet)
    before: dict | None = field(init=False, default=None)

    def __post_init__(self):
        self.before = None if self.action == "create" else rollups.snapshot(self.ticket)

    def set(self, name: str, value) -> bool:
        """Set ``ticket.<name>`` and note the change; returns whether it changed."""
        attribute = f"{name}_id" if name in ("assigned_to", "category", "created_by") else name
        old = getattr(self.ticket, attribute)
        new = value.pk if isinstance(value, Model) and attribute.endswith("_id") else value
        if old == new:
            return False
        setattr(self.ticket, name, value)
        self.rows.append((attribute, _plain(old), _plain(new)))
        self.changed.add(name)
        return True

    def was(self, attribute: str):
        """The value ``ticket.<attribute>`` had before this call."""
        for name, old, _new in self.rows:
            if name == attribute:
                return old
        return getattr(self.ticket, attribute)

    def fields(self) -> list[str]:
        """Model fields changed so far (rows may also carry facts such as a comment id)."""
        return sorted(self.changed)

    def save(self, *, extra: tuple[str, ...] = (), force_row: tuple | None = None) -> None:
        if force_row and not self.rows:
            self.rows.append(force_row)
        save_changes([self], extra=extra)


def _pending_status_rows(change: Change, now: datetime) -> list[tuple]:
    return [(old, new, now) for name, old, new in change.rows if name == "status" and old is not None]


def save_changes(changes: list[Change], *, extra: tuple[str, ...] = ()) -> None:
    """Save what ``changes`` did to their tickets: the SLA fields where a deadline may have
    moved, the changed columns, the roll-ups, one history row per changed field. The cost does
    not grow with the number of tickets in queries: one SLA read of all their histories, one
    UPDATE per set of changed columns, two roll-up upserts, one history INSERT (a batch
    dispatch saves hundreds of changes at once; one change is the common case)."""
    now = timezone.now()
    refreshing = [c for c in changes if c.action == "create" or c.changed & sla.TRIGGERS]
    sla_fields = tuple(sla.refresh_many([(c.ticket, _pending_status_rows(c, now)) for c in refreshing], now=now))
    refreshed = {id(c) for c in refreshing}
    groups: dict[frozenset, list[Ticket]] = {}
    for change in changes:
        names = {*change.fields(), *extra, *(sla_fields if id(change) in refreshed else ())}
        if names:
            groups.setdefault(frozenset(names), []).append(change.ticket)
    for names, tickets in groups.items():
        if len(tickets) == 1:
            tickets[0].save(update_fields={*names, "updated_at"})
            continue
        columns = {*names, "updated_at", *(("priority_rank",) if "priority" in names else ())}
        for ticket in tickets:  # what Ticket.save would set
            ticket.updated_at = now
            ticket.priority_rank = PRIORITY_RANK.get(ticket.priority, 1)
        update_each(tickets, sorted(columns))
    moves = []
    for change in changes:
        after = rollups.snapshot(change.ticket)
        moves.append((change.before, after))
        change.before = after
    rollups.apply_many(moves)
    TicketHistory.objects.bulk_create(
        [
            TicketHistory(
                tenant_id=change.ticket.tenant_id,
                ticket=change.ticket,
                actor=change.actor,
                action=change.action,
                field=name,
                old_value=old,
                new_value=new,
                note=change.note[:1000],
                batch=change.batch,
                created_at=now,
            )
            for change in changes
            for name, old, new in change.rows
        ]
    )


def _locking():
    return Ticket.objects.select_for_update(of=("self",)).select_related("category", "tenant")


def lock_ticket(ticket: Ticket) -> Ticket:
    """The ticket row, locked until the transaction ends, as it is now (with its category and
    tenant): every write of a ticket starts here."""
    return _locking().get(pk=ticket.pk)


def lock_tickets(ids) -> dict[int, Ticket]:
    """``lock_ticket`` for many: locked in id order, so concurrent batches cannot deadlock."""
    return _locking().order_by("pk").in_bulk(ids)


def _minutes(start: datetime, end: datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


# --- lookups that belong to writes ------------------------------------------------------------


def eligible_assignee(*, tenant: Tenant, user_id) -> User:
    """A user of ``tenant`` who may handle tickets (``selectors.assignees_of``, the rows the
    pages' assignee pickers offer); USER_NOT_FOUND / ASSIGNMENT_FAILED otherwise."""
    try:
        user = User.objects.get(pk=int(user_id), tenant=tenant)
    except (User.DoesNotExist, TypeError, ValueError, OverflowError):
        raise DomainError(ErrorCode.USER_NOT_FOUND, field="assigned_to_id", details={"user_id": user_id}) from None
    if not assignees_of(tenant).filter(pk=user.pk).exists():
        raise DomainError(
            ErrorCode.ASSIGNMENT_FAILED,
            _("%(name)s cannot handle tickets.") % {"name": user},
            field="assigned_to_id",
            details={"user_id": user.pk},
        )
    return user


def category_for(*, tenant: Tenant, value) -> Category | None:
    """A category of ``tenant`` by id or code; CATEGORY_NOT_FOUND otherwise."""
    if value in (None, ""):
        return None
    queryset = Category.objects.filter(tenant=tenant)
    found = None
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        found = queryset.filter(pk=int(value)).first()
    if found is None and isinstance(value, str):
        found = queryset.filter(code=value).first()
    if found is None:
        raise DomainError(ErrorCode.CATEGORY_NOT_FOUND, field="category", details={"category": value})
    return found


# --- create / update / delete -----------------------------------------------------------------


def _assign_into(change: Change, assignee, *, now: datetime) -> None:
    ticket = change.ticket
    change.set("assigned_to", assignee)
    change.set("assigned_at", now)
    change.set("accepted_at", None)
    if ticket.status != S.ASSIGNED:
        change.set("status", S.ASSIGNED)


@transaction.atomic
def ticket_create(*, tenant: Tenant, by, data: dict) -> Ticket:
    """File a ticket. ``data`` holds canonical values (adapters translate contract words).
    An explicit ``assigned_to`` needs ``ticket:assign``; otherwise a category with an
    auto-assign user assigns the ticket to that user."""
    require_code(by, "ticket:create")
    if tenant is None:  # a platform principal: tickets live inside a tenant
        raise DomainError(
            ErrorCode.INSUFFICIENT_PERMISSIONS, _("Platform accounts belong to no tenant and cannot file tickets.")
        )
    now = timezone.now()
    values = {k: data[k] for k in EDITABLE_FIELDS if k in data and data[k] is not None}
    assignee = data.get("assigned_to")
    if assignee is not None:
        require_code(by, "ticket:assign")
    ticket = Ticket(tenant=tenant, created_by=by, created_at=now, number=next_ticket_number(tenant=tenant), **values)
    ticket.save()
    change = Change(ticket, by, "create", note=data.get("note", ""))
    change.rows.append(("status", None, ticket.status))
    category = ticket.category
    # the category's user only while they may still be given tickets (active, holding
    # ticket:process): a role taken away later leaves new tickets in the queue
    if (
        assignee is None
        and category is not None
        and category.auto_assign_user_id
        and assignees_of(tenant).filter(pk=category.auto_assign_user_id).exists()
    ):
        assignee = category.auto_assign_user
        change.note = _("Assigned automatically by category %(name)s.") % {"name": category.name}
    if assignee is not None:
        _assign_into(change, assignee, now=now)
    change.save()
    for link in data.get("attachments") or []:
        _attach(ticket=ticket, by=by, link=link)
    events.ticket_event(events.CREATED, ticket=ticket, actor=by)
    return ticket


def _attach(*, ticket: Ticket, by, link: dict) -> None:
    """Link an uploaded file (``{"id": n}``) or record an external link (``file_url``)."""
    if link.get("id"):
        updated = TicketAttachment.objects.filter(
            pk=link["id"], tenant_id=ticket.tenant_id, uploaded_by=by, ticket__isnull=True
        ).update(ticket=ticket)
        if not updated:
            raise DomainError(ErrorCode.NOT_FOUND, _("The attachment does not exist."), field="attachments")
        return
    TicketAttachment.objects.create(
        tenant_id=ticket.tenant_id,
        ticket=ticket,
        uploaded_by=by,
        external_url=link["file_url"],
        original_name=link.get("filename") or link["file_url"].rsplit("/", 1)[-1][:255],
        size=link.get("file_size") or 0,
    )


@transaction.atomic
def ticket_update(*, ticket: Ticket, by, data: dict) -> Ticket:
    """Edit a ticket's fields, and (desk PUT) its status, assignee, internal note or rating in
    the same call. One history batch, one ``updated`` event."""
    only_rating = set(data) <= {"rating", "rating_comment"}
    if not only_rating:
        require_code(by, "ticket:update")
    ticket = lock_ticket(ticket)
    now = timezone.now()
    change = Change(ticket, by, "update")
    for name in EDITABLE_FIELDS:
        if name in data:
            value = data[name]
            if name in ("description", "customer_company", "customer_name", "customer_email", "customer_phone"):
                value = value or ""
            change.set(name, value)
    if data.get("assigned_to") is not None and data["assigned_to"].pk != ticket.assigned_to_id:
        check_assign(ticket, by)
        _assign_into(change, data["assigned_to"], now=now)
    if data.get("status") and data["status"] != ticket.status:
        check_transition(ticket, data["status"], by)
        _transition_into(change, data["status"], now=now, data=data)
    if "rating" in data and data["rating"] is not None:
        _check_rating(ticket, by, data["rating"])
        change.set("rating", data["rating"])
        change.set("rating_comment", data.get("rating_comment") or "")
    note = (data.get("internal_notes") or "").strip()
    if note:
        if not is_staff_member(by):
            raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("Only staff can write internal notes."))
        comment = TicketComment.objects.create(
            tenant_id=ticket.tenant_id, ticket=ticket, author=by, content=note, is_internal=True
        )
        change.rows.append((INTERNAL_NOTE, None, comment.pk))  # the text stays in the comment, for staff
    change.save()
    events.ticket_event(events.UPDATED, ticket=ticket, actor=by)
    return ticket


@transaction.atomic
def ticket_delete(*, ticket: Ticket, by) -> None:
    """Soft delete: gone from lists, counts and lookups; an admin can restore it."""
    require_code(by, "ticket:delete")
    ticket = lock_ticket(ticket)
    change = Change(ticket, by, "delete")
    change.set("is_deleted", True)
    change.set("deleted_at", timezone.now())
    change.set("deleted_by", by)
    change.save()
    events.ticket_event(events.DELETED, ticket=ticket, actor=by)


@transaction.atomic
def ticket_restore(*, ticket: Ticket, by) -> Ticket:
    ticket = Ticket.all_objects.select_for_update().get(pk=ticket.pk)
    change = Change(ticket, by, "restore")
    change.set("is_deleted", False)
    change.set("deleted_at", None)
    change.set("deleted_by", None)
    change.save()
    events.ticket_event(events.UPDATED, ticket=ticket, actor=by)
    return ticket


def ticket_record_view(*, ticket: Ticket, viewer=None) -> None:
    """Count a view, once per viewer and time window, in a buffer that a beat job writes in
    batches (``tickets.viewcounts``): reading never writes to the database. ``ticket`` shows
    its buffered views too."""
    from tickets import viewcounts

    viewer_id = getattr(viewer, "pk", None)
    ticket.view_count += viewcounts.record_view(ticket_id=ticket.pk, viewer_id=viewer_id)


# --- workflow ---------------------------------------------------------------------------------


def _transition_into(change: Change, target: str, *, now: datetime, data: dict | None = None) -> None:
    """Apply a status move and the timestamps that go with it (the table was checked)."""
    data = data or {}
    ticket = change.ticket
    current = ticket.status
    change.set("status", target)
    if target == S.IN_PROGRESS:
        if current == S.RESOLVED:  # reopen: the resolution no longer holds
            change.set("resolved_at", None)
            change.set("resolution_time", None)
            change.set("closed_at", None)
        if ticket.started_at is None:
            change.set("started_at", now)
        change.set("paused_at", None)
    elif target == S.PAUSED:
        change.set("paused_at", now)
    elif target == S.RESOLVED:
        change.set("resolved_at", now)
        change.set("resolution_time", _minutes(ticket.created_at, now))
        change.set("paused_at", None)
        for name in ("resolution_notes", "resolution_type", "time_spent"):
            if data.get(name) not in (None, ""):
                change.set(name, data[name])
    elif target == S.CLOSED:
        change.set("closed_at", now)
    elif target == S.NEW:
        change.set("assigned_to", None)
        change.set("assigned_at", None)
        change.set("accepted_at", None)


@transaction.atomic
def ticket_transition(
    *, ticket: Ticket, to: str, by, note: str = "", data: dict | None = None, attachments=()
) -> Ticket:
    """Move ``ticket`` to status ``to`` if the transition table and the actor's relation allow.
    ``attachments`` (links as for ``ticket_create``, e.g. a solution's files) are attached in
    the same transaction: a bad link refuses the whole move."""
    ticket = lock_ticket(ticket)
    if to == S.ASSIGNED and ticket.assigned_to_id is None:  # needs an assignee: that is ticket_assign
        raise refuse_transition(ticket.status, to)
    check_transition(ticket, to, by)
    change = Change(ticket, by, "status", note=note)
    now = timezone.now()
    _transition_into(change, to, now=now, data=data)
    if to == S.RESOLVED and ticket.first_reply_at is None and by.pk != ticket.created_by_id and is_staff_member(by):
        # A solution is the requester's first answer when staff resolve without a reply first.
        change.set("first_reply_at", now)
        change.set("response_time", _minutes(ticket.created_at, now))
    change.save()
    for link in attachments:
        _attach(ticket=ticket, by=by, link=dict(link))
    events.ticket_event(
        events.STATUS_CHANGED, ticket=ticket, actor=by, previous_assignee_id=change.was("assigned_to_id")
    )
    return ticket


def _assign_change(ticket: Ticket, by, assignee, note: str, now: datetime) -> Change:
    # Callers pass tickets they found in the actor's scope; a ticket of another tenant is refused
    # here too, as not found, and so is an assignee of another tenant.
    if by is not None and by.tenant_id is not None and by.tenant_id != ticket.tenant_id:
        raise DomainError(ErrorCode.TICKET_NOT_FOUND, details={"ticket_id": ticket.pk})
    if assignee.tenant_id != ticket.tenant_id:
        raise DomainError(ErrorCode.USER_NOT_FOUND, field="assigned_to_id", details={"user_id": assignee.pk})
    if by is None:  # the system (automatic dispatch): only the status is checked
        if ticket.status not in OPEN_STATUSES:
            raise refuse_transition(ticket.status, S.ASSIGNED)
    else:
        check_assign(ticket, by)
    change = Change(ticket, by, "assign", note=note)
    _assign_into(change, assignee, now=now)
    return change


@transaction.atomic
def ticket_assign(*, ticket: Ticket, by, assignee, note: str = "", priority: str | None = None) -> Ticket:
    """Give the ticket to ``assignee`` (status becomes assigned; acceptance is reset).
    ``by=None`` is the system (automatic dispatch on creation): only the status is checked."""
    ticket = lock_ticket(ticket)
    change = _assign_change(ticket, by, assignee, note, timezone.now())
    if priority:
        change.set("priority", priority)
    change.save()
    events.ticket_event(events.ASSIGNED, ticket=ticket, actor=by, previous_assignee_id=change.was("assigned_to_id"))
    return ticket


@transaction.atomic
def tickets_assign_all(*, by, assignments: list[tuple[Ticket, User, str]]) -> list[Ticket]:
    """``ticket_assign`` for many tickets, all or nothing: ``assignments`` are ``(ticket,
    assignee, note)``. Each ticket gets what ``ticket_assign`` gives one (the same checks, its
    history batch, SLA fields, roll-ups, the assignee's notification, the live event), for a
    number of queries that does not grow with the tickets. The first refusal refuses them all.
    Returns the tickets as locked and changed, in the order given."""
    ids = [ticket.pk for ticket, _assignee, _note in assignments]
    if len(set(ids)) != len(ids):
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("A ticket is listed twice."), field="ticket_ids")
    locked = lock_tickets(ids)
    now = timezone.now()
    changes = []
    for ticket, assignee, note in assignments:
        if ticket.pk not in locked:
            raise DomainError(ErrorCode.TICKET_NOT_FOUND, details={"ticket_id": ticket.pk})
        changes.append(_assign_change(locked[ticket.pk], by, assignee, note, now))
    save_changes(changes)
    events.ticket_events(
        events.ASSIGNED, [(change.ticket, change.was("assigned_to_id")) for change in changes], actor=by
    )
    return [change.ticket for change in changes]


@transaction.atomic
def ticket_sla_escalate(
    *, ticket: Ticket, raise_priority: bool, mark_escalated: bool, reassign_to=None, note: str = ""
) -> Ticket:
    """An SLA escalation rule's actions on ``ticket``, made by the system (no actor): one step
    up in priority, the escalated flag, a new assignee (an inactive one is skipped). The
    caller (``tickets.sla``) holds the ticket row already; history and the ``ESCALATED`` event
    as for any change, so a new assignee is notified and live views update."""
    ticket = lock_ticket(ticket)
    change = Change(ticket, None, "sla_escalation", note=note)
    now = timezone.now()
    if raise_priority:
        order = list(PRIORITY_RANK)
        position = order.index(ticket.priority)
        if position + 1 < len(order):
            change.set("priority", order[position + 1])
    if mark_escalated and not ticket.is_escalated:
        change.set("is_escalated", True)
        change.set("escalated_at", now)
    if reassign_to is not None and reassign_to.pk != ticket.assigned_to_id and reassign_to.is_active:
        _assign_into(change, reassign_to, now=now)
    if not change.changed:
        return ticket
    change.save()
    events.ticket_event(
        events.ESCALATED,
        ticket=ticket,
        actor=None,
        changed=frozenset(change.changed),
        previous_assignee_id=change.was("assigned_to_id"),
    )
    return ticket


@transaction.atomic
def ticket_transfer(*, ticket: Ticket, by, assignee, note: str = "") -> tuple[Ticket, int | None]:
    """Hand an assigned ticket over to someone else; returns (ticket, previous assignee id)."""
    ticket = lock_ticket(ticket)
    check_assign(ticket, by)
    previous = ticket.assigned_to_id
    if previous is None:
        raise DomainError(ErrorCode.ASSIGNMENT_FAILED, _("The ticket has no assignee to transfer from."))
    if previous == assignee.pk:
        raise DomainError(ErrorCode.ASSIGNMENT_FAILED, _("The ticket is already assigned to this user."))
    change = Change(ticket, by, "transfer", note=note)
    _assign_into(change, assignee, now=timezone.now())
    change.save()
    events.ticket_event(events.TRANSFERRED, ticket=ticket, actor=by, previous_assignee_id=change.was("assigned_to_id"))
    return ticket, previous


@transaction.atomic
def ticket_escalate(*, ticket: Ticket, by, reason: str, escalate_to=None, note: str = "") -> Ticket:
    """Raise the priority one level (at least to urgent), mark escalated and, if given, hand
    the ticket to ``escalate_to``. ``by=None`` is the system (a scheduled job)."""
    if by is not None:
        require_code(by, "ticket:update")
    ticket = lock_ticket(ticket)
    if ticket.status not in OPEN_STATUSES:
        raise DomainError(
            ErrorCode.INVALID_STATUS_TRANSITION,
            _("Only open tickets can be escalated."),
            details={"from": ticket.status},
        )
    now = timezone.now()
    change = Change(ticket, by, "escalate", note="\n".join(x for x in (reason, note) if x))
    order = list(TicketPriority.values)
    target_rank = max(PRIORITY_RANK[ticket.priority] + 1, PRIORITY_RANK[TicketPriority.URGENT])
    change.set("priority", order[min(target_rank, len(order) - 1)])
    change.set("is_escalated", True)
    change.set("escalated_at", now)
    if escalate_to is not None and escalate_to.pk != ticket.assigned_to_id:
        _assign_into(change, escalate_to, now=now)
    change.save()
    events.ticket_event(events.ESCALATED, ticket=ticket, actor=by, previous_assignee_id=change.was("assigned_to_id"))
    return ticket


@transaction.atomic
def ticket_accept(*, ticket: Ticket, by) -> Ticket:
    """The assignee confirms they take the ticket (status stays assigned)."""
    require_code(by, "ticket:accept")
    ticket = lock_ticket(ticket)
    if ticket.assigned_to_id != by.pk:
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("Only the assignee can accept this ticket."))
    if ticket.status != S.ASSIGNED or ticket.accepted_at is not None:
        raise DomainError(
            ErrorCode.INVALID_STATUS_TRANSITION,
            _("Only an assigned ticket that is not yet accepted can be accepted."),
            details={"from": ticket.status},
        )
    change = Change(ticket, by, "accept")
    change.set("accepted_at", timezone.now())
    change.save()
    events.ticket_event(events.ACCEPTED, ticket=ticket, actor=by)
    return ticket


@transaction.atomic
def ticket_reject(*, ticket: Ticket, by, reason: str, suggest_assignee_id=None) -> Ticket:
    """The assignee declines: the ticket goes back to the unassigned queue."""
    require_code(by, "ticket:reject")
    ticket = lock_ticket(ticket)
    if ticket.assigned_to_id != by.pk:
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("Only the assignee can reject this ticket."))
    check_transition(ticket, S.NEW, by)
    note = reason
    if suggest_assignee_id:
        suggested = eligible_assignee(tenant=ticket.tenant, user_id=suggest_assignee_id)
        note = f"{reason}\n" + _("Suggested assignee: %(name)s") % {"name": suggested}
    change = Change(ticket, by, "reject", note=note)
    _transition_into(change, S.NEW, now=timezone.now())
    change.save()
    events.ticket_event(
        events.STATUS_CHANGED, ticket=ticket, actor=by, previous_assignee_id=change.was("assigned_to_id")
    )
    return ticket


def _check_rating(ticket: Ticket, by, rating) -> None:
    if ticket.created_by_id != by.pk:
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("Only the requester can rate this ticket."))
    if ticket.status not in (S.RESOLVED, S.CLOSED):
        raise DomainError(
            ErrorCode.INVALID_STATUS_TRANSITION,
            _("Only resolved or closed tickets can be rated."),
            details={"from": ticket.status},
        )
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("The rating must be from 1 to 5."), field="rating")


@transaction.atomic
def ticket_rate(*, ticket: Ticket, by, rating: int, comment: str = "") -> Ticket:
    ticket = lock_ticket(ticket)
    _check_rating(ticket, by, rating)
    change = Change(ticket, by, "rate")
    change.set("rating", rating)
    change.set("rating_comment", comment or "")
    change.save()
    events.ticket_event(events.RATED, ticket=ticket, actor=by)
    return ticket


# --- bulk -------------------------------------------------------------------------------------


def _bulk(ids, visible, apply) -> tuple[list[int], list[dict]]:
    if len(ids) > MAX_BULK:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("At most %(max)d tickets per request.") % {"max": MAX_BULK},
            field="ticket_ids",
        )
    done, failed = [], []
    tickets = {t.pk: t for t in visible.filter(pk__in=ids)}
    for ticket_id in dict.fromkeys(ids):
        ticket = tickets.get(ticket_id)
        if ticket is None:
            message = str(ErrorCode.TICKET_NOT_FOUND.spec.message)
            failed.append({"id": ticket_id, "error_code": ErrorCode.TICKET_NOT_FOUND.name, "reason": message})
            continue
        try:
            with transaction.atomic():  # a savepoint: one failure never undoes the others
                apply(ticket)
        except DomainError as error:
            failed.append({"id": ticket_id, "error_code": error.code.name, "reason": str(error.message)})
        else:
            done.append(ticket_id)
    return done, failed


def tickets_bulk_assign(*, visible, by, ticket_ids: list[int], assignee, note: str = ""):
    """Assign each ticket on its own; returns (assigned ids, failures with reasons)."""
    return _bulk(ticket_ids, visible, lambda t: ticket_assign(ticket=t, by=by, assignee=assignee, note=note))


def tickets_bulk_status(*, visible, by, ticket_ids: list[int], to, note: str = ""):
    """``to`` is a status or a callable(ticket) -> status (desk ``open`` depends on the ticket)."""

    def apply(ticket):
        target = to(ticket) if callable(to) else to
        ticket_transition(ticket=ticket, to=target, by=by, note=note)

    return _bulk(ticket_ids, visible, apply)


# --- comments and attachments -----------------------------------------------------------------


@transaction.atomic
def comment_create(
    *, ticket: Ticket, by, content: str, is_internal: bool = False, attachment_ids: list[int] | None = None
) -> TicketComment:
    """Reply on a ticket. The first public reply by staff other than the requester sets
    ``first_reply_at`` and ``response_time``."""
    require_code(by, "ticket:comment")
    if not content or not content.strip():
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("The comment is empty."), field="content")
    if is_internal and not is_staff_member(by):
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("Only staff can write internal notes."))
    ticket = lock_ticket(ticket)
    now = timezone.now()
    comment = TicketComment.objects.create(
        tenant_id=ticket.tenant_id,
        ticket=ticket,
        author=by,
        content=content.strip(),
        is_internal=is_internal,
        created_at=now,
    )
    if attachment_ids:
        linked = TicketAttachment.objects.filter(
            pk__in=attachment_ids, tenant_id=ticket.tenant_id, uploaded_by=by
        ).filter(ticket__in=[ticket.pk, None])
        if linked.count() != len(set(attachment_ids)):
            raise DomainError(ErrorCode.NOT_FOUND, _("The attachment does not exist."), field="attachments")
        linked.update(ticket=ticket, comment=comment)
    # Internal notes leave a history row without their text (requesters read the history).
    change = Change(ticket, by, "comment", note="" if is_internal else content[:200])
    if not is_internal:
        change.set("comment_count", ticket.comment_count + 1)
        if ticket.first_reply_at is None and by.pk != ticket.created_by_id and is_staff_member(by):
            change.set("first_reply_at", now)
            change.set("response_time", _minutes(ticket.created_at, now))
    change.save(force_row=(INTERNAL_NOTE if is_internal else "comment", None, comment.pk))
    events.ticket_event(events.COMMENTED, ticket=ticket, actor=by, comment=comment)
    return comment


@transaction.atomic
def attachment_upload(
    *,
    tenant: Tenant,
    by,
    upload,
    ticket: Ticket | None = None,
    kind: str = AttachmentKind.ATTACHMENT,
    description: str = "",
) -> TicketAttachment:
    """Store an uploaded file under a generated name after checking size and content type."""
    require_code(by, "ticket:upload")
    checked = check_upload(tenant=tenant, upload=upload)
    attachment = TicketAttachment(
        tenant=tenant,
        ticket=ticket,
        uploaded_by=by,
        original_name=(getattr(upload, "name", "") or "file")[:255],
        extension=checked.extension,
        size=checked.size,
        mime_type=checked.mime_type,
        kind=kind,
        description=description[:500],
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    if ticket is not None:
        locked = lock_ticket(ticket)
        change = Change(locked, by, "attachment")
        change.save(force_row=("attachment", None, attachment.original_name))
        events.ticket_event(events.ATTACHMENT_ADDED, ticket=locked, actor=by)
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: TicketAttachment, by) -> None:
    """Soft delete (the file stays; an admin can restore the row)."""
    require_code(by, "ticket:delete")
    TicketAttachment.objects.filter(pk=attachment.pk).update(is_deleted=True, deleted_at=timezone.now())
    if attachment.ticket_id:
        ticket = lock_ticket(attachment.ticket)
        change = Change(ticket, by, "attachment_delete")
        change.save(force_row=("attachment", attachment.original_name, None))
        events.ticket_event(events.ATTACHMENT_DELETED, ticket=ticket, actor=by)


# --- categories -------------------------------------------------------------------------------


def _unique_code(tenant: Tenant, wanted: str, exclude_pk=None) -> str:
    from django.utils.text import slugify

    base = slugify(wanted, allow_unicode=True)[:56] or "category"
    code, n = base, 1
    queryset = Category.objects.filter(tenant=tenant)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    while queryset.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


CATEGORY_FIELDS = ("name", "description", "color", "icon", "sla_hours", "is_active", "sort_order")


@transaction.atomic
def category_create(*, tenant: Tenant, by, data: dict) -> Category:
    require_code(by, "ticket:category:create")
    with tree_write(Category):
        parent = data.get("parent")
        if parent is not None:
            if parent.tenant_id != tenant.pk:
                raise DomainError(ErrorCode.CATEGORY_NOT_FOUND, field="parent_id")
            parent = Category.objects.get(pk=parent.pk)  # current tree numbers, read under the lock
        category = Category(
            tenant=tenant,
            code=_unique_code(tenant, data.get("code") or data["name"]),
            parent=parent,
            auto_assign_user=data.get("auto_assign_user"),
            **{k: data[k] for k in CATEGORY_FIELDS if data.get(k) is not None},
        )
        category.save()
        return category


@transaction.atomic
def category_update(*, category: Category, by, data: dict) -> Category:
    require_code(by, "ticket:category:create")
    with tree_write(Category):
        category = Category.objects.get(pk=category.pk)  # current tree numbers, read under the lock
        for name in CATEGORY_FIELDS:
            if name in data:
                setattr(category, name, data[name])
        if "auto_assign_user" in data:
            category.auto_assign_user = data["auto_assign_user"]
        if "parent" in data:
            parent = data["parent"]
            if parent is not None:
                parent = Category.objects.get(pk=parent.pk)
                if parent.pk == category.pk or parent.is_descendant_of(category):
                    raise DomainError(
                        ErrorCode.VALIDATION_FAILED, _("A category cannot be moved under itself."), field="parent_id"
                    )
            category.parent = parent
        if data.get("code"):
            category.code = _unique_code(category.tenant, data["code"], exclude_pk=category.pk)
        category.save()  # mptt moves the node (and its subtree) on save
        return category
