"""Writes of the identity domain. Keyword-only, transactional; views, admin, commands and
tasks all come through here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Permission, Role, RoleType, User, UserRole, UserStatus
from accounts.permission_catalog import BUILTIN_ROLES
from portal.api.errors import DomainError, ErrorCode
from tenants.models import Tenant


@transaction.atomic
def ensure_builtin_roles(*, tenant: Tenant) -> dict[str, Role]:
    """Create (or bring up to date) the tenant's built-in roles and their permission sets."""
    permissions = {p.code: p for p in Permission.objects.all()}
    roles = {}
    for code, (name, _name_en, codes) in BUILTIN_ROLES.items():
        role, _created = Role.objects.update_or_create(
            tenant=tenant,
            code=code,
            defaults={"name": name, "is_system": True, "role_type": RoleType.SYSTEM, "is_active": True},
        )
        role.permissions.set([permissions[c] for c in codes if c in permissions])
        roles[code] = role
    return roles


def _check_user_quota(tenant: Tenant) -> None:
    # Lock the tenant row so that two concurrent creations cannot both take the last seat.
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    in_use = User.objects.filter(tenant=locked).exclude(status=UserStatus.INACTIVE).count()
    if in_use >= locked.max_users:
        raise DomainError(
            ErrorCode.CONFLICT,
            _("The tenant has reached its user limit (%(max)d).") % {"max": locked.max_users},
            details={"max_users": locked.max_users},
        )


@transaction.atomic
def user_create(
    *,
    tenant: Tenant,
    username: str,
    email: str,
    password: str | None,
    role_codes: list[str] | tuple[str, ...] = ("user",),
    by: User | None = None,
    **fields,
) -> User:
    """Create a user of ``tenant`` with the given roles, within the tenant's user quota."""
    _check_user_quota(tenant)
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(ErrorCode.CONFLICT, _("This email is already in use."), field="email")
    if User.objects.filter(tenant=tenant, username__iexact=username).exists():
        raise DomainError(ErrorCode.CONFLICT, _("This username is already in use."), field="username")
    user = User.objects.create_user(email=email, password=password, tenant=tenant, username=username, **fields)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password_changed_at"])
    roles = Role.objects.filter(tenant=tenant, code__in=role_codes)
    UserRole.objects.bulk_create([UserRole(tenant=tenant, user=user, role=role, assigned_by=by) for role in roles])
    return user


def user_register(*, username: str, email: str, password: str, **fields) -> User:
    """Desk self-registration into the tenant named by ``system.register.tenant_code``."""
    from accounts.auth_services import password_validate
    from portal.config import get_config

    code = get_config("system.register.tenant_code")
    tenant = Tenant.objects.filter(code=code).first() if code else None
    if tenant is None or not tenant.is_usable:
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("Self-registration is disabled."))
    password_validate(password, tenant=tenant)
    return user_create(tenant=tenant, username=username, email=email, password=password, role_codes=["user"],
                       **{k: v for k, v in fields.items() if v})  # fmt: skip
