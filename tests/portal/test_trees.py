"""Tree writes (django-mptt) go through ``portal.trees.tree_write``: one lock per model table.

The race tests run on PostgreSQL (they skip locally without DATABASE_URL=postgres…, and fail in
CI if it is missing); SQLite serialises writers anyway.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/opsportal_core REDIS_URL=redis://127.0.0.1:6379/1 \
     .venv/bin/pytest tests/portal/test_trees.py
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import close_old_connections, connection

from accounts.models import Department
from portal.trees import tree_lock_key, tree_table, tree_write
from tests.accounts.helpers import ON_POSTGRES
from tests.conftest import require_service
from tickets.models import Category


def _parallel(n, func):
    barrier = threading.Barrier(n)

    def run(i):
        try:
            barrier.wait()
            return func(i)
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def _numbers(model):
    return list(model.objects.order_by("id").values_list("id", "tree_id", "lft", "rght", "level", "parent_id"))


def _assert_tree_equals_full_rebuild(model):
    before = _numbers(model)
    model._tree_manager.rebuild()  # recomputes every nested-set number from the parent links
    after = _numbers(model)
    roots = [row for row in before if row[5] is None]
    # every root has a tree of its own, across all tenants …
    assert len({row[1] for row in roots}) == len(roots), roots
    # … and each tree's numbers are exactly what a rebuild computes from the parent links
    by_tree_before = {}
    for row in before:
        by_tree_before.setdefault(row[1], []).append((row[0], row[2], row[3], row[4], row[5]))
    by_id_after = {row[0]: row for row in after}
    for tree_id, rows in by_tree_before.items():
        rebuilt = sorted((by_id_after[r[0]][2], by_id_after[r[0]][3], by_id_after[r[0]][4]) for r in rows)
        assert sorted((r[1], r[2], r[3]) for r in rows) == rebuilt, f"tree {tree_id} was corrupted"


def test_the_lock_is_per_model_table_and_stable():
    assert tree_table(Category) == Category._meta.db_table
    assert tree_lock_key(Category) == tree_lock_key(Category)
    assert tree_lock_key(Category) != tree_lock_key(Department)
    assert -(2**63) <= tree_lock_key(Category) < 2**63


@pytest.mark.django_db(transaction=True)
def test_tree_write_joins_the_callers_transaction_and_rolls_back_with_it(tenant_a):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        with tree_write(Category):
            Category.objects.create(tenant=tenant_a, code="gone", name="gone")
        raise RuntimeError

    assert not Category.objects.filter(code="gone").exists()


@pytest.mark.django_db(transaction=True)
def test_two_tenants_inserting_category_roots_at_once_keep_every_tree_valid(tenant_a, tenant_b, make_user):
    require_service(ON_POSTGRES and connection.vendor == "postgresql", "race tests need PostgreSQL (DATABASE_URL)")
    from tickets import services

    # given one admin per tenant and an existing tree in tenant A
    admins = {tenant_a.pk: make_user(tenant_a, "admin"), tenant_b.pk: make_user(tenant_b, "admin")}
    root_a = services.category_create(tenant=tenant_a, by=admins[tenant_a.pk], data={"name": "硬件"})
    tenants = [tenant_a, tenant_b]

    # when 16 writers of two tenants insert roots (and tenant A children) at the same moment
    def create(i):
        tenant = tenants[i % 2]
        parent = root_a if tenant == tenant_a and i % 4 == 2 else None
        data = {"name": f"分类{i:02d}", "parent": parent}
        return services.category_create(tenant=tenant, by=admins[tenant.pk], data=data).pk

    created = _parallel(16, create)

    # then every insert succeeded and the table equals a full rebuild
    assert len(set(created)) == 16
    assert Category.objects.filter(tenant=tenant_b, parent=None).count() == 8
    _assert_tree_equals_full_rebuild(Category)


@pytest.mark.django_db(transaction=True)
def test_two_tenants_inserting_department_roots_at_once_keep_every_tree_valid(tenant_a, tenant_b):
    require_service(ON_POSTGRES and connection.vendor == "postgresql", "race tests need PostgreSQL (DATABASE_URL)")
    from accounts.services import department_create

    tenants = [tenant_a, tenant_b]

    created = _parallel(12, lambda i: department_create(tenant=tenants[i % 2], code=f"root{i}", name=f"部门{i:02d}").pk)

    assert len(set(created)) == 12
    _assert_tree_equals_full_rebuild(Department)
