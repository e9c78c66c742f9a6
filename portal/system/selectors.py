"""Every read of system administration, scoped to the caller."""

from __future__ import annotations

from portal import config
from portal.system import policy


def config_scope(user):
    """The tenant whose values the caller reads (None: the global view of the platform admin)."""
    return policy.scope_tenant(user)


def config_entries_for(user, *, category: str = "", level: str = "", keyword: str = "") -> list[config.ConfigEntry]:
    """The settings as the caller's tenant sees them (the global view for the platform admin)."""
    tenant = policy.scope_tenant(user)
    entries = config.config_entries(tenant=tenant)
    if category:
        entries = [e for e in entries if e.spec.category == category]
    if level:
        entries = [e for e in entries if e.config_level == level]
    if keyword:
        word = keyword.lower()
        entries = [e for e in entries if word in e.key.lower() or word in str(e.spec.description).lower()]
    return entries


def config_changes_for(user, *, key: str = ""):
    from portal.models import ConfigChange

    tenant = policy.scope_tenant(user)
    rows = ConfigChange.objects.select_related("changed_by")
    rows = rows.filter(tenant__isnull=True) if tenant is None else rows.filter(tenant=tenant)
    return rows.filter(key=key) if key else rows


# --- modules ----------------------------------------------------------------------------------


def module_rows(tenant_id) -> dict:
    """{code: ModuleState} in effect for a tenant (None: the platform-wide rows only)."""
    from portal.system.models import ModuleState

    rows = {
        row.module_code: row for row in ModuleState.objects.filter(tenant__isnull=True).select_related("updated_by")
    }
    if tenant_id is not None:
        for row in ModuleState.objects.filter(tenant_id=tenant_id).select_related("updated_by"):
            rows[row.module_code] = row
    return rows


def module_states_for(user, *, tenant_id=None) -> list[tuple]:
    """[(ModuleSpec, ModuleState | None)] for the caller's tenant; the platform admin sees the
    platform-wide states, or a given tenant's."""
    from portal import modules

    target = policy.module_target(user, tenant_id)
    rows = module_rows(target)
    return [(spec, rows.get(code)) for code, spec in sorted(modules.MODULES.items())]
