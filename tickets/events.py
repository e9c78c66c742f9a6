"""The one sender of ticket domain events.

Every service call that changes a ticket calls ``ticket_event`` exactly once. The event is
delivered after the transaction commits (a rolled-back change announces nothing) to the
subscribers registered with ``subscribe`` — the live-updates work hooks its publisher there.
The payload is the desk WebSocket ``ticket_updated`` message's ``data``, plus ``event``.

Two built-in consequences:
- notifications (``portal.notifications.services.notify``) are written in the caller's
  transaction, so they commit or roll back with the change; their delivery is after commit
  (outbox). Who is told what: the new assignee on assign/transfer and on an SLA escalation
  that reassigns (``ticket_assigned``), the requester on status changes (``ticket_updated``), the other party
  on a public comment (``comment_added``); an internal note only reaches the assignee (staff),
  never the requester. The actor is never notified (``notify`` drops it).
- the live ``ticket_updated`` message is published after commit to the ticket's tenant group;
  each socket delivers it only if its user may see the ticket (see ``portal.consumers``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypedDict

from django.db import transaction
from django.utils import timezone

from portal.timestamps import iso_utc
from tickets.choices import DESK, status_word

logger = logging.getLogger(__name__)

CREATED = "created"
UPDATED = "updated"
ASSIGNED = "assigned"
TRANSFERRED = "transferred"
ESCALATED = "escalated"
STATUS_CHANGED = "status_changed"
ACCEPTED = "accepted"
COMMENTED = "commented"
ATTACHMENT_ADDED = "attachment_added"
ATTACHMENT_DELETED = "attachment_deleted"
RATED = "rated"
DELETED = "deleted"
VIEWED = "viewed"


class UserRef(TypedDict):
    id: int
    username: str


class TicketUpdatedPayload(TypedDict):
    """``data`` of the desk WebSocket message ``{"type": "ticket_updated", "data": …}``."""

    event: str
    tenant_id: int
    ticket_id: int
    ticket_number: str
    status: str
    assigned_to_id: int | None
    #: routing only: the assignee before this change, so whoever it was away from is told too
    previous_assigned_to_id: int | None
    created_by_id: int
    updated_by: UserRef | None
    updated_at: str


Subscriber = Callable[[TicketUpdatedPayload], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


_UNCHANGED = object()


def payload_for(event: str, ticket, actor, previous_assignee_id=_UNCHANGED) -> TicketUpdatedPayload:
    return TicketUpdatedPayload(
        event=event,
        tenant_id=ticket.tenant_id,
        ticket_id=ticket.pk,
        ticket_number=ticket.number,
        status=status_word(ticket.status, DESK),
        assigned_to_id=ticket.assigned_to_id,
        previous_assigned_to_id=ticket.assigned_to_id if previous_assignee_id is _UNCHANGED else previous_assignee_id,
        created_by_id=ticket.created_by_id,
        updated_by=UserRef(id=actor.pk, username=actor.username) if actor is not None else None,
        updated_at=iso_utc(ticket.updated_at or timezone.now()),
    )


def _deliver(payload: TicketUpdatedPayload) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(payload)
        except Exception:  # a broken listener must not break the request that already committed
            logger.exception("ticket event subscriber %r failed", subscriber)


#: The desk WebSocket message type of a ticket change.
LIVE_EVENT = "ticket_updated"
#: The fields of ``TicketUpdatedPayload`` that are the documented WebSocket ``data``.
PUBLIC_FIELDS = ("ticket_id", "ticket_number", "status", "updated_by", "updated_at")


def publish_live(payload: TicketUpdatedPayload) -> None:
    """After commit: one message to the ticket's tenant; sockets filter by visibility. If the
    channel layer is down the message is kept and resent by the live-push retry job."""
    from portal import realtime

    if payload["event"] == VIEWED:
        return
    realtime.publish_to_tenant(payload["tenant_id"], LIVE_EVENT, payload, keep=True)


subscribe(publish_live)


def _notices_for(event: str, ticket, actor, comment=None, changed: frozenset[str] = frozenset()) -> list:
    """The notifications this event causes (written by ``ticket_events``, in the caller's transaction)."""
    from django.utils.translation import gettext as _

    from portal.notifications.models import NotificationType
    from portal.notifications.services import Notice
    from tickets.policy import is_staff_member

    notices = []
    data = {"ticket_number": ticket.number, "event": event}
    names = {"number": ticket.number, "title": ticket.title}
    new_assignee = event in (ASSIGNED, TRANSFERRED) or (event == ESCALATED and "assigned_to" in changed)
    if new_assignee and ticket.assigned_to_id is not None:
        notices.append(
            Notice(
                recipient=ticket.assigned_to,
                type=NotificationType.TICKET_ASSIGNED,
                title=_("Ticket assigned to you"),
                message=_("Ticket %(number)s “%(title)s” has been assigned to you.") % names,
                ticket_id=ticket.pk,
                data=data,
                actor=actor,
            )
        )
    if event == STATUS_CHANGED:
        notices.append(
            Notice(
                recipient=ticket.created_by,
                type=NotificationType.TICKET_UPDATED,
                title=_("Ticket status updated"),
                message=_("Your ticket %(number)s is now: %(status)s.")
                % {**names, "status": ticket.get_status_display()},
                ticket_id=ticket.pk,
                data={**data, "status": status_word(ticket.status, DESK)},
                actor=actor,
            )
        )
    if event == COMMENTED and comment is not None:
        recipients = []
        if comment.is_internal:
            # Internal notes: staff only, never the requester (even a requester who is staff).
            assignee = ticket.assigned_to
            if assignee is not None and assignee.pk != ticket.created_by_id and is_staff_member(assignee):
                recipients.append(assignee)
        elif actor is not None and actor.pk == ticket.created_by_id:
            if ticket.assigned_to_id is not None:
                recipients.append(ticket.assigned_to)
        else:
            recipients.append(ticket.created_by)
            if ticket.assigned_to_id is not None and ticket.assigned_to_id != ticket.created_by_id:
                recipients.append(ticket.assigned_to)
        notices.extend(
            Notice(
                recipient=recipient,
                type=NotificationType.COMMENT_ADDED,
                title=_("New comment"),
                message=_("%(author)s commented on ticket %(number)s.")
                % {**names, "author": str(actor) if actor is not None else ""},  # display name
                ticket_id=ticket.pk,
                data={**data, "comment_id": comment.pk, "is_internal": comment.is_internal},
                actor=actor,
            )
            for recipient in recipients
        )
    return notices


def ticket_event(
    event: str,
    *,
    ticket,
    actor,
    comment=None,
    changed: frozenset[str] = frozenset(),
    previous_assignee_id=_UNCHANGED,
) -> TicketUpdatedPayload:
    """Record one domain event for ``ticket``: notifications now (same transaction), live
    delivery on commit. ``comment`` is the comment a ``COMMENTED`` event is about; ``changed``
    names the fields a system change (``ESCALATED``) touched. ``actor`` is ``None`` for changes
    made by jobs (SLA escalation). ``previous_assignee_id`` is the assignee before a change that
    moved the ticket: the live message then also reaches the sockets that could see it before
    (the old assignee's "my tickets", agents' unassigned queue), so their lists drop it."""
    return ticket_events(event, [(ticket, previous_assignee_id)], actor=actor, comment=comment, changed=changed)[0]


def ticket_events(
    event: str, moves, *, actor, comment=None, changed: frozenset[str] = frozenset()
) -> list[TicketUpdatedPayload]:
    """``ticket_event`` for several tickets that ``actor`` changed the same way in one call (a
    batch dispatch): ``moves`` are ``(ticket, previous assignee id)``. Their notifications are
    written together (``notify_all``); each ticket's live message follows on commit."""
    from portal.notifications.services import notify_all

    moves = list(moves)
    payloads = [payload_for(event, ticket, actor, previous) for ticket, previous in moves]
    notify_all(
        [notice for ticket, _previous in moves for notice in _notices_for(event, ticket, actor, comment, changed)]
    )

    def deliver_committed() -> None:
        for payload in payloads:
            _deliver(payload)

    transaction.on_commit(deliver_committed)
    return payloads
