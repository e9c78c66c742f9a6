"""The administration pages read users through the scoped selector and name the permission of
every method (and of every action one form posts) in ``required_permissions``, like the APIs:

- the users page lists and changes the users ``accounts.selectors.users_for`` gives, as the v1
  users API does: a tenant administrator their tenant's, a platform principal none (neither a
  tenant's users nor the platform accounts, which the page used to list for them);
- a missing code is a 403 that changes nothing, decided per posted action (users: ``status``
  needs ``user:update``, creating needs ``user:create``; tenants: ``disable``/``enable`` need
  ``system:tenant:update``, creating needs ``system:tenant:create``)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import Department, Permission, Role, User, UserRole, UserStatus
from portal.page_views import PortalPageMixin
from tenants.models import Tenant, TenantStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Str0ng-Pass!"


def _platform(username, *, superuser=True):
    user = UserFactory(tenant=None, username=username, email=f"{username}@ops.local", is_superuser=superuser)
    user.save()  # the factory skips the post-generation save when there is no tenant
    return user


def _holding(tenant, make_user, username, *codes):
    """A plain user of ``tenant`` (built-in role ``user``, no administration code) with a role
    that grants ``codes`` besides."""
    role = Role.objects.create(tenant=tenant, code=f"r_{username}", name=username)
    role.permissions.set(Permission.objects.filter(code__in=codes))
    user = make_user(tenant, "user", username=username)
    UserRole.objects.create(tenant=tenant, user=user, role=role)
    return User.objects.get(pk=user.pk)


def _as(user):
    client = Client()
    client.force_login(user)
    return client


def _listed(client) -> set[str]:
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 200
    return {u.username for u in response.context["page"].object_list}


def _api_listed(api, user) -> set[str]:
    response = api(user).get("/api/v1/users", {"size": 100})
    assert response.status_code == 200, response.content[:300]
    return {row["username"] for row in response.json()["data"]["items"]}


def _status_of(user) -> str:
    return User.objects.get(pk=user.pk).status


def _post_status(client, target, status="inactive"):
    return client.post(reverse("accounts:users"), {"action": "status", "user_id": target.pk, "status": status})


@pytest.fixture
def people(tenant_a, tenant_b, make_user):
    return {
        "admin": make_user(tenant_a, "admin", username="boss"),
        "colleague": make_user(tenant_a, username="colleague"),
        "foreigner": make_user(tenant_b, username="foreigner"),
        "root": _platform("root"),
        "operator": _platform("operator", superuser=False),
    }


class TestUsersPageScope:
    def test_platform_admin_sees_and_changes_what_the_v1_api_lets_them(self, api, people):
        root = _as(people["root"])
        # the page lists what the v1 users API lists for the same caller: nobody
        assert _listed(root) == _api_listed(api, people["root"]) == set()
        # and changing the status of a platform account or of a tenant's user is a 404 that changes nothing
        for target in ("operator", "colleague", "foreigner"):
            assert _post_status(root, people[target]).status_code == 404, target
            assert _status_of(people[target]) == UserStatus.ACTIVE, target

    def test_tenant_admin_sees_and_changes_their_tenants_users_only(self, api, people):
        admin = _as(people["admin"])
        listed = _listed(admin)
        assert listed == _api_listed(api, people["admin"])
        assert {"boss", "colleague"} <= listed
        assert not listed & {"foreigner", "root", "operator"}
        for target in ("foreigner", "root", "operator"):
            assert _post_status(admin, people[target]).status_code == 404, target
            assert _status_of(people[target]) == UserStatus.ACTIVE, target
        assert _post_status(admin, people["colleague"]).status_code == 302
        assert _status_of(people["colleague"]) == UserStatus.INACTIVE


def _create_user(client, username):
    body = {
        "username": username,
        "email": f"{username}@example.com",
        "password": PASSWORD,
        "user_type": "internal",
        "status": "active",
    }
    return client.post(reverse("accounts:users"), body)


class TestUsersPagePerAction:
    @pytest.mark.parametrize(
        ("codes", "may_change_status", "may_create"),
        [
            (("user:read",), False, False),
            (("user:read", "user:update"), True, False),
            (("user:read", "user:create"), False, True),
        ],
    )
    def test_each_action_needs_its_own_code(self, tenant_a, make_user, codes, may_change_status, may_create):
        clerk = _as(_holding(tenant_a, make_user, "clerk", *codes))
        target = make_user(tenant_a, username="target")
        assert clerk.get(reverse("accounts:users")).status_code == 200
        # changing a status needs user:update
        response = _post_status(clerk, target)
        assert response.status_code == (302 if may_change_status else 403)
        assert _status_of(target) == (UserStatus.INACTIVE if may_change_status else UserStatus.ACTIVE)
        # creating a user needs user:create
        response = _create_user(clerk, "newcomer")
        assert response.status_code == (302 if may_create else 403)
        assert User.objects.filter(username="newcomer").exists() == may_create


class TestRolesAndDepartmentsPages:
    def test_reading_roles_is_not_creating_one(self, tenant_a, make_user):
        reader = _as(_holding(tenant_a, make_user, "reader", "role:read"))
        assert reader.get(reverse("accounts:roles")).status_code == 200
        before = Role.objects.count()
        response = reader.post(reverse("accounts:roles"), {"role_code": "viewer", "role_name": "只读"})
        assert response.status_code == 403
        assert Role.objects.count() == before

    def test_reading_departments_is_not_creating_one(self, tenant_a, make_user):
        reader = _as(_holding(tenant_a, make_user, "reader", "department:read"))
        assert reader.get(reverse("accounts:departments")).status_code == 200
        response = reader.post(reverse("accounts:departments"), {"code": "hq", "name": "总部"})
        assert response.status_code == 403
        assert not Department.objects.filter(code="hq").exists()


class TestTenantsPagePerAction:
    @pytest.mark.parametrize(
        ("codes", "may_disable", "may_create"),
        [
            (("system:tenant:read",), False, False),
            (("system:tenant:read", "system:tenant:update"), True, False),
            (("system:tenant:read", "system:tenant:create"), False, True),
        ],
    )
    def test_each_action_needs_its_own_code(self, tenant_a, tenant_b, make_user, codes, may_disable, may_create):
        # a principal holding exactly these codes (granted through a role, as no built-in role does)
        operator = _as(_holding(tenant_a, make_user, "operator", *codes))
        assert operator.get(reverse("tenants:list")).status_code == 200
        response = operator.post(reverse("tenants:list"), {"action": "disable", "tenant_id": tenant_b.pk})
        assert response.status_code == (302 if may_disable else 403)
        assert Tenant.objects.get(pk=tenant_b.pk).status == (TenantStatus.DISABLED if may_disable else tenant_b.status)
        body = {
            "tenant_code": "pagetenant",
            "tenant_name": "页面租户",
            "max_users": 10,
            "admin_username": "admin",
            "admin_email": "admin@pagetenant.example.com",
            "admin_password": PASSWORD,
        }
        response = operator.post(reverse("tenants:list"), body)
        # without system:tenant:create the page refuses before anything; with it the tenant
        # service decides (it refuses this principal, who cannot hand the new tenant's
        # administrator codes they do not hold; the platform admin's creation is in test_pages)
        assert (response.status_code == 403) == (not may_create)
        if not may_create:
            assert not Tenant.objects.filter(code="pagetenant").exists()


class _Page(PortalPageMixin):
    required_permissions = {"get": "a:read", "post": {"status": "a:update", "*": "a:create"}}


def test_a_method_entry_may_name_a_code_per_posted_action():
    page, post = _Page(), RequestFactory().post
    assert page.permission_for("GET") == "a:read"
    assert page.permission_for("HEAD") == "a:read"  # HEAD is answered by get
    assert page.permission_for("POST", lambda: post("/", {"action": "status"}).POST.get("action")) == "a:update"
    assert page.permission_for("POST", lambda: "something-else") == "a:create"
    assert page.permission_for("POST", lambda: None) == "a:create"
    assert page.permission_for("PUT") is None
