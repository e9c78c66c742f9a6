"""Every write of system administration: keyword-only, transactional, permission-checked."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from portal import config
from portal.system import policy

CONFIG_UPDATE = "system:config:update"


@transaction.atomic
def config_update(*, by, key: str, value: Any, reason: str = "", permission: str = CONFIG_UPDATE):
    """Set one setting: a tenant administrator writes their tenant's override, the platform
    super admin the global value. Returns the effective entry afterwards."""
    policy.require(by, permission)
    tenant = policy.scope_tenant(by)
    config.set_configs({key: value}, tenant=tenant, by=by, reason=reason)
    return config.config_entry(key, tenant=tenant)


@transaction.atomic
def config_update_many(*, by, values: dict[str, Any], reason: str = "", permission: str = CONFIG_UPDATE):
    """Set several settings at once, all or nothing (see ``portal.config.set_configs``)."""
    policy.require(by, permission)
    tenant = policy.scope_tenant(by)
    config.set_configs(values, tenant=tenant, by=by, reason=reason)
    wanted = set(values)
    return [entry for entry in config.config_entries(tenant=tenant) if entry.key in wanted]


# --- modules ----------------------------------------------------------------------------------


@transaction.atomic
def module_set_status(
    *, by, code: str, status: str, tenant_id=None, reason: str = "", config_options: dict | None = None
):
    """Switch a module on or off for a tenant (or platform-wide), respecting dependencies: a
    module others depend on stays on while they are on; a module goes on only when what it
    needs is on. Returns (spec, state)."""
    from django.utils.translation import gettext as _

    from portal import modules
    from portal.audit.recorder import note_change
    from portal.errors import DomainError, ErrorCode
    from portal.system import selectors
    from portal.system.models import ModuleState, ModuleStatus

    policy.require(by, "system:module:update")
    target = policy.module_target(by, tenant_id)
    spec = modules.MODULES.get(code)
    if spec is None:
        raise DomainError(ErrorCode.MODULE_NOT_FOUND)
    if status not in ModuleStatus.values:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("status must be enabled or disabled."), field="status")
    current = selectors.module_rows(target)

    def state_of(other: str) -> str:
        row = current.get(other)
        return row.status if row is not None else ModuleStatus.ENABLED

    if status == ModuleStatus.DISABLED:
        if not spec.can_disable:
            raise DomainError(
                ErrorCode.MODULE_DEPENDENCY,
                _("%(module)s is essential and cannot be switched off.") % {"module": spec.name},
            )
        dependents = [
            m for m in modules.MODULES.values() if code in m.dependencies and state_of(m.code) == ModuleStatus.ENABLED
        ]
        if dependents:
            names = ", ".join(str(m.name) for m in dependents)
            raise DomainError(
                ErrorCode.MODULE_DEPENDENCY,
                _("Switch off %(dependents)s first: they need %(module)s.")
                % {"dependents": names, "module": spec.name},
                details={"dependents": [m.code for m in dependents]},
            )
    else:
        missing = [dep for dep in spec.dependencies if state_of(dep) != ModuleStatus.ENABLED]
        if missing:
            names = ", ".join(str(modules.MODULES[d].name) for d in missing if d in modules.MODULES)
            raise DomainError(
                ErrorCode.MODULE_DEPENDENCY,
                _("Switch on %(missing)s first: %(module)s needs them.") % {"missing": names, "module": spec.name},
                details={"missing": missing},
            )
    row = ModuleState.objects.select_for_update().filter(tenant_id=target, module_code=code).first()
    old = row.status if row is not None else state_of(code)
    if row is None:
        row = ModuleState(tenant_id=target, module_code=code)
    row.status, row.reason, row.updated_by = status, (reason or "")[:500], by
    if config_options is not None:
        row.config_options = config_options
    row.save()
    note_change(
        action="system:module:update",
        resource_type="system_module",
        resource_id=code,
        description=_("Module %(module)s: %(status)s") % {"module": spec.name, "status": status},
        old_value=old,
        new_value=status,
        tenant=target,
        user=by,
        reason=reason,
    )
    # now, and again after commit (a reader may cache the old state in between)
    modules.forget(target)
    transaction.on_commit(lambda: modules.forget(target))
    return spec, row
