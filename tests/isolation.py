"""Registry for the generic tenant-isolation test (tests/portal/test_tenant_isolation.py).

For every model that a GET route of either contract serves, register a maker that creates one
row of it in the given tenant, with ``MARKER`` in its text. The test fails for any route whose
model has no maker, so new routes cannot skip the check.
"""

from __future__ import annotations

from collections.abc import Callable

MARKER = "ISOLATION-MARKER-7f3a"

MAKERS: dict[str, Callable] = {}


def maker(model_label: str):
    def register(func):
        MAKERS[model_label] = func
        return func

    return register


@maker("accounts.User")
def _user(tenant):
    from tests.factories import UserFactory

    return UserFactory(tenant=tenant, username=f"iso{tenant.pk}", real_name=MARKER, email=f"iso{tenant.pk}@iso.test")


@maker("accounts.Role")
def _role(tenant):
    from accounts.models import Role

    return Role.objects.create(tenant=tenant, code=f"iso_{tenant.pk}", name=MARKER)


@maker("accounts.Permission")
def _permission(tenant):
    from accounts.models import Permission

    return Permission.objects.first()  # global catalogue: not tenant-owned, nothing to hide


def isolation_modules() -> list[str]:
    """Each app's makers live in ``tests/<app label>/isolation.py``, found by name: a new app
    registers its makers by shipping that module (``tests/knowledge/isolation.py``)."""
    from portal.apps import project_apps

    return [f"tests.{config.label}.isolation" for config in project_apps()]


def load_makers() -> dict[str, Callable]:
    from importlib import import_module
    from importlib.util import find_spec

    for module in isolation_modules():
        if find_spec(module.rpartition(".")[0]) and find_spec(module):
            import_module(module)
    return MAKERS
