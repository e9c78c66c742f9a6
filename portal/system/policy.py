"""Who may do what in system administration (v1 permission codes), decided once."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.errors import DomainError, ErrorCode


def require(user, code: str) -> None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_contract_permission(code):
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS)


def scope_tenant(user):
    """The tenant a user's system-administration writes apply to: their own tenant for a
    tenant administrator, None (global / platform-wide) for the platform super admin."""
    if getattr(user, "is_platform_admin", False):
        return None
    if getattr(user, "tenant_id", None) is None:
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("No tenant to administer."))
    return user.tenant


def module_target(user, tenant_id):
    """The tenant id a module read or switch applies to: a tenant administrator's own tenant
    (naming another tenant is a 404), the platform admin's choice (None: platform-wide)."""
    if getattr(user, "is_platform_admin", False):
        if tenant_id is None:
            return None
        from django.apps import apps

        if not apps.get_model("tenants", "Tenant").objects.filter(pk=tenant_id).exists():
            raise DomainError(ErrorCode.NOT_FOUND, _("The tenant does not exist."))
        return tenant_id
    own = scope_tenant(user).pk
    if tenant_id is not None and tenant_id != own:
        raise DomainError(ErrorCode.NOT_FOUND, _("The tenant does not exist."))
    return own
