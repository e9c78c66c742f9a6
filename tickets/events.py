"""The one sender of ticket domain events.

Every service call that changes a ticket calls ``ticket_event`` exactly once. The event is
delivered after the transaction commits (a rolled-back change announces nothing) to the
subscribers registered with ``subscribe`` — the live-updates work hooks its publisher there.
The payload is the desk WebSocket ``ticket_updated`` message's ``data``, plus ``event``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypedDict

from django.db import transaction
from django.utils import timezone

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


def payload_for(event: str, ticket, actor) -> TicketUpdatedPayload:
    return TicketUpdatedPayload(
        event=event,
        tenant_id=ticket.tenant_id,
        ticket_id=ticket.pk,
        ticket_number=ticket.number,
        status=status_word(ticket.status, DESK),
        assigned_to_id=ticket.assigned_to_id,
        created_by_id=ticket.created_by_id,
        updated_by=UserRef(id=actor.pk, username=actor.username) if actor is not None else None,
        updated_at=(ticket.updated_at or timezone.now()).isoformat().replace("+00:00", "Z"),
    )


def _deliver(payload: TicketUpdatedPayload) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(payload)
        except Exception:  # a broken listener must not break the request that already committed
            logger.exception("ticket event subscriber %r failed", subscriber)


def ticket_event(event: str, *, ticket, actor) -> TicketUpdatedPayload:
    """Record one domain event for ``ticket``; delivered on commit."""
    payload = payload_for(event, ticket, actor)
    transaction.on_commit(lambda: _deliver(payload))
    return payload
