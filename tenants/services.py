from __future__ import annotations

from django.db import transaction

from tenants.models import Tenant


@transaction.atomic
def tenant_create(*, code: str, name: str, **fields) -> Tenant:
    """Create a tenant with its built-in roles (user, agent, supervisor, admin)."""
    from accounts.services import ensure_builtin_roles

    tenant = Tenant.objects.create(code=code, name=name, **fields)
    ensure_builtin_roles(tenant=tenant)
    return tenant
