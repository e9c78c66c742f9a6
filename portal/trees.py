"""The one way to write a django-mptt tree.

django-mptt keeps nested-set numbers (``tree_id``, ``lft``, ``rght``) that a write rewrites
across many rows, and it numbers a new root ``max(tree_id) + 1`` over the *whole table* — every
tenant's trees share that counter. Two concurrent writers (two tenants adding a root at the same
moment, or one inserting while another moves a subtree) can therefore interleave and corrupt the
numbers of trees they do not even own. So every write to an mptt model — insert, move, delete,
the admin's drag and drop — runs inside :func:`tree_write` for that model:

    from portal.trees import tree_write

    @transaction.atomic
    def category_create(*, tenant, by, data):
        with tree_write(Category):
            parent = Category.objects.get(pk=...)  # read tree numbers under the lock
            ...save()

The lock is per model (per table), not per tenant, because the tree numbering is per table.
PostgreSQL: a transaction-scoped advisory lock keyed by a stable hash of the table name, held
until the surrounding transaction ends. SQLite: writers are already serialised (the connection
opens IMMEDIATE transactions, see ``portal/settings.py``), so only the transaction is needed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, router, transaction


def tree_table(model) -> str:
    """The table whose rows share one tree numbering (the MTI base for inherited trees)."""
    manager = getattr(model, "_tree_manager", None)
    tree_model = getattr(manager, "tree_model", None) or model._meta.concrete_model
    return tree_model._meta.db_table


def tree_lock_key(model) -> int:
    """A stable signed 64-bit advisory-lock key for the model's table (same in every process)."""
    digest = hashlib.blake2b(f"opsportal.tree:{tree_table(model)}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def tree_write(model, *, using: str | None = None) -> Iterator[None]:
    """Serialise writes to ``model``'s trees until the enclosing transaction ends.

    Opens a transaction when called outside one (so the lock is never released early); inside
    a service's ``@transaction.atomic`` it joins that transaction. Read the tree numbers you
    depend on (a parent node) *inside* the block: only then are they current."""
    alias = using or router.db_for_write(model)
    with transaction.atomic(using=alias, savepoint=False):
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [tree_lock_key(model)])
        yield


class TreeWriteAdminMixin:
    """For a ``ModelAdmin`` of an mptt model (e.g. with ``DraggableMPTTAdmin``): saves,
    deletes and drag-and-drop moves in the admin take the same lock as the services."""

    def save_model(self, request, obj, form, change):
        with tree_write(self.model):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with tree_write(self.model):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with tree_write(self.model):
            super().delete_queryset(request, queryset)

    def _move_node(self, request):  # DraggableMPTTAdmin's drag-and-drop handler
        with tree_write(self.model):
            return super()._move_node(request)
