"""Who may do what to an engineer profile. The services enforce these; pages ask the same
functions so that they only offer what the services would accept."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.errors import DomainError, ErrorCode

MANAGER_ROLES = frozenset({"supervisor", "admin"})


def require_code(user, code: str) -> None:
    if not user.has_contract_permission(code):
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, details={"required_permission": code})


def is_manager(user) -> bool:
    return bool(user and user.is_authenticated and user.tenant_id and user.primary_role in MANAGER_ROLES)


def can_be_engineer(user) -> bool:
    """Engineer profiles belong to users who handle tickets (agents and above)."""
    return user.is_active and user.has_contract_permission("ticket:process")


def check_status_update(engineer, user) -> None:
    """``engineer:update-status``: an engineer sets their own status; supervisors and admins
    (who also hold ``engineer:update``) set anyone's."""
    require_code(user, "engineer:update-status")
    if engineer.user_id == user.pk:
        return
    if is_manager(user) and user.has_contract_permission("engineer:update"):
        return
    raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("You can only change your own status."))


def may_update_status(engineer, user) -> bool:
    try:
        check_status_update(engineer, user)
    except DomainError:
        return False
    return True
