"""The SLA of a ticket, in one module: targets, clocks and the stored SLA fields.

Policy: the tenant's default active ``SLAPolicy`` (its calendar, or 24×7 when it has none);
targets via ``targets_for(policy.targets(), priority, category_sla_hours=…)``.
Without a policy the fallback is the old behaviour: 24×7, response targets from
the registry's ``sla.fallback.*`` settings and a resolution target only when the category sets ``sla_hours``.

Both clocks start at ``created_at``; pauses are rebuilt from the status history (``→ paused``
until the next move away from paused; for the resolution clock also ``resolved →`` reopen);
the response clock stops at ``first_reply_at``, the resolution clock at ``resolved_at``.
``refresh`` writes the denormalised fields in the caller's transaction and, after commit,
schedules the precise check (``tickets.tasks.sla_check_ticket``) when it is due within the hour.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.config import config_snapshot, get_config
from portal.sla import engine
from portal.sla.selectors import default_policy_for, load_business_calendar
from portal.timestamps import iso_utc
from tickets.choices import OPEN_STATUSES, TicketPriority, TicketStatus

logger = logging.getLogger(__name__)


def fallback_targets(ticket) -> tuple[int | None, float]:
    """Response minutes and warning share for a ticket whose tenant has no SLA policy: the
    ``sla.fallback.*`` settings of the config registry (tenant override → global → default)."""
    tenant = ticket.tenant
    response = {
        TicketPriority.CRITICAL: lambda: get_config("sla.fallback.response_minutes.critical", tenant=tenant),
        TicketPriority.URGENT: lambda: get_config("sla.fallback.response_minutes.urgent", tenant=tenant),
        TicketPriority.HIGH: lambda: get_config("sla.fallback.response_minutes.high", tenant=tenant),
        TicketPriority.NORMAL: lambda: get_config("sla.fallback.response_minutes.normal", tenant=tenant),
        TicketPriority.LOW: lambda: get_config("sla.fallback.response_minutes.low", tenant=tenant),
    }.get(ticket.priority)
    return (response() if response else None), get_config("sla.fallback.warning_share", tenant=tenant)


# Ticket fields whose change moves a deadline (``status``: pause, resume, resolve, reopen; ``due_date``: is_overdue).
TRIGGERS = frozenset({"status", "priority", "category", "first_reply_at", "resolved_at", "due_date"})
STORED_FIELDS = ("sla_due_date", "sla_response_due_at", "sla_breached", "is_overdue", "sla_next_check_at")
# Eta tasks further away than the Redis visibility timeout would be redelivered.
SCHEDULE_HORIZON = timedelta(hours=1)


@dataclass(frozen=True)
class TicketClocks:
    response: engine.SLAClock | None
    resolution: engine.SLAClock | None
    policy: object | None  # SLAPolicy or None (fallback)

    def clocks(self):
        pairs = (("response", self.response), ("resolution", self.resolution))
        return [(name, clock) for name, clock in pairs if clock]

    @property
    def is_breached(self) -> bool:
        return any(clock.is_breached for _, clock in self.clocks())

    def next_check_at(self) -> datetime | None:
        times = [when for _, clock in self.clocks() for _, when in clock.upcoming_events()]
        return min(times) if times else None


def _pauses(rows, *, resolution: bool) -> list[tuple[datetime, datetime | None]]:
    """Pause intervals from status history rows ``(old, new, at)`` in time order."""
    pauses: list[tuple[datetime, datetime | None]] = []
    opened: datetime | None = None
    holding = {TicketStatus.PAUSED} | ({TicketStatus.RESOLVED, TicketStatus.CLOSED} if resolution else set())
    for _old, new, at in rows:
        if new in holding and opened is None:
            opened = at
        elif new not in holding and opened is not None:
            pauses.append((opened, at))
            opened = None
    if opened is not None:
        # A resolved ticket's resolution clock is stopped, not paused: leave the tail open only
        # for a real pause.
        pauses.append((opened, None))
    return pauses


def status_rows(ticket, pending=()) -> list[tuple[str, str, datetime]]:
    return status_rows_of([ticket.pk])[ticket.pk] + list(pending)


def status_rows_of(ticket_ids) -> dict[int, list[tuple[str, str, datetime]]]:
    """The status history ``(old, new, at)`` of each ticket in time order, in one query."""
    from tickets.models import TicketHistory

    rows: dict[int, list] = {pk: [] for pk in ticket_ids}
    history = (
        TicketHistory.objects.filter(ticket_id__in=rows, field="status")
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "old_value", "new_value", "created_at")
    )
    for ticket_id, old, new, at in history:
        rows[ticket_id].append((old, new, at))
    return rows


def compute(ticket, *, rows=None, now: datetime | None = None, policy=..., calendar=...) -> TicketClocks:
    """Both clocks of ``ticket`` evaluated at ``now`` (pass ``policy``/``calendar`` to reuse)."""
    now = now or timezone.now()
    if policy is ...:
        policy = default_policy_for(ticket.tenant)
    if calendar is ...:
        calendar = load_business_calendar(policy.calendar) if policy is not None else None
    rows = status_rows(ticket) if rows is None else rows
    category_hours = ticket.category.sla_hours if ticket.category_id else None
    if policy is not None:
        targets = engine.targets_for(policy.targets(), ticket.priority, category_sla_hours=category_hours)
        response_minutes, resolution_minutes = targets.response_minutes, targets.resolution_minutes
        share = targets.warning_share
    else:
        response_minutes, share = fallback_targets(ticket)
        resolution_minutes = category_hours * 60 if category_hours else None
    started = ticket.created_at
    common = {"calendar": calendar, "started_at": started, "now": now, "warning_share": share}
    response = resolution = None
    if response_minutes:
        response = engine.compute_clock(
            target_minutes=response_minutes,
            pauses=_pauses(rows, resolution=False),
            stopped_at=ticket.first_reply_at,
            **common,
        )
    if resolution_minutes:
        pauses = _pauses(rows, resolution=True)
        if ticket.resolved_at is not None and pauses and pauses[-1][1] is None:
            pauses[-1:] = []  # the clock is stopped at resolved_at, not paused
        resolution = engine.compute_clock(
            target_minutes=resolution_minutes, pauses=pauses, stopped_at=ticket.resolved_at, **common
        )
    return TicketClocks(response=response, resolution=resolution, policy=policy)


def stored_values(ticket, clocks: TicketClocks, *, now: datetime) -> dict:
    is_open = ticket.status in OPEN_STATUSES
    candidates = [clocks.next_check_at()]
    if is_open and ticket.due_date is not None and ticket.due_date > now:
        candidates.append(ticket.due_date)  # so that ``is_overdue`` turns on in time
    candidates = [c for c in candidates if c is not None]
    return {
        "sla_due_date": clocks.resolution.due_at if clocks.resolution else None,
        "sla_response_due_at": clocks.response.due_at if clocks.response else None,
        "sla_breached": clocks.is_breached,
        "is_overdue": bool(is_open and ticket.due_date is not None and ticket.due_date < now),
        "sla_next_check_at": min(candidates) if candidates and is_open else None,
    }


def refresh(ticket, *, pending=(), now: datetime | None = None) -> list[str]:
    """Recompute the stored SLA fields of ``ticket`` (in memory) from its history plus the
    ``pending`` status rows not saved yet; returns the field names to save. After commit the
    precise check is scheduled."""
    return refresh_many([(ticket, pending)], now=now)


def refresh_many(items, *, now: datetime | None = None) -> list[str]:
    """``refresh`` for many ``(ticket, pending rows)`` at once: their histories in one query,
    each tenant's policy and calendar read once (a batch dispatch refreshes hundreds)."""
    from portal.sla.models import SLAEvent

    now = now or timezone.now()
    items = list(items)
    history = status_rows_of([ticket.pk for ticket, _pending in items])
    policies: dict[int, tuple] = {}
    computed = []
    with config_snapshot():  # the fallback targets are settings: read once, not per ticket
        for ticket, pending in items:
            if ticket.tenant_id not in policies:
                policy = default_policy_for(ticket.tenant)
                policies[ticket.tenant_id] = (policy, load_business_calendar(policy.calendar) if policy else None)
            policy, calendar = policies[ticket.tenant_id]
            rows = history[ticket.pk] + list(pending)
            clocks = compute(ticket, rows=rows, now=now, policy=policy, calendar=calendar)
            computed.append((ticket, stored_values(ticket, clocks, now=now)))
    # Sticky once an SLAEvent recorded the breach (a raised target does not un-notify).
    unbreaching = [ticket.pk for ticket, values in computed if ticket.sla_breached and not values["sla_breached"]]
    recorded = set()
    if unbreaching:
        recorded = set(
            SLAEvent.objects.filter(ticket_id__in=unbreaching, kind="breach").values_list("ticket_id", flat=True)
        )
    for ticket, values in computed:
        if ticket.pk in recorded:
            values["sla_breached"] = True
        for name, value in values.items():
            setattr(ticket, name, value)
        schedule_on_commit(ticket.pk, values["sla_next_check_at"])
    return list(STORED_FIELDS)


def schedule_on_commit(ticket_id: int, when: datetime | None) -> None:
    if when is None or when - timezone.now() > SCHEDULE_HORIZON:
        return

    def enqueue():
        from tickets.tasks import sla_check_ticket

        if settings.CELERY_TASK_ALWAYS_EAGER:
            # Embedded mode: eager tasks ignore ``eta``, so a timer thread of this process is the
            # precise clock (lost on restart; the beat thread's sweep catches up). Without the
            # embedded beat (tests, management commands) nothing is timed.
            if settings.EMBEDDED_BEAT:
                _start_timer(ticket_id, when)
            return
        sla_check_ticket.apply_async((ticket_id,), eta=when)

    transaction.on_commit(enqueue)


def _start_timer(ticket_id: int, when: datetime) -> None:
    def run():
        from django.db import close_old_connections

        close_old_connections()
        try:
            check_ticket(ticket_id=ticket_id)
        except Exception:  # a failed timed check is retried by the sweep
            logger.exception("SLA check of ticket %s failed", ticket_id)
        finally:
            close_old_connections()

    delay = max(0.0, (when - timezone.now()).total_seconds()) + 0.05
    timer = threading.Timer(delay, run)
    timer.daemon = True
    timer.start()


def sla_info(ticket, *, now: datetime | None = None) -> dict:
    """v1 ``sla_info``: target and remaining minutes of both clocks (None without a target)."""
    clocks = compute(ticket, now=now)

    def remaining(clock):
        if clock is None:
            return None
        return engine.TicketSLA._remaining_field(clock)

    return {
        "response_sla": round(clocks.response.target_minutes) if clocks.response else None,
        "resolve_sla": round(clocks.resolution.target_minutes) if clocks.resolution else None,
        "response_remaining": remaining(clocks.response),
        "resolve_remaining": remaining(clocks.resolution),
    }


# --- flagging warnings and breaches ------------------------------------------------------------

TARGET_LABELS = {"response": lambda: _("response"), "resolution": lambda: _("resolution")}
KIND_LABELS = {"warning": lambda: _("warning"), "breach": lambda: _("breach")}


def _supervisors(tenant_id: int):
    from accounts.models import User, UserStatus

    return list(User.objects.filter(tenant_id=tenant_id, status=UserStatus.ACTIVE, roles__code="supervisor").distinct())


def _notify(ticket, *, recipients, type, title: str, message: str, data: dict) -> None:
    from portal.notifications.services import notify

    seen = set()
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        notify(recipient=user, type=type, title=title, message=message, ticket_id=ticket.pk, data=data)


def _escalate(ticket, rule, *, target: str, kind: str):
    """Run an EscalationRule's actions through the ticket service (history rows, the one event
    sender: a new assignee is notified and every socket that may see the ticket is updated)."""
    from portal.notifications.models import NotificationType
    from tickets import services

    note = _("SLA escalation: %(target)s %(kind)s") % {"target": TARGET_LABELS[target](), "kind": KIND_LABELS[kind]()}
    escalated = services.ticket_sla_escalate(
        ticket=ticket,
        raise_priority=rule.raise_priority,
        mark_escalated=rule.set_escalated,
        reassign_to=rule.reassign_to if rule.reassign_to_id else None,
        note=note,
    )
    if rule.notify_supervisor:
        _notify(
            ticket,
            recipients=_supervisors(ticket.tenant_id),
            type=NotificationType.ESCALATED,
            title=_("Ticket %(number)s escalated") % {"number": ticket.number},
            message=_("The SLA %(target)s target of ticket %(number)s reached its %(kind)s.")
            % {"number": ticket.number, "target": TARGET_LABELS[target](), "kind": KIND_LABELS[kind]()},
            data={"target": target, "kind": kind, "actions": rule.actions},
        )
    return escalated


@transaction.atomic
def check_ticket(*, ticket_id: int, now: datetime | None = None) -> list[tuple[str, str]]:
    """Re-evaluate one ticket: refresh its stored fields and flag every warning/breach reached,
    once per (ticket, target, kind). Only the caller that creates the SLAEvent notifies and
    escalates. Returns the events this call created."""
    from portal.notifications.models import NotificationType
    from portal.sla.models import SLAEvent
    from portal.sla.selectors import escalation_rule_for
    from portal.sla.services import sla_event_flag_once
    from tickets import rollups
    from tickets.models import Ticket

    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("category", "tenant", "assigned_to")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        return []
    now = now or timezone.now()
    clocks = compute(ticket, now=now)
    created: list[tuple[str, str]] = []
    for target, clock in clocks.clocks():
        reached = []
        if clock.is_warning and not clock.is_breached:
            reached.append(("warning", clock.warning_at))
        if clock.is_breached:
            reached += [("warning", clock.warning_at), ("breach", clock.due_at)]
        for kind, due_at in reached:
            if kind == "warning" and clock.is_stopped and not clock.is_breached:
                continue
            event, is_new = sla_event_flag_once(
                tenant=ticket.tenant_id, ticket_id=ticket.pk, target=target, kind=kind, due_at=due_at, now=now
            )
            if not is_new:
                continue
            created.append((target, kind))
            if kind == "breach" and not ticket.sla_breached:
                ticket.sla_breached = True
                rollups.update_ticket(ticket.pk, sla_breached=True)
            if kind == "warning" and clock.is_breached:
                # A late check (after downtime) records the stale warning but tells only the breach.
                SLAEvent.objects.filter(pk=event.pk).update(processed_at=timezone.now())
                continue
            local_due = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")
            facts = {"target": TARGET_LABELS[target](), "number": ticket.number, "due": local_due}
            if kind == "breach":
                title = _("SLA breached: %(number)s") % facts
                message = _("The %(target)s deadline of ticket %(number)s passed at %(due)s.") % facts
            else:
                title = _("SLA warning: %(number)s") % facts
                message = _("The %(target)s deadline of ticket %(number)s is at %(due)s.") % facts
            _notify(
                ticket,
                recipients=[ticket.assigned_to, *_supervisors(ticket.tenant_id)],
                type=NotificationType.SLA_BREACHED if kind == "breach" else NotificationType.SLA_WARNING,
                title=title,
                message=message,
                data={"target": target, "kind": kind, "due_at": iso_utc(due_at)},
            )
            rule = escalation_rule_for(policy=clocks.policy, target=target, kind=kind) if clocks.policy else None
            if rule is not None:
                ticket = _escalate(ticket, rule, target=target, kind=kind)
            SLAEvent.objects.filter(pk=event.pk).update(processed_at=timezone.now())
    # Keep the stored fields current (is_overdue, next check) and schedule the next check.
    values = stored_values(ticket, compute(ticket, now=now, policy=clocks.policy), now=now)
    values["sla_breached"] = values["sla_breached"] or ticket.sla_breached
    rollups.update_ticket(ticket.pk, **values)
    schedule_on_commit(ticket.pk, values["sla_next_check_at"])
    return created
