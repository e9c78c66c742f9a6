"""SLA jobs of tickets: the precise per-ticket check and the periodic sweep (see docs/sla.md)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

# The sweep enqueues checks due within this window (beat runs it every 60 s).
SWEEP_LOOKAHEAD = timedelta(minutes=2)


@shared_task(name="tickets.sla_check_ticket", acks_late=True, ignore_result=True)
def sla_check_ticket(ticket_id: int) -> list:
    """Recompute one ticket's SLA and flag reached warnings/breaches (idempotent: SLAEvent)."""
    from tickets.sla import check_ticket

    return check_ticket(ticket_id=ticket_id)


@shared_task(name="tickets.sla_sweep", ignore_result=False)
def sla_sweep() -> int:
    """Safety net and short-horizon scheduler: check now every open ticket whose next SLA check
    is due (after downtime, lost eta tasks) and enqueue an eta check for those due soon.
    Duplicates are harmless (the SLAEvent row decides)."""
    from tickets.models import Ticket
    from tickets.sla import check_ticket

    now = timezone.now()
    due = list(Ticket.objects.filter(sla_next_check_at__lte=now).values_list("pk", flat=True)[:500])
    for ticket_id in due:
        check_ticket(ticket_id=ticket_id, now=now)
    if not settings.CELERY_TASK_ALWAYS_EAGER:  # eager mode ignores eta: the sweep itself is the timer
        soon = Ticket.objects.filter(sla_next_check_at__gt=now, sla_next_check_at__lte=now + SWEEP_LOOKAHEAD)
        for ticket_id, when in soon.values_list("pk", "sla_next_check_at")[:500]:
            sla_check_ticket.apply_async((ticket_id,), eta=when)
    return len(due)


@shared_task(name="tickets.flush_view_counts", ignore_result=True)
def flush_view_counts() -> int:
    """Write the buffered ticket views (``tickets.viewcounts``) in a few batched UPDATEs."""
    from tickets import viewcounts

    return viewcounts.flush()
