"""Editing what was created (issue 13 point 2): users, roles, departments and tenants, each
edit permission-checked and tenant-scoped, and each refusal leaving everything as it was."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Department, PermissionChangeLog, Role, User, UserStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def platform_admin():
    user = UserFactory(tenant=None, username="root", email="root@ops.local", is_superuser=True)
    user.save()
    return user


@pytest.fixture
def admin(tenant_a, make_user):
    return make_user(tenant_a, "admin", username="boss")


class TestUserEdit:
    def test_admin_edits_profile_department_and_roles(self, tenant_a, admin, make_user):
        # given a requester and a department
        target = make_user(tenant_a, "user", username="amy")
        dept = services.department_create(tenant=tenant_a, code="it", name="信息部")
        agent = Role.objects.get(tenant=tenant_a, code="agent")
        # when the admin saves the edit form
        response = signed_in(admin).post(
            reverse("accounts:user-edit", args=[target.pk]),
            {"real_name": "Amy Lin", "email": "amy@new.example.com", "user_type": "internal",
             "department": dept.pk, "roles": [agent.pk]},
        )  # fmt: skip
        # then the user changed and the role change was logged
        assert response.status_code == 302
        target.refresh_from_db()
        assert (target.real_name, target.email, target.department_id) == ("Amy Lin", "amy@new.example.com", dept.pk)
        assert target.role_codes == ["agent"]
        assert PermissionChangeLog.objects.filter(target_user=target, operation_type="role_assign").exists()

    def test_all_form_errors_arrive_at_once(self, tenant_a, admin, make_user):
        make_user(tenant_a, username="taken", email="taken@example.com")
        response = signed_in(admin).post(
            reverse("accounts:users"),
            {"username": "taken", "email": "taken@example.com", "password": "short", "user_type": "internal",
             "status": "active"},
        )  # fmt: skip
        errors = response.context["form"].errors
        assert {"username", "email", "password"} <= set(errors)
        assert User.objects.filter(username="taken").count() == 1

    def test_other_tenant_user_is_404_and_unchanged(self, tenant_b, admin, make_user):
        foreign = make_user(tenant_b, username="foreigner", real_name="Original")
        client = signed_in(admin)
        assert client.get(reverse("accounts:user-edit", args=[foreign.pk])).status_code == 404
        edit = client.post(
            reverse("accounts:user-edit", args=[foreign.pk]),
            {"real_name": "Hacked", "email": "x@example.com", "user_type": "internal"},
        )
        status = client.post(reverse("accounts:user-status", args=[foreign.pk]), {"status": "inactive"})
        reset = client.post(reverse("accounts:user-password", args=[foreign.pk]), {"new_password": "Str0ng-Pass!9"})
        assert (edit.status_code, status.status_code, reset.status_code) == (404, 404, 404)
        foreign.refresh_from_db()
        assert (foreign.real_name, foreign.status) == ("Original", UserStatus.ACTIVE)
        assert not foreign.require_password_change and not foreign.check_password("Str0ng-Pass!9")

    def test_without_permission_is_403_and_unchanged(self, tenant_a, make_user):
        agent = make_user(tenant_a, "agent", username="agent")  # user:read only
        target = make_user(tenant_a, username="amy", real_name="Original")
        client = signed_in(agent)
        assert client.get(reverse("accounts:user-edit", args=[target.pk])).status_code == 200
        edit = client.post(
            reverse("accounts:user-edit", args=[target.pk]),
            {"real_name": "Changed", "email": target.email, "user_type": "internal"},
        )
        status = client.post(reverse("accounts:user-status", args=[target.pk]), {"status": "inactive"})
        reset = client.post(reverse("accounts:user-password", args=[target.pk]), {"new_password": "Str0ng-Pass!9"})
        assert (edit.status_code, status.status_code, reset.status_code) == (403, 403, 403)
        target.refresh_from_db()
        assert (target.real_name, target.status, target.require_password_change) == ("Original", "active", False)

    def test_deactivate_is_behind_a_confirmation_and_works(self, tenant_a, admin, make_user):
        target = make_user(tenant_a, username="amy")
        client = signed_in(admin)
        page = client.get(reverse("accounts:user-edit", args=[target.pk])).content.decode()
        # the button only opens the dialog; the dialog's form posts
        assert 'data-dialog-open="deactivate-dialog"' in page and '<dialog class="modal" id="deactivate-dialog"' in page
        client.post(reverse("accounts:user-status", args=[target.pk]), {"status": "inactive"})
        target.refresh_from_db()
        assert target.status == UserStatus.INACTIVE
        client.post(reverse("accounts:user-status", args=[target.pk]), {"status": "active"})
        target.refresh_from_db()
        assert target.status == UserStatus.ACTIVE

    def test_admin_password_reset_sets_password_and_requires_change(self, tenant_a, admin, make_user):
        target = make_user(tenant_a, username="amy")
        client = signed_in(admin)
        weak = client.post(reverse("accounts:user-password", args=[target.pk]), {"new_password": "weak"})
        assert weak.status_code == 400 and "new_password" in weak.context["password_form"].errors
        target.refresh_from_db()
        assert not target.check_password("weak")
        ok = client.post(reverse("accounts:user-password", args=[target.pk]), {"new_password": "Str0ng-Pass!9"})
        assert ok.status_code == 302
        target.refresh_from_db()
        assert target.check_password("Str0ng-Pass!9") and target.require_password_change


class TestRoleEdit:
    def test_rename_and_change_permissions(self, tenant_a, admin):
        role = services.role_create(
            tenant=tenant_a, by=admin, code="viewer", name="只读", permission_codes=["ticket:read"]
        )
        from accounts.models import Permission

        wanted = Permission.objects.filter(code__in=["ticket:read", "knowledge:read"])
        response = signed_in(admin).post(
            reverse("accounts:role-edit", args=[role.pk]),
            {"role_name": "查看者", "permissions": [p.pk for p in wanted]},
        )
        assert response.status_code == 302
        role.refresh_from_db()
        assert role.name == "查看者"
        assert set(role.permissions.values_list("code", flat=True)) == {"ticket:read", "knowledge:read"}
        assert PermissionChangeLog.objects.filter(target_role=role, operation_type="role_update").exists()

    def test_roles_table_shows_names_not_codes(self, tenant_a, admin):
        page = signed_in(admin).get(reverse("accounts:roles")).content.decode()
        assert "查看工单" in page and "ticket:read" not in page

    def test_form_offers_only_permissions_of_enabled_modules(self, tenant_a, admin):
        from portal.system.services import module_set_status

        role = Role.objects.get(tenant=tenant_a, code="user")
        client = signed_in(admin)
        assert "派单" in client.get(reverse("accounts:role-edit", args=[role.pk])).content.decode()
        module_set_status(code="dispatch", status="disabled", tenant_id=tenant_a.pk, by=admin)
        page = client.get(reverse("accounts:role-edit", args=[role.pk])).content.decode()
        assert "执行派单" not in page and "查看工单" in page

    def test_other_tenant_role_is_404_and_missing_permission_403(self, tenant_a, tenant_b, admin, make_user):
        foreign = Role.objects.get(tenant=tenant_b, code="agent")
        client = signed_in(admin)
        assert client.post(reverse("accounts:role-edit", args=[foreign.pk]), {"role_name": "x"}).status_code == 404
        own = Role.objects.get(tenant=tenant_a, code="agent")
        supervisor = signed_in(make_user(tenant_a, "supervisor", username="sup"))  # role:read, no role:update
        assert supervisor.post(reverse("accounts:role-edit", args=[own.pk]), {"role_name": "x"}).status_code == 403
        foreign.refresh_from_db()
        own.refresh_from_db()
        assert foreign.name != "x" and own.name != "x"

    def test_built_in_role_permissions_are_refused(self, tenant_a, admin):
        role = Role.objects.get(tenant=tenant_a, code="user")
        before = set(role.permissions.values_list("code", flat=True))
        response = signed_in(admin).post(reverse("accounts:role-edit", args=[role.pk]), {"role_name": "Requester"})
        assert response.status_code == 400
        assert set(role.permissions.values_list("code", flat=True)) == before


class TestDepartmentEdit:
    def test_rename_move_and_delete_when_empty(self, tenant_a, admin, make_user):
        hq = services.department_create(tenant=tenant_a, code="hq", name="总部")
        it = services.department_create(tenant=tenant_a, code="it", name="信息部")
        client = signed_in(admin)
        moved = client.post(
            reverse("accounts:department-edit", args=[it.pk]), {"name": "信息技术部", "parent": hq.pk, "sort_order": 1}
        )
        assert moved.status_code == 302
        it.refresh_from_db()
        assert (it.name, it.parent_id) == ("信息技术部", hq.pk)
        # hq has a child: refused, kept
        client.post(reverse("accounts:department-delete", args=[hq.pk]))
        assert Department.objects.filter(pk=hq.pk).exists()
        # a department with a user: refused, kept
        make_user(tenant_a, username="amy", department=it)
        client.post(reverse("accounts:department-delete", args=[it.pk]))
        assert Department.objects.filter(pk=it.pk).exists()
        User.objects.filter(username="amy").update(department=None)
        assert client.post(reverse("accounts:department-delete", args=[it.pk])).status_code == 302
        assert not Department.objects.filter(pk=it.pk).exists()
        hq.refresh_from_db()
        assert hq.is_leaf_node() and (hq.lft, hq.rght) == (1, 2)  # the tree numbers followed

    def test_cannot_move_under_own_child(self, tenant_a, admin):
        hq = services.department_create(tenant=tenant_a, code="hq", name="总部")
        it = services.department_create(tenant=tenant_a, code="it", name="信息部", parent=hq)
        response = signed_in(admin).post(
            reverse("accounts:department-edit", args=[hq.pk]), {"name": "总部", "parent": it.pk}
        )
        assert response.status_code == 400
        hq.refresh_from_db()
        assert hq.parent_id is None

    def test_other_tenant_404_and_missing_permission_403(self, tenant_a, tenant_b, admin, make_user):
        foreign = services.department_create(tenant=tenant_b, code="x", name="乙部门")
        client = signed_in(admin)
        assert client.post(reverse("accounts:department-edit", args=[foreign.pk]), {"name": "改"}).status_code == 404
        assert client.post(reverse("accounts:department-delete", args=[foreign.pk])).status_code == 404
        own = services.department_create(tenant=tenant_a, code="own", name="本部门")
        agent = signed_in(make_user(tenant_a, "agent", username="agent"))
        assert agent.post(reverse("accounts:department-edit", args=[own.pk]), {"name": "改"}).status_code == 403
        assert agent.post(reverse("accounts:department-delete", args=[own.pk])).status_code == 403
        foreign.refresh_from_db()
        own.refresh_from_db()
        assert (foreign.name, own.name) == ("乙部门", "本部门")


class TestTenantEdit:
    def test_platform_admin_edits_name_limits_expiry(self, tenant_a):
        response = signed_in(platform_admin()).post(
            reverse("tenants:edit", args=[tenant_a.pk]),
            {"tenant_name": "甲公司（新）", "max_users": 7, "expire_time": "2030-01-01T08:00"},
        )
        assert response.status_code == 302
        tenant_a.refresh_from_db()
        assert (tenant_a.name, tenant_a.max_users, tenant_a.expire_time.year) == ("甲公司（新）", 7, 2030)

    def test_tenant_admin_is_refused_and_nothing_changes(self, tenant_a, admin):
        response = signed_in(admin).post(
            reverse("tenants:edit", args=[tenant_a.pk]), {"tenant_name": "Hijacked", "max_users": 9999}
        )
        assert response.status_code == 403
        tenant_a.refresh_from_db()
        assert tenant_a.name == "甲公司" and tenant_a.max_users != 9999


def test_built_in_role_names_follow_the_page_language(tenant_a, admin):
    client = signed_in(admin)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("accounts:roles")).content.decode()
    assert "Tenant administrator" in page and "租户管理员" not in page
    client.cookies["django_language"] = "zh-hans"
    assert "租户管理员" in client.get(reverse("accounts:roles")).content.decode()
