"""Roles read and written through the scoped selectors and services (issue 8): both role
lists (``roles`` and ``admin/roles``) show the caller's tenant only, a parent role of another
tenant is refused and changes nothing, and the Django admin's permission edits are logged by
the public service."""

from __future__ import annotations

import pytest

from accounts import selectors, services
from accounts.models import PermissionChangeLog, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LISTS = ("/api/v1/roles", "/api/v1/admin/roles")


def codes(data) -> set[str]:
    rows = data["items"] if isinstance(data, dict) else data
    return {row["role_code"] for row in rows}


def test_both_role_lists_show_the_callers_tenant_only(api, tenant_a, tenant_b, make_user):
    services.role_create(tenant=tenant_b, by=None, code="b_only", name="乙专属")
    admin_a = api(make_user(tenant_a, "admin"))
    for url in LISTS:
        response = admin_a.get(url)
        assert response.status_code == 200, response.content
        assert "b_only" not in codes(response.json()["data"]) and "agent" in codes(response.json()["data"])
    assert set(selectors.roles_for(make_user(tenant_a, "admin")).values_list("tenant_id", flat=True)) == {tenant_a.pk}
    platform = UserFactory(tenant=None, username="root", is_superuser=True, is_staff=True)
    assert not selectors.roles_for(platform).exists()


@pytest.mark.parametrize("url", LISTS)
def test_a_parent_role_of_another_tenant_is_refused_and_changes_nothing(url, api, tenant_a, tenant_b, make_user):
    foreign = services.role_create(tenant=tenant_b, by=None, code="b_parent", name="乙父角色")
    before = (Role.objects.count(), PermissionChangeLog.objects.count())
    body = {"role_code": "child", "role_name": "子角色", "permission_codes": [], "parent_role_id": foreign.pk}
    response = api(make_user(tenant_a, "admin")).post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["data"]["errors"][0]["field"] == "parent_role_id"
    assert (Role.objects.count(), PermissionChangeLog.objects.count()) == before


def test_own_parent_role_is_accepted_on_both_lists(api, tenant_a, make_user):
    parent = Role.objects.get(tenant=tenant_a, code="agent")
    admin_a = api(make_user(tenant_a, "admin"))
    for index, url in enumerate(LISTS):
        body = {"role_code": f"senior{index}", "role_name": "高级", "parent_role_id": parent.pk}
        response = admin_a.post(url, body, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["data"]["parent_role_id"] == parent.pk


def test_admin_permission_edits_are_logged_by_the_service(tenant_a, make_user):
    role = Role.objects.get(tenant=tenant_a, code="agent")
    by = make_user(tenant_a, "admin")
    services.role_permissions_logged(role=role, by=by, before={"a:read"}, after={"a:read"}, ip=None)
    assert not PermissionChangeLog.objects.filter(operation_type="permission_change").exists()
    services.role_permissions_logged(role=role, by=by, before={"a:read"}, after={"b:read", "a:read"}, ip="10.0.0.1")
    log = PermissionChangeLog.objects.get(operation_type="permission_change")
    assert (log.tenant, log.target_role, log.old_value, log.new_value) == (tenant_a, role, "a:read", "a:read,b:read")
