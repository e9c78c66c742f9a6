"""SLA targets of a ticket, in one place so that the SLA engine can replace it.

For now the resolve target comes from the category's ``sla_hours`` (wall-clock hours, no
business calendar) and the response target from a per-priority table. ``sla_info`` is what the
v1 detail shows.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from tickets.choices import TicketPriority

# Minutes to first response by priority (used until the SLA engine provides policies).
RESPONSE_MINUTES = {
    TicketPriority.CRITICAL: 15,
    TicketPriority.URGENT: 30,
    TicketPriority.HIGH: 60,
    TicketPriority.NORMAL: 240,
    TicketPriority.LOW: 480,
}


def resolve_minutes(ticket) -> int | None:
    category = ticket.category
    if category is None or not category.sla_hours:
        return None
    return category.sla_hours * 60


def sla_due_date(ticket, *, start: datetime | None = None) -> datetime | None:
    """When the ticket must be resolved, or None when its category sets no SLA."""
    minutes = resolve_minutes(ticket)
    if minutes is None:
        return None
    return (start or ticket.created_at or timezone.now()) + timedelta(minutes=minutes)


def _remaining(due: datetime | None, met_at: datetime | None, now: datetime) -> int | None:
    if due is None:
        return None
    if met_at is not None:
        return 0
    return max(0, int((due - now).total_seconds() // 60))


def sla_info(ticket, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    response = RESPONSE_MINUTES.get(ticket.priority)
    resolve = resolve_minutes(ticket)
    response_due = ticket.created_at + timedelta(minutes=response) if response else None
    return {
        "response_sla": response,
        "resolve_sla": resolve,
        "response_remaining": _remaining(response_due, ticket.first_reply_at, now),
        "resolve_remaining": _remaining(ticket.sla_due_date, ticket.resolved_at, now),
    }
