from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from portal.errors import DomainError, ErrorCode
from tenants.models import Tenant, TenantStatus


@transaction.atomic
def tenant_create(*, code: str, name: str, **fields) -> Tenant:
    """Create a tenant with its built-in roles (user, agent, supervisor, admin)."""
    from accounts.services import ensure_builtin_roles
    from tenants.provisioning import provision_tenant

    tenant = Tenant.objects.create(code=code, name=name, **fields)
    ensure_builtin_roles(tenant=tenant)
    provision_tenant(tenant)
    return tenant


@transaction.atomic
def tenant_provision(
    *, code: str, name: str, admin_username: str, admin_password: str, admin_email: str, by=None, **fields
) -> Tenant:
    """v1 §1.2.2: a tenant, its built-in roles and its first administrator, all or nothing."""
    from accounts.auth_services import password_validate
    from accounts.models import Role
    from accounts.services import user_create

    if Tenant.objects.filter(code=code).exists():
        raise DomainError(ErrorCode.CONFLICT, _("This tenant code is already in use."), field="tenant_code")
    password_validate(admin_password, field_name="admin_password")
    tenant = tenant_create(code=code, name=name, **fields)
    admin = user_create(
        tenant=tenant,
        username=admin_username,
        email=admin_email,
        password=admin_password,
        role_codes=[],
        by=None,
        real_name=admin_username,
    )
    from accounts.services import user_set_roles

    user_set_roles(user=admin, roles=Role.objects.filter(tenant=tenant, code="admin"), by=by)
    return tenant


TENANT_FIELDS = ("name", "domain", "max_users", "expire_time", "config", "status")


@transaction.atomic
def tenant_update(*, tenant: Tenant, data: dict) -> Tenant:
    for name in TENANT_FIELDS:
        if name in data:
            setattr(tenant, name, data[name])
    tenant.save()
    return tenant


@transaction.atomic
def tenant_disable(*, tenant: Tenant) -> Tenant:
    """v1 §1.2.4: a deleted tenant is disabled (status 2); its data stays, its users cannot
    sign in (40003) and their live tokens are refused with 40003 on the next request."""
    from portal import realtime

    tenant.status = TenantStatus.DISABLED
    tenant.save(update_fields=["status", "updated_at"])
    group = realtime.tenant_group(tenant.pk)
    transaction.on_commit(lambda: realtime.disconnect(group, keep=True))
    return tenant
