"""v1 §1.2 tenant administration: platform super admins only."""

from __future__ import annotations

import pytest

from accounts.models import Role, User
from tenants.models import Tenant
from tests.accounts.helpers import v1_login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BODY = {
    "tenant_code": "new_company",
    "tenant_name": "新公司",
    "domain": "new.example.com",
    "max_users": 100,
    "expire_time": "2030-12-31T23:59:59Z",
    "admin_username": "admin",
    "admin_password": "Passw0rd-123",
    "admin_email": "admin@new.example.com",
    "config": {"theme": "default"},
}


@pytest.fixture
def platform(db):
    return UserFactory(
        tenant=None, username="superadmin", email="superadmin@ops.local", is_superuser=True, is_staff=True
    )


def snapshot():
    return (
        list(Tenant.objects.order_by("id").values_list("id", "code", "name", "status", "max_users")),
        User.objects.count(),
        Role.objects.count(),
    )


def test_permission_matrix(platform, tenant_a, make_user, api):
    tenant_admin = make_user(tenant_a, "admin")
    before = snapshot()
    for method, path, body in [
        ("get", "/api/v1/admin/tenants", None),
        ("post", "/api/v1/admin/tenants", BODY),
        ("put", f"/api/v1/admin/tenants/{tenant_a.pk}", {"tenant_name": "x"}),
        ("delete", f"/api/v1/admin/tenants/{tenant_a.pk}", None),
    ]:

        def call(c, method=method, path=path, body=body):
            return getattr(c, method)(path, body, format="json") if body else getattr(c, method)(path)

        assert call(api()).status_code == 401
        refused = call(api(tenant_admin))  # a tenant admin is not a platform admin
        assert refused.status_code == 403
        assert refused.json()["data"]["required_permission"].startswith("system:tenant:")
    assert snapshot() == before


def test_create_provisions_roles_and_admin_who_can_sign_in(platform, api):
    response = api(platform).post("/api/v1/admin/tenants", BODY, format="json")
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert data["tenant_code"] == "new_company" and data["status"] == 1 and data["current_users"] == 1
    assert data["config"] == {"theme": "default"} and data["max_users"] == 100
    tenant = Tenant.objects.get(code="new_company")
    assert set(Role.objects.filter(tenant=tenant).values_list("code", flat=True)) == {
        "user",
        "agent",
        "supervisor",
        "admin",
    }
    admin = User.objects.get(tenant=tenant, username="admin")
    login = v1_login(api(), admin, password="Passw0rd-123").json()
    assert login["code"] == 200 and login["data"]["user_info"]["roles"] == ["admin"]


def test_create_refuses_duplicates_and_weak_password(platform, tenant_a, api):
    before = snapshot()
    assert (
        api(platform).post("/api/v1/admin/tenants", {**BODY, "tenant_code": tenant_a.code}, format="json").status_code
        == 409
    )
    weak = api(platform).post("/api/v1/admin/tenants", {**BODY, "admin_password": "weak"}, format="json")
    assert weak.status_code == 400 and weak.json()["data"]["errors"][0]["field"] == "admin_password"
    assert snapshot() == before


def test_list_filters_and_counts(platform, tenant_a, tenant_b, make_user, api):
    make_user(tenant_a)
    client = api(platform)
    data = client.get("/api/v1/admin/tenants").json()["data"]
    assert data["total"] == 2
    row = next(i for i in data["items"] if i["id"] == tenant_a.pk)
    assert set(row) >= {
        "id",
        "tenant_code",
        "tenant_name",
        "domain",
        "status",
        "max_users",
        "current_users",
        "expire_time",
        "created_at",
        "config",
    }
    assert row["current_users"] == 1
    assert client.get("/api/v1/admin/tenants?keyword=tenant_b").json()["data"]["total"] == 1
    assert client.get("/api/v1/admin/tenants?status=2").json()["data"]["total"] == 0


def test_update_and_delete_disables_and_keeps_data(platform, tenant_a, make_user, api):
    user = make_user(tenant_a)
    token = v1_login(api(), user).json()["data"]["access_token"]
    client = api(platform)
    updated = client.put(
        f"/api/v1/admin/tenants/{tenant_a.pk}", {"tenant_name": "甲公司改", "max_users": 5}, format="json"
    )
    assert updated.status_code == 200 and updated.json()["data"]["tenant_name"] == "甲公司改"
    assert client.delete(f"/api/v1/admin/tenants/{tenant_a.pk}").status_code == 200
    tenant_a.refresh_from_db()
    assert tenant_a.status == 2 and User.objects.filter(pk=user.pk).exists()
    # its users can no longer sign in, and live tokens get 40003 on the next request
    assert v1_login(api(), user).json()["code"] == 40003
    live = api()
    live.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert live.get("/api/v1/auth/me").json()["code"] == 40003
    assert client.put("/api/v1/admin/tenants/99999", {"tenant_name": "x"}, format="json").status_code == 404
