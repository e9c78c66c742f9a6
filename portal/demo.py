"""Demo data, contributed by each app.

An app contributes by having a ``demo`` module with ``seed(ctx: DemoContext)`` and, if it
builds on other apps' demo data, ``DEPENDS_ON = ["accounts", …]``. ``manage.py seed_demo``
runs them in dependency order inside one transaction. Every ``seed`` must be idempotent:
look rows up by natural keys and create only what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps


@dataclass
class DemoContext:
    tenants: dict = field(default_factory=dict)  # code -> Tenant
    users: dict = field(default_factory=dict)  # (tenant code, username) -> User
    log: callable = print
    extra: dict = field(default_factory=dict)  # what apps hand to later apps


def demo_modules() -> list:
    found = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name != "portal" and find_spec(config.name) and find_spec(name):
            found[config.label] = import_module(name)
    ordered, seen = [], set()

    def visit(label, trail=()):
        if label in seen:
            return
        if label in trail:
            raise RuntimeError(f"demo dependency cycle: {' -> '.join((*trail, label))}")
        for dependency in getattr(found[label], "DEPENDS_ON", []):
            if dependency in found:
                visit(dependency, (*trail, label))
        seen.add(label)
        ordered.append(found[label])

    for label in found:
        visit(label)
    return ordered
