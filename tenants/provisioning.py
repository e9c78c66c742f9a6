"""What every new tenant gets: apps register a setup function here (in ``AppConfig.ready``)
and ``tenants.services.tenant_create`` runs them all in its transaction. The tenants app never
imports the apps that register. Each function must be idempotent (``get_or_create``)."""

from __future__ import annotations

from collections.abc import Callable

_setups: list[Callable] = []


def on_tenant_created(setup: Callable) -> Callable:
    """Register ``setup(tenant)``; usable as a decorator."""
    if setup not in _setups:
        _setups.append(setup)
    return setup


def provision_tenant(tenant) -> None:
    for setup in list(_setups):
        setup(tenant)
