"""User, role, permission, department, session and audit administration (v1 §1.3, §1.4,
§22.1, §22.3–22.6; desk 用户管理接口): permission matrix, fields, and that refused calls change
nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts import services
from accounts.auth_services import ClientInfo, session_open
from accounts.models import (
    Department,
    LoginLog,
    LoginSession,
    PermissionChangeLog,
    Role,
    ScheduledStatusChange,
    User,
    UserRole,
    UserStatus,
)
from portal.config import set_config
from tests.accounts.helpers import v1_login
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Temp-Passw0rd!"


def snapshot():
    """Everything a refused administration call could have changed."""
    return (
        list(User.objects.order_by("id").values_list("id", "status", "email", "real_name", "department_id")),
        list(UserRole.objects.order_by("id").values_list("user_id", "role_id")),
        list(Role.objects.order_by("id").values_list("id", "code")),
        list(Department.objects.order_by("id").values_list("id", "code", "lft", "rght")),
        LoginSession.objects.filter(ended_at__isnull=False).count(),
        PermissionChangeLog.objects.count(),
        ScheduledStatusChange.objects.count(),
    )


@pytest.fixture
def world(tenant_a, tenant_b, make_user):
    """Tenant A with an admin, a plain user and a target; tenant B with an admin."""
    target = make_user(tenant_a, "agent", username="target", email="target@a.example.com")
    session_open(user=target, method="password", info=ClientInfo(ip_address="10.1.1.1"))
    dept = services.department_create(tenant=tenant_a, code="ops", name="运维组")
    return {
        "a_admin": make_user(tenant_a, "admin", username="a_admin"),
        "a_user": make_user(tenant_a, "user", username="a_user"),
        "b_admin": make_user(tenant_b, "admin", username="b_admin"),
        "target": target,
        "dept": dept,
        "session": LoginSession.objects.get(user=target),
        "role": Role.objects.get(tenant=tenant_a, code="agent"),
    }


# (method, path, permission, body, success status, is_object_route)
def endpoints(w):
    t, s, r = w["target"].pk, w["session"].key, w["role"].pk
    return [
        ("get", "/api/v1/users", "user:read", None, 200, False),
        (
            "post",
            "/api/v1/users",
            "user:create",
            {"username": "neo", "email": "neo@example.com", "password": GOOD_PASSWORD, "role_ids": [r], "status": 1},
            201,
            False,
        ),
        ("put", f"/api/v1/users/{t}", "user:update", {"real_name": "改名"}, 200, True),
        ("delete", f"/api/v1/users/{t}", "user:delete", None, 200, True),
        (
            "post",
            f"/api/v1/users/{t}/reset-password",
            "user:reset-password",
            {"new_password": GOOD_PASSWORD},
            200,
            True,
        ),
        ("get", "/api/v1/admin/users", "user:read", None, 200, False),
        ("get", f"/api/v1/admin/users/{t}", "user:read", None, 200, True),
        (
            "post",
            "/api/v1/admin/users",
            "user:create",
            {"username": "lisi", "email": "lisi@example.com", "password": GOOD_PASSWORD},
            201,
            False,
        ),
        ("put", f"/api/v1/admin/users/{t}", "user:update", {"phone": "13700137000"}, 200, True),
        ("put", f"/api/v1/admin/users/{t}/status", "user:update", {"status": "inactive", "reason": "离职"}, 200, True),
        ("get", f"/api/v1/admin/users/{t}/sessions", "session:read", None, 200, True),
        ("delete", f"/api/v1/admin/sessions/{s}", "session:delete", None, 200, True),
        ("get", "/api/v1/roles", "role:read", None, 200, False),
        (
            "post",
            "/api/v1/roles",
            "role:create",
            {"role_code": "engineer", "role_name": "运维工程师", "permissions": ["ticket:read"]},
            201,
            False,
        ),
        ("get", "/api/v1/admin/roles", "role:read", None, 200, False),
        (
            "post",
            "/api/v1/admin/roles",
            "role:create",
            {"role_code": "senior", "role_name": "高级", "permission_codes": ["ticket:read"], "parent_role_id": r},
            201,
            False,
        ),
        ("get", "/api/v1/permissions", "permission:read", None, 200, False),
        ("get", "/api/v1/admin/permissions", "permission:read", None, 200, False),
        ("get", "/api/v1/admin/departments", "department:read", None, 200, False),
        (
            "post",
            "/api/v1/admin/departments",
            "department:create",
            {"department_code": "sec", "department_name": "安全部"},
            201,
            False,
        ),
        ("get", "/api/v1/admin/audit/login-logs", "audit:read", None, 200, False),
        ("get", "/api/v1/admin/audit/permission-logs", "audit:read", None, 200, False),
        ("get", "/api/admin/users", "user:read", None, 200, False),
        ("get", f"/api/admin/users/{t}", "user:read", None, 200, True),
        (
            "post",
            "/api/admin/users",
            "user:create",
            {"username": "desk1", "email": "desk1@example.com", "password": GOOD_PASSWORD, "role": "agent"},
            201,
            False,
        ),
    ]


ENDPOINT_IDS = [
    "v1-users-list",
    "v1-users-create",
    "v1-users-update",
    "v1-users-delete",
    "v1-users-reset-password",
    "v1-admin-users-list",
    "v1-admin-users-get",
    "v1-admin-users-create",
    "v1-admin-users-update",
    "v1-admin-users-status",
    "v1-admin-user-sessions",
    "v1-admin-session-delete",
    "v1-roles-list",
    "v1-roles-create",
    "v1-admin-roles-list",
    "v1-admin-roles-create",
    "v1-permissions",
    "v1-admin-permissions",
    "v1-departments-list",
    "v1-departments-create",
    "v1-login-logs",
    "v1-permission-logs",
    "desk-users-list",
    "desk-users-get",
    "desk-users-create",
]


def _call(client, method, path, body):
    return getattr(client, method)(path, body, format="json") if body is not None else getattr(client, method)(path)


@pytest.mark.parametrize("index", range(len(ENDPOINT_IDS)), ids=ENDPOINT_IDS)
def test_permission_matrix(index, world, api, make_user, tenant_a):
    method, path, permission, body, ok_status, is_object = endpoints(world)[index]
    before = snapshot()
    # anonymous: 401
    assert _call(api(), method, path, body).status_code == 401
    # another tenant's admin: 404 for A's objects; lists never show A's rows
    # (a create by B's admin is B's own business: only reads and object routes are compared)
    other = _call(api(world["b_admin"]), method, path, body) if (is_object or method == "get") else None
    if is_object:
        assert other.status_code == 404, other.content
    # same tenant without the permission: 403 naming the permission
    assert not world["a_user"].has_contract_permission(permission)
    refused = _call(api(world["a_user"]), method, path, body)
    assert refused.status_code == 403
    if path.startswith("/api/v1/"):
        assert refused.json()["data"]["required_permission"] == permission
    else:
        assert refused.json()["error_code"] == "INSUFFICIENT_PERMISSIONS"
    # and none of the refused calls changed anything
    if is_object or method == "get":
        assert snapshot() == before
    # allowed
    allowed = _call(api(world["a_admin"]), method, path, body)
    assert allowed.status_code == ok_status, allowed.content
    if other is not None and not is_object:
        assert "target@a.example.com" not in other.content.decode()


def test_list_of_other_tenant_never_contains_a_rows(world, api):
    for path in (
        "/api/v1/users",
        "/api/v1/admin/users",
        "/api/admin/users",
        "/api/v1/admin/audit/login-logs",
        "/api/v1/admin/departments",
        "/api/v1/admin/roles",
    ):
        body = api(world["b_admin"]).get(path).content.decode()
        assert "target@a.example.com" not in body and "运维组" not in body and "10.1.1.1" not in body, path


class TestUsers:
    def test_admin_user_list_fields_and_filters(self, world, api, django_assert_max_num_queries):
        target = world["target"]
        User.objects.filter(pk=target.pk).update(department=world["dept"])
        client = api(world["a_admin"])
        with django_assert_max_num_queries(10):
            body = client.get("/api/v1/admin/users?size=50").json()
        assert body["code"] == 200
        data = body["data"]
        assert set(data) == {"total", "page", "size", "items"}
        row = next(i for i in data["items"] if i["user_id"] == target.pk)
        assert row["department"] == {"id": world["dept"].pk, "name": "运维组", "path": "运维组"}
        assert row["roles"] == [{"id": world["role"].pk, "name": world["role"].name, "code": "agent"}]
        assert row["is_online"] is True and row["session_count"] == 1
        assert row["tenant_name"] == target.tenant.name and row["status"] == "active"
        for key in (
            "username",
            "real_name",
            "email",
            "phone",
            "avatar",
            "user_type",
            "last_login_time",
            "login_count",
            "created_at",
        ):
            assert key in row
        assert [
            i["user_id"] for i in client.get(f"/api/v1/admin/users?role_ids={world['role'].pk}").json()["data"]["items"]
        ] == [target.pk]
        assert client.get(f"/api/v1/admin/users?department_id={world['dept'].pk}").json()["data"]["total"] == 1
        assert client.get("/api/v1/admin/users?keyword=target@a").json()["data"]["total"] == 1
        assert client.get("/api/v1/admin/users?status=inactive").json()["data"]["total"] == 0
        names = [
            i["username"] for i in client.get("/api/v1/admin/users?sort=username&order=asc").json()["data"]["items"]
        ]
        assert names == sorted(names)

    def test_list_query_count_does_not_grow(self, world, api, make_user, tenant_a, django_assert_max_num_queries):
        for n in range(15):
            make_user(tenant_a, "agent", username=f"bulk{n}")
        client = api(world["a_admin"])
        with django_assert_max_num_queries(10):
            assert len(client.get("/api/v1/admin/users?size=100").json()["data"]["items"]) == 18

    def test_admin_user_detail(self, world, api):
        body = api(world["a_admin"]).get(f"/api/v1/admin/users/{world['target'].pk}").json()["data"]
        assert body["user_id"] == world["target"].pk
        assert body["roles"][0]["code"] == "agent" and body["roles"][0]["assigned_at"]
        assert "ticket:process" in body["permissions"]
        assert set(body["profile"]) == {
            "job_title",
            "employee_id",
            "hire_date",
            "manager_id",
            "work_location",
            "timezone",
        }
        assert body["security"]["mfa_enabled"] is False and body["security"]["login_attempts"] == 0
        assert body["activity"]["current_sessions"] == 1 and body["activity"]["login_count"] == 1

    def test_create_with_roles_department_profile_logs_assignment(self, world, api):
        dept, role = world["dept"], world["role"]
        body = {
            "username": "lisi",
            "real_name": "李四",
            "email": "lisi@example.com",
            "phone": "13700137000",
            "user_type": "internal",
            "department_id": dept.pk,
            "role_ids": [role.pk],
            "password": GOOD_PASSWORD,
            "require_password_change": True,
            "send_welcome_email": True,
            "profile": {
                "job_title": "运维工程师",
                "employee_id": "EMP002",
                "hire_date": "2025-08-13",
                "manager_id": world["a_admin"].pk,
                "work_location": "北京市海淀区",
            },
        }
        response = api(world["a_admin"]).post("/api/v1/admin/users", body, format="json")
        assert response.status_code == 201, response.content
        data = response.json()["data"]
        assert data["department"]["id"] == dept.pk and data["roles"][0]["code"] == "agent"
        assert data["profile"]["employee_id"] == "EMP002" and data["profile"]["manager_id"] == world["a_admin"].pk
        user = User.objects.get(username="lisi")
        assert user.require_password_change and user.check_password(GOOD_PASSWORD)
        log = PermissionChangeLog.objects.get(target_user=user)
        assert log.operation_type == "role_assign" and log.new_value == "agent"
        assert log.operator == world["a_admin"]

    def test_create_refuses_weak_password_foreign_role_and_quota(self, world, api, tenant_a, tenant_b):
        client = api(world["a_admin"])
        before = snapshot()
        weak = client.post(
            "/api/v1/admin/users", {"username": "x1", "email": "x1@example.com", "password": "weak"}, format="json"
        )
        assert weak.status_code == 400 and weak.json()["data"]["errors"][0]["field"] == "password"
        foreign = Role.objects.get(tenant=tenant_b, code="admin")
        bad_role = client.post(
            "/api/v1/admin/users",
            {"username": "x2", "email": "x2@example.com", "password": GOOD_PASSWORD, "role_ids": [foreign.pk]},
            format="json",
        )
        assert bad_role.status_code == 400
        dupe = client.post(
            "/api/v1/admin/users",
            {"username": "target", "email": "x3@example.com", "password": GOOD_PASSWORD},
            format="json",
        )
        assert dupe.status_code == 409
        tenant_a.max_users = User.objects.filter(tenant=tenant_a).count()
        tenant_a.save()
        full = client.post(
            "/api/v1/admin/users",
            {"username": "x4", "email": "x4@example.com", "password": GOOD_PASSWORD},
            format="json",
        )
        assert full.status_code == 409
        assert snapshot() == before

    def test_update_roles_logs_assign_and_revoke(self, world, api, tenant_a):
        supervisor = Role.objects.get(tenant=tenant_a, code="supervisor")
        response = api(world["a_admin"]).put(
            f"/api/v1/admin/users/{world['target'].pk}",
            {"role_ids": [supervisor.pk], "real_name": "新名字"},
            format="json",
        )
        assert response.status_code == 200
        assert [r["code"] for r in response.json()["data"]["roles"]] == ["supervisor"]
        ops = set(
            PermissionChangeLog.objects.filter(target_user=world["target"]).values_list(
                "operation_type", "old_value", "new_value"
            )
        )
        assert ops == {("role_revoke", "agent", None), ("role_assign", None, "supervisor")}

    def test_nobody_grants_what_they_do_not_hold(self, world, api, tenant_a, make_user):
        # a custom role that may create users but holds nothing else
        from accounts.models import Permission

        hr = Role.objects.create(tenant=tenant_a, code="hr", name="HR")
        hr.permissions.set(Permission.objects.filter(code__in=["user:create", "user:update", "role:create"]))
        clerk = make_user(tenant_a, "hr")
        admin_role = Role.objects.get(tenant=tenant_a, code="admin")
        before = snapshot()
        response = api(clerk).post(
            "/api/v1/admin/users",
            {"username": "boss", "email": "boss@example.com", "password": GOOD_PASSWORD, "role_ids": [admin_role.pk]},
            format="json",
        )
        assert response.status_code == 403
        role = api(clerk).post(
            "/api/v1/admin/roles",
            {"role_code": "sneaky", "role_name": "x", "permission_codes": ["user:delete"]},
            format="json",
        )
        assert role.status_code == 403
        assert snapshot() == before

    def test_delete_deactivates_and_ends_sessions(self, world, api):
        target = world["target"]
        response = api(world["a_admin"]).delete(f"/api/v1/users/{target.pk}")
        assert response.status_code == 200
        target.refresh_from_db()
        assert target.status == UserStatus.INACTIVE and User.objects.filter(pk=target.pk).exists()
        assert LoginSession.objects.get(user=target).ended_at is not None

    def test_cannot_deactivate_self(self, world, api):
        admin = world["a_admin"]
        assert api(admin).delete(f"/api/v1/users/{admin.pk}").status_code == 409
        admin.refresh_from_db()
        assert admin.status == UserStatus.ACTIVE

    def test_reset_password_by_admin(self, world, api, django_capture_on_commit_callbacks):
        target = world["target"]
        response = api(world["a_admin"]).post(
            f"/api/v1/users/{target.pk}/reset-password", {"new_password": GOOD_PASSWORD}, format="json"
        )
        assert response.json()["data"]["reset_type"] == "password"
        target.refresh_from_db()
        assert target.check_password(GOOD_PASSWORD) and target.require_password_change
        assert LoginSession.objects.get(user=target).ended_at is not None
        with django_capture_on_commit_callbacks(execute=True):
            emailed = api(world["a_admin"]).post(f"/api/v1/users/{target.pk}/reset-password")
        assert emailed.json()["data"]["reset_type"] == "email" and len(mail.outbox) == 1

    def test_desk_create_user(self, world, api):
        body = {
            "username": "newuser",
            "email": "newuser@example.com",
            "password": "Password123!",
            "first_name": "新",
            "last_name": "用户",
            "phone": "13900139000",
            "role": "agent",
            "status": "active",
        }
        response = api(world["a_admin"]).post("/api/admin/users", body, format="json")
        assert response.status_code == 201
        data = response.json()["data"]
        assert set(data) == {"id", "username", "email", "role", "status", "created_at"}
        assert data["role"] == "agent" and data["status"] == "active"
        bad = api(world["a_admin"]).post(
            "/api/admin/users", {**body, "email": "n2@example.com", "role": "root"}, format="json"
        )
        assert bad.status_code == 422 and bad.json()["error_code"] == "VALIDATION_FAILED"


class TestStatus:
    def test_status_now_ends_sessions(self, world, api):
        target = world["target"]
        token = v1_login(api(), target).json()["data"]["access_token"]
        response = api(world["a_admin"]).put(
            f"/api/v1/admin/users/{target.pk}/status", {"status": "inactive"}, format="json"
        )
        assert response.json()["data"] == {"user_id": target.pk, "status": "inactive", "scheduled": False}
        client = api()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert client.get("/api/v1/auth/me").status_code == 401

    def test_future_effective_time_is_scheduled_and_applied_by_the_job(self, world, api):
        from accounts.tasks import apply_due_status_changes

        target = world["target"]
        when = timezone.now() + timedelta(hours=2)
        response = api(world["a_admin"]).put(
            f"/api/v1/admin/users/{target.pk}/status",
            {"status": "inactive", "reason": "员工离职", "effective_time": when.isoformat()},
            format="json",
        )
        data = response.json()["data"]
        assert data["scheduled"] is True and data["status"] == "active" and data["scheduled_status"] == "inactive"
        target.refresh_from_db()
        assert target.status == UserStatus.ACTIVE
        # not due yet: nothing happens
        assert apply_due_status_changes() == 0
        # due: applied once, idempotent afterwards
        assert services.apply_due_status_changes(now=when + timedelta(seconds=1)) == 1
        assert services.apply_due_status_changes(now=when + timedelta(seconds=2)) == 0
        target.refresh_from_db()
        assert target.status == UserStatus.INACTIVE
        assert ScheduledStatusChange.objects.get().applied_at is not None

    def test_bad_status_is_400(self, world, api):
        response = api(world["a_admin"]).put(
            f"/api/v1/admin/users/{world['target'].pk}/status", {"status": "zz"}, format="json"
        )
        assert response.status_code == 400


class TestRolesAndPermissions:
    def test_admin_roles_list_is_an_array_with_fields(self, world, api):
        data = api(world["a_admin"]).get("/api/v1/admin/roles").json()["data"]
        assert isinstance(data, list)
        agent = next(r for r in data if r["role_code"] == "agent")
        assert agent["is_system"] is True and agent["user_count"] == 1
        assert {"permission_code", "permission_name", "resource_type"} == set(agent["permissions"][0])

    def test_child_role_inherits_parent_permissions(self, world, api, tenant_a, make_user):
        parent = world["role"]
        response = api(world["a_admin"]).post(
            "/api/v1/admin/roles",
            {
                "role_code": "senior_engineer",
                "role_name": "高级运维工程师",
                "description": "x",
                "role_type": "business",
                "permission_codes": ["knowledge:review"],
                "parent_role_id": parent.pk,
            },
            format="json",
        )
        assert response.status_code == 201
        assert response.json()["data"]["parent_role_id"] == parent.pk
        member = make_user(tenant_a, "senior_engineer")
        assert member.has_contract_permission("knowledge:review")
        assert member.has_contract_permission("ticket:process")  # inherited from agent
        me = api(member).get("/api/v1/auth/me").json()["data"]
        assert me["roles"] == ["senior_engineer"] and "ticket:process" in me["permissions"]
        log = PermissionChangeLog.objects.get(operation_type="role_create")
        assert log.new_value == "knowledge:review" and log.target_role.code == "senior_engineer"

    def test_unknown_permission_and_platform_codes_refused(self, world, api):
        before = snapshot()
        for codes in (["nope:read"], ["system:tenant:create"]):
            response = api(world["a_admin"]).post(
                "/api/v1/admin/roles", {"role_code": "bad", "role_name": "b", "permission_codes": codes}, format="json"
            )
            assert response.status_code == 400
        assert snapshot() == before

    def test_admin_permissions_array(self, world, api):
        data = api(world["a_admin"]).get("/api/v1/admin/permissions").json()["data"]
        row = next(p for p in data if p["permission_code"] == "ticket:read")
        assert row["permission_name"] == "查看工单" and row["resource_type"] == "ticket"
        assert row["action_type"] == "read" and row["module"] == "工单管理"


class TestDepartments:
    def test_tree_with_user_counts(self, world, api, tenant_a):
        client = api(world["a_admin"])
        root = client.post(
            "/api/v1/admin/departments",
            {
                "department_code": "tech",
                "department_name": "技术部",
                "manager_id": world["a_admin"].pk,
                "sort_order": 1,
            },
            format="json",
        )
        assert root.status_code == 201
        root_id = root.json()["data"]["department_id"]
        child = client.post(
            "/api/v1/admin/departments",
            {"department_code": "ops2", "department_name": "运维二组", "parent_id": root_id},
            format="json",
        ).json()["data"]
        User.objects.filter(pk=world["target"].pk).update(department_id=child["department_id"])
        tree = client.get("/api/v1/admin/departments").json()["data"]
        tech = next(n for n in tree if n["department_code"] == "tech")
        assert tech["level"] == 1 and tech["manager_name"] and tech["parent_id"] is None
        assert tech["children"][0]["department_code"] == "ops2" and tech["children"][0]["user_count"] == 1
        assert tech["children"][0]["level"] == 2 and tech["children"][0]["parent_id"] == root_id

    def test_foreign_parent_and_duplicate_code_refused(self, world, api, tenant_b):
        foreign = services.department_create(tenant=tenant_b, code="bdept", name="B")
        before = snapshot()
        client = api(world["a_admin"])
        bad = client.post(
            "/api/v1/admin/departments",
            {"department_code": "x", "department_name": "x", "parent_id": foreign.pk},
            format="json",
        )
        assert bad.status_code == 400
        dupe = client.post(
            "/api/v1/admin/departments", {"department_code": "ops", "department_name": "x"}, format="json"
        )
        assert dupe.status_code == 409
        assert snapshot() == before


class TestSessionsAndAudit:
    def test_sessions_list_and_forced_logout(self, world, api):
        target = world["target"]
        token = v1_login(api(), target).json()["data"]["access_token"]
        client = api(world["a_admin"])
        rows = client.get(f"/api/v1/admin/users/{target.pk}/sessions").json()["data"]
        assert len(rows) == 2 and rows[0]["status"] == "active" and rows[0]["user_id"] == target.pk
        assert set(rows[0]["device_info"]) == {"device_id", "device_name", "os", "browser"}
        for key in ("session_id", "ip_address", "location", "login_time", "last_activity", "expires_at", "is_current"):
            assert key in rows[0]
        assert client.delete(f"/api/v1/admin/sessions/{rows[0]['session_id']}").status_code == 200
        target_client = api()
        target_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        assert target_client.get("/api/v1/auth/me").status_code == 401
        assert client.get(f"/api/v1/admin/users/{target.pk}/sessions").json()["data"][0]["status"] == "terminated"

    def test_login_logs_with_filters(self, world, api):
        target = world["target"]
        v1_login(api(), target, password="bad")
        v1_login(api(), target)
        client = api(world["a_admin"])
        data = client.get(f"/api/v1/admin/audit/login-logs?user_id={target.pk}&result=failure").json()["data"]
        assert data["total"] == 1
        row = data["items"][0]
        assert row["result"] == "failure" and row["failure_reason"] == "wrong_password"
        assert row["username"] == "target" and row["tenant_id"] == target.tenant_id
        for key in (
            "log_id",
            "user_id",
            "login_type",
            "ip_address",
            "user_agent",
            "device_info",
            "location",
            "session_id",
            "login_time",
        ):
            assert key in row
        ok = client.get(f"/api/v1/admin/audit/login-logs?user_id={target.pk}&result=success").json()["data"]
        assert ok["total"] == 2 and ok["items"][0]["session_id"]
        future = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert client.get(f"/api/v1/admin/audit/login-logs?start_time={future}").json()["data"]["total"] == 0
        # the same attempts appear in the user's own desk history
        assert LoginLog.objects.filter(user=target).count() == 3

    def test_permission_logs(self, world, api, tenant_a):
        services.user_set_roles(
            user=world["target"],
            roles=[world["role"], Role.objects.get(tenant=tenant_a, code="user")],
            by=world["a_admin"],
            ip="10.0.0.9",
        )
        data = api(world["a_admin"]).get("/api/v1/admin/audit/permission-logs").json()["data"]
        row = data["items"][0]
        assert data["total"] >= 1
        assert row["operation_type"] == "role_assign" and row["new_value"] == "user"
        assert row["operator_name"] == "a_admin" and row["target_username"] == "target"
        assert row["ip_address"] == "10.0.0.9"


def test_password_never_returned(world, api):
    body = api(world["a_admin"]).get(f"/api/v1/admin/users/{world['target'].pk}").content.decode()
    assert 'password"' not in body and "pbkdf2" not in body and "md5$" not in body
    assert TEST_PASSWORD not in body
    set_config("system.password.min_length", 20)
    weak = api(world["a_admin"]).post(
        "/api/v1/admin/users", {"username": "p", "email": "p@example.com", "password": GOOD_PASSWORD}, format="json"
    )
    assert weak.status_code == 400


def test_status_change_job_is_scheduled_below_its_interval():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="accounts.apply_due_status_changes")
    assert task.enabled and task.interval.every == 1 and task.interval.period == "minutes"
    assert task.expire_seconds < 60


def test_locked_out_user_shows_and_filters_as_locked(world, api):
    target = world["target"]
    User.objects.filter(pk=target.pk).update(locked_until=timezone.now() + timedelta(minutes=5))
    client = api(world["a_admin"])
    locked = client.get("/api/v1/admin/users?status=locked").json()["data"]
    assert [i["user_id"] for i in locked["items"]] == [target.pk] and locked["items"][0]["status"] == "locked"
    active_ids = [i["user_id"] for i in client.get("/api/v1/admin/users?status=active").json()["data"]["items"]]
    assert target.pk not in active_ids
    assert client.get(f"/api/v1/admin/users/{target.pk}").json()["data"]["security"]["locked_until"]


def test_deactivation_and_tenant_disable_close_live_sockets(
    world, api, monkeypatch, django_capture_on_commit_callbacks
):
    from portal import realtime

    closed = []
    monkeypatch.setattr(realtime, "disconnect", lambda group, **options: closed.append(group))
    target = world["target"]
    with django_capture_on_commit_callbacks(execute=True):
        api(world["a_admin"]).put(f"/api/v1/admin/users/{target.pk}/status", {"status": "inactive"}, format="json")
    assert realtime.user_group(target.pk) in closed
    from tenants.services import tenant_disable

    with django_capture_on_commit_callbacks(execute=True):
        tenant_disable(tenant=target.tenant)
    assert realtime.tenant_group(target.tenant_id) in closed
