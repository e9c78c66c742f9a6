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
