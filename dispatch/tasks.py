"""Thin, idempotent dispatch jobs."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="dispatch.auto_dispatch_ticket", ignore_result=True)
def auto_dispatch_ticket(ticket_id: int):
    """Dispatch a new ticket if its tenant enables automatic dispatch (no-op otherwise, and for
    a ticket already assigned)."""
    from dispatch.services import auto_dispatch

    record = auto_dispatch(ticket_id=ticket_id)
    return record.pk if record else None


@shared_task(name="dispatch.escalate_unaccepted", ignore_result=True)
def escalate_unaccepted():
    """Every minute: escalate dispatches not accepted within a rule's ``escalate_if_no_response``."""
    from dispatch.services import escalate_unaccepted as run

    return run()
