"""Who may do what to a ticket: the transition table and the actor-relation rules.

The services enforce these (``tickets.services``); pages ask ``allowed_actions`` so that they
offer only what the services would accept.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.errors import DomainError, ErrorCode
from tickets.choices import OPEN_STATUSES, TicketStatus

S = TicketStatus

# The one transition table (canonical statuses). Reassignment (assigned → assigned) is an
# assignment change, not a status move, and is handled by ticket_assign.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.NEW: frozenset({S.ASSIGNED, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.NEW, S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.NEW, S.ASSIGNED, S.PAUSED, S.RESOLVED, S.CANCELLED}),
    S.PAUSED: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    S.RESOLVED: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

MANAGER_ROLES = frozenset({"supervisor", "admin"})


def is_manager(user) -> bool:
    """Supervisors and tenant admins see and manage the whole tenant's tickets."""
    return bool(user and user.is_authenticated and user.tenant_id and user.primary_role in MANAGER_ROLES)


#: The code that makes someone staff on tickets: they see the unassigned queue and the
#: tickets assigned to them (``selectors.ticket_audience``), not only their own requests.
STAFF_QUEUE = "ticket:process"


def is_staff_member(user) -> bool:
    """Agents and above: may write internal notes and count as the first reply."""
    return bool(user and user.is_authenticated and user.has_contract_permission(STAFF_QUEUE))


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def refuse_transition(current: str, target: str) -> DomainError:
    return DomainError(
        ErrorCode.INVALID_STATUS_TRANSITION,
        _("A ticket cannot move from %(from)s to %(to)s.")
        % {"from": TicketStatus(current).label, "to": TicketStatus(target).label},
        details={"from": current, "to": target},
    )


def _denied(message) -> DomainError:
    return DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, message)


def require_code(user, code: str) -> None:
    if not user.has_contract_permission(code):
        raise DomainError(
            ErrorCode.INSUFFICIENT_PERMISSIONS,
            details={"required_permission": code},
        )


def check_transition(ticket, target: str, user) -> None:
    """Raise unless ``user`` may move ``ticket`` to ``target`` now (table first, then who)."""
    current = ticket.status
    if not can_transition(current, target):
        raise refuse_transition(current, target)
    assignee = ticket.assigned_to_id is not None and ticket.assigned_to_id == user.pk
    requester = ticket.created_by_id == user.pk
    manager = is_manager(user)
    if target == S.IN_PROGRESS and current == S.RESOLVED:  # reopen
        if not (requester or (manager and user.has_contract_permission("ticket:update"))):
            raise _denied(_("Only the requester or a supervisor can reopen this ticket."))
        return
    if target in (S.IN_PROGRESS, S.PAUSED):
        require_code(user, "ticket:process")
        if not assignee:
            raise _denied(_("Only the assignee can start or pause this ticket."))
        return
    if target == S.RESOLVED:
        require_code(user, "ticket:resolve")
        if not (assignee or manager):
            raise _denied(_("Only the assignee or a supervisor can resolve this ticket."))
        return
    if target == S.CLOSED:
        require_code(user, "ticket:close")
        if not (requester or assignee or manager):
            raise _denied(_("Only the requester, the assignee or a supervisor can close this ticket."))
        return
    if target == S.CANCELLED:
        if requester and user.has_contract_permission("ticket:close"):
            return
        if manager and user.has_contract_permission("ticket:update"):
            return
        raise _denied(_("Only the requester or a supervisor can cancel this ticket."))
    if target == S.NEW:  # reject by the assignee, or a supervisor takes it back to the queue
        if assignee and current == S.ASSIGNED:
            require_code(user, "ticket:reject")
            return
        if manager:
            require_code(user, "ticket:assign")
            return
        raise _denied(_("Only the assignee can reject this ticket."))
    if target == S.ASSIGNED:
        require_code(user, "ticket:assign")
        if not (manager or assignee or ticket.assigned_to_id is None):
            raise _denied(_("You can only assign unassigned tickets or your own."))
        return


def check_assign(ticket, user) -> None:
    require_code(user, "ticket:assign")
    if ticket.status not in OPEN_STATUSES:
        raise refuse_transition(ticket.status, S.ASSIGNED)
    if not (is_manager(user) or ticket.assigned_to_id in (None, user.pk)):
        raise _denied(_("You can only assign unassigned tickets or your own."))


def _allowed(check, *args) -> bool:
    try:
        check(*args)
    except DomainError:
        return False
    return True


def allowed_actions(ticket, user) -> list[str]:
    """The workflow actions ``user`` may take on ``ticket`` now, in display order."""
    actions = []
    s = ticket.status
    assignee = ticket.assigned_to_id == user.pk
    if s == S.ASSIGNED and assignee and ticket.accepted_at is None and user.has_contract_permission("ticket:accept"):
        actions.append("accept")
    if s == S.ASSIGNED and _allowed(check_transition, ticket, S.NEW, user) and assignee:
        actions.append("reject")
    if s in (S.ASSIGNED, S.PAUSED) and _allowed(check_transition, ticket, S.IN_PROGRESS, user):
        actions.append("start" if s == S.ASSIGNED else "resume")
    if _allowed(check_transition, ticket, S.PAUSED, user):
        actions.append("pause")
    if _allowed(check_transition, ticket, S.RESOLVED, user):
        actions.append("resolve")
    if s == S.RESOLVED and _allowed(check_transition, ticket, S.IN_PROGRESS, user):
        actions.append("reopen")
    if _allowed(check_transition, ticket, S.CLOSED, user):
        actions.append("close")
    if _allowed(check_transition, ticket, S.CANCELLED, user):
        actions.append("cancel")
    if _allowed(check_assign, ticket, user):
        actions.append("assign")
    if ticket.status in (S.RESOLVED, S.CLOSED) and ticket.created_by_id == user.pk:
        actions.append("rate")
    return actions


#: Status moves the list's bulk bar offers (an assignment is the bulk "assign" operation).
BULK_TARGETS = (S.IN_PROGRESS, S.PAUSED, S.RESOLVED, S.CLOSED, S.CANCELLED, S.NEW)


def bulk_options(ticket, user) -> dict:
    """What the bulk bar may offer for ``ticket``: the statuses ``user`` may move it to and
    whether they may assign it. The bar offers what every selected row allows, so an operation
    it shows does not fail for a reason the page already knew."""
    return {
        "statuses": [t for t in BULK_TARGETS if t != ticket.status and _allowed(check_transition, ticket, t, user)],
        "assign": _allowed(check_assign, ticket, user),
    }
