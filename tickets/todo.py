"""Tickets as workbench tasks (v1 §2.3): a task of type ``ticket`` IS the ticket assigned to
the user. Its task status is read from the ticket's status, and a task status change is a
ticket transition through ``tickets.services.ticket_transition`` — the one state machine, with
its permission and relation rules, history rows and notifications."""

from __future__ import annotations

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from portal.errors import DomainError, ErrorCode
from tickets import selectors, services
from tickets.choices import OPEN_STATUSES, V1, TicketStatus, priority_from_word, priority_word
from tickets.models import Ticket, overdue_q

S = TicketStatus
# task status -> the ticket statuses it stands for
TASK_STATUS = {
    "pending": (S.NEW, S.ASSIGNED, S.PAUSED),
    "in_progress": (S.IN_PROGRESS,),
    "completed": (S.RESOLVED, S.CLOSED, S.CANCELLED),
}
# the ticket status a task status change asks for
TARGET = {"pending": S.PAUSED, "in_progress": S.IN_PROGRESS, "completed": S.RESOLVED}


def task_status(ticket_status: str) -> str:
    return next(task for task, statuses in TASK_STATUS.items() if ticket_status in statuses)


def _mine(user):
    return selectors.tickets_for(user).filter(assigned_to=user)


def _task(ticket: Ticket, user):
    from portal.dashboard.registry import Task

    return Task(
        id=ticket.pk,
        type="ticket",
        title=f"{ticket.number} {ticket.title}",
        priority=priority_word(ticket.priority, V1),
        status=task_status(ticket.status),
        assigned_to=(user.real_name or user.username),
        due_time=ticket.sla_due_date or ticket.due_date,
        created_at=ticket.created_at,
        description=ticket.description[:200],
        url=reverse("tickets:detail", args=[ticket.pk]),
        is_overdue=bool(ticket.is_open and ticket.due_date and ticket.due_date < timezone.now()),
    )


def page(user, *, status: str | None, priority: str | None, start: int, stop: int):
    """The user's ticket tasks, most urgent first: open ones unless ``status`` says otherwise."""
    rows = _mine(user)
    rows = rows.filter(status__in=TASK_STATUS[status]) if status else rows.filter(status__in=OPEN_STATUSES)
    if priority:
        canonical = priority_from_word(priority, V1)
        if canonical is None:
            raise DomainError(ErrorCode.VALIDATION_FAILED, field="priority")
        rows = rows.filter(priority=canonical)
    total = rows.count()
    rows = rows.order_by("-priority_rank", "sla_due_date", "-created_at", "-id").only(
        "id", "number", "title", "priority", "status", "sla_due_date", "due_date", "created_at", "description"
    )
    return [_task(t, user) for t in rows[start:stop]], total


def summary(user) -> dict:
    figures = _mine(user).aggregate(
        pending=Count("id", filter=Q(status__in=TASK_STATUS["pending"])),
        in_progress=Count("id", filter=Q(status__in=TASK_STATUS["in_progress"])),
        overdue=Count("id", filter=overdue_q()),
    )
    figures["total"] = figures["pending"] + figures["in_progress"]
    return figures


def set_status(user, task_id: int, status: str, comment: str = ""):
    """Move the ticket behind the task: pending → paused, in_progress → in progress (start,
    resume or reopen), completed → resolved; the state machine refuses what it does not allow."""
    ticket = get_object_or_404(_mine(user), pk=task_id)
    target = TARGET.get(status)
    if target is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, field="status")
    data = {"resolution_notes": comment} if target == S.RESOLVED and comment else None
    ticket = services.ticket_transition(ticket=ticket, to=target, by=user, note=comment, data=data)
    return _task(ticket, user)
