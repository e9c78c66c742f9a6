"""Feature modules: which apps make up which switchable module, and whether a tenant has it on.

Apps declare their module in ``<app>/module.py`` with :func:`register` (discovered at start-up,
like ``demo.py``); the core never imports the apps. A module owns the Python packages listed in
``packages``: every API view, page and menu entry defined in them answers "not available"
(API: ``MODULE_DISABLED`` in the contract's envelope; pages: 404) while the module is switched
off for the user's tenant, and reappears when it is switched back on.

A tenant's state is its own row, else the platform-wide row, else enabled. Dependencies are
respected by the service that switches (``portal.system.services.module_set_status``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import import_module
from importlib.util import find_spec

from django.core.cache import cache
from django.utils.functional import Promise

from portal.cache import generation_read, generation_write, new_generation

CACHE_SECONDS = 60


@dataclass(frozen=True)
class ModuleSpec:
    code: str
    name: str | Promise
    description: str | Promise
    packages: tuple[str, ...]  # Python packages whose views belong to the module
    version: str = "1.0.0"
    dependencies: tuple[str, ...] = ()
    config_options: dict = field(default_factory=dict, hash=False, compare=False)
    can_disable: bool = True


MODULES: dict[str, ModuleSpec] = {}


def register(spec: ModuleSpec) -> None:
    MODULES[spec.code] = spec
    module_of_package.cache_clear()


def discover() -> None:
    """Import every installed app's ``module.py`` (called once from ``SystemConfig.ready``)."""
    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.module"
        if find_spec(config.name) and find_spec(name):
            import_module(name)


@lru_cache(maxsize=512)
def module_of_package(python_module: str) -> str | None:
    """The module code owning a Python module path (the longest matching package wins)."""
    best, length = None, -1
    for spec in MODULES.values():
        for package in spec.packages:
            if (python_module == package or python_module.startswith(package + ".")) and len(package) > length:
                best, length = spec.code, len(package)
    return best


def module_of_view(view) -> str | None:
    """The module of a view class or function (DRF ``as_view`` callables carry ``cls``)."""
    target = getattr(view, "cls", None) or getattr(view, "view_class", None) or view
    return module_of_package(getattr(target, "__module__", "") or "")


GENERATION_KEY = "portal:modules:generation"


def _cache_key(tenant_id) -> str:
    return f"portal:modules:disabled:{tenant_id or 'global'}"


def disabled_codes(tenant_id) -> frozenset[str]:
    """Codes switched off for a tenant (its own rows, else the platform-wide rows). Cached per
    tenant under a generation: a platform-wide switch starts a new one, which retires every
    tenant's entry."""
    key = _cache_key(tenant_id)
    generation, cached = generation_read(GENERATION_KEY, key)
    if cached is not None:
        return frozenset(cached)
    from django.db.models import Q

    from portal.system.models import ModuleState

    states: dict[str, str] = {}
    rows = ModuleState.objects.filter(Q(tenant__isnull=True) | Q(tenant_id=tenant_id)).values_list(
        "module_code", "status", "tenant_id"
    )
    for code, status, _owner in sorted(rows, key=lambda r: r[2] is not None):  # the tenant's rows win
        states[code] = status
    disabled = frozenset(code for code, status in states.items() if status == "disabled" and code in MODULES)
    generation_write(key, generation, sorted(disabled), CACHE_SECONDS)
    return disabled


def forget(tenant_id=None) -> None:
    """Drop cached states after a switch (platform-wide: every tenant's)."""
    if tenant_id is not None:
        cache.delete(_cache_key(tenant_id))
        return
    new_generation(GENERATION_KEY)


def is_enabled(code: str | None, user) -> bool:
    """Whether ``user`` may use module ``code`` (always, for platform admins and unowned views)."""
    if code is None or getattr(user, "is_platform_admin", False):
        return True
    tenant_id = getattr(user, "tenant_id", None) if getattr(user, "is_authenticated", False) else None
    if tenant_id is None:
        return True
    return code not in disabled_codes(tenant_id)


def view_enabled(view, user) -> tuple[bool, ModuleSpec | None]:
    code = module_of_view(view)
    if is_enabled(code, user):
        return True, None
    return False, MODULES.get(code)
