"""Registry for the generic tenant-isolation tests (tests/portal/test_tenant_isolation.py for
the API routes, tests/portal/test_page_isolation.py for the pages).

For every model that a GET route of either contract serves, register a maker that creates one
row of it in the given tenant, with ``MARKER`` in its text. For every page URL that names an
object by id, register which model the id names (``page_object``). The tests fail for any route
whose model has no maker, or any page id route that names no model, so new routes cannot skip
the check.
"""

from __future__ import annotations

from collections.abc import Callable

MARKER = "ISOLATION-MARKER-7f3a"

MAKERS: dict[str, Callable] = {}
#: page URL name ("tickets:detail") -> (model label of the object its id names, sample values
#: of its other URL arguments, e.g. {"action": ("accept", "close")})
PAGE_OBJECTS: dict[str, tuple[str, dict[str, tuple]]] = {}


def maker(model_label: str):
    def register(func):
        MAKERS[model_label] = func
        return func

    return register


def page_object(url_name: str, model_label: str, **samples: tuple) -> None:
    """Declare that page ``url_name`` names an object of ``model_label`` by its id argument."""
    PAGE_OBJECTS[url_name] = (model_label, samples)


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
