"""One audit log: every mutating call recorded exactly once (refusals as failures, secrets
masked), read by the three audit operations with their filters, tenant by tenant."""

import pytest
from django.urls import reverse

from portal.audit.models import AuditLog
from portal.models import SystemConfig

pytestmark = pytest.mark.django_db

V1 = "/api/v1/audit/logs"
ADMIN = "/api/v1/admin/system/audit-logs"
DESK = "/api/admin/audit-logs"


@pytest.fixture
def platform_admin(django_user_model):
    return django_user_model.objects.create_superuser(email="root@ops.local", password="x-Passw0rd!", username="root")


class TestRecording:
    def test_each_mutating_call_is_recorded_once_and_reads_are_not(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        client = api(admin)
        client.get("/api/v1/admin/system/configs")
        assert not AuditLog.objects.exists()
        r = client.put("/api/v1/admin/system/configs/site_name", {"config_value": "门户"}, format="json")
        assert r.status_code == 200
        row = AuditLog.objects.get()
        assert (row.method, row.status_code, row.result, row.source) == ("PUT", 200, "success", "api_v1")
        assert row.user == admin and row.tenant == tenant_a and row.role == "admin"
        assert row.resource_type == "system_config" and row.resource_id == "site_name"
        assert row.old_value == "IT运维门户" and row.new_value == "门户"
        assert row.request_id == r["X-Request-ID"] and row.latency_ms is not None
        assert row.ip_address == "127.0.0.1"

    def test_api_operation_without_a_service_note_names_its_permission(self, api, tenant_a, make_user):
        agent = make_user(tenant_a, "agent")
        api(agent).post("/api/v1/tickets", {"title": "打印机坏了", "description": "三楼"}, format="json")
        row = AuditLog.objects.get()
        assert row.action == "ticket:create" and row.resource_type == "ticket" and row.method == "POST"

    def test_refused_call_is_a_failure_row(self, api, tenant_a, make_user):
        user = make_user(tenant_a, "user")
        r = api(user).put("/api/v1/admin/system/configs/site_name", {"config_value": "x"}, format="json")
        assert r.status_code == 403
        row = AuditLog.objects.get()
        assert row.result == "failure" and row.status_code == 403 and row.user == user
        assert not SystemConfig.objects.exists()

    def test_passwords_and_tokens_are_masked(self, api, tenant_a, make_user):
        make_user(tenant_a, "user", username="zhang")
        api().post(
            "/api/v1/auth/login",
            {"tenant_code": tenant_a.code, "username": "zhang", "password": "Wrong-Secret-1"},
            format="json",
        )
        api().post("/api/auth/refresh", {"refresh_token": "eyJ-secret-token"}, format="json")
        rows = list(AuditLog.objects.order_by("id"))
        assert len(rows) == 2
        assert rows[0].result == "failure" and rows[0].username == "zhang"
        assert rows[0].request_data["password"] == "******"
        assert rows[1].request_data["refresh_token"] == "******"
        stored = str([r.request_data for r in rows])
        assert "Wrong-Secret-1" not in stored and "eyJ-secret-token" not in stored

    def test_page_form_post_is_recorded_once(self, client, tenant_a, make_user):
        user = make_user(tenant_a, "user")
        client.force_login(user)
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        row = AuditLog.objects.get()
        assert row.source == "page" and row.method == "POST" and row.user == user

    def test_admin_action_is_recorded_once_with_its_object(self, client, platform_admin):
        client.force_login(platform_admin)
        r = client.post(
            reverse("admin:portal_systemconfig_add"), {"key": "site_name", "value": "后台改名", "tenant": ""}
        )
        assert r.status_code == 302, r.content[:500]
        row = AuditLog.objects.get()
        assert row.source == "admin" and row.result == "success"
        assert row.resource_type == "system_config"  # the registry's note, joined with the admin's LogEntry
        assert SystemConfig.objects.get(key="site_name").value == "后台改名"


class TestReading:
    def _seed(self, api, tenant_a, tenant_b, make_user):
        admin_a, admin_b = make_user(tenant_a, "admin"), make_user(tenant_b, "admin")
        api(admin_a).put("/api/v1/admin/system/configs/site_name", {"config_value": "甲"}, format="json")
        api(admin_a).put("/api/v1/admin/system/configs/site_name", {"config_value": " "}, format="json")  # refused
        api(admin_b).put("/api/v1/admin/system/configs/site_name", {"config_value": "乙"}, format="json")
        return admin_a, admin_b

    def test_tenant_admins_see_their_tenant_only_in_all_three(self, api, tenant_a, tenant_b, make_user):
        admin_a, admin_b = self._seed(api, tenant_a, tenant_b, make_user)
        v1 = api(admin_a).get(V1).json()["data"]
        assert v1["total"] == 2 and {i["username"] for i in v1["items"]} == {admin_a.username}
        assert v1["items"][0]["resource"] == "system_config"
        admin = api(admin_a).get(ADMIN).json()["data"]
        assert admin["total"] == 2 and {i["tenant_id"] for i in admin["items"]} == {tenant_a.pk}
        desk = api(admin_b).get(DESK).json()
        assert desk["code"] == 0 and desk["data"]["total"] == 1
        item = desk["data"]["items"][0]
        assert item["action"] == "PUT /api/v1/admin/system/configs/site_name" and item["status_code"] == 200

    def test_platform_admin_sees_everything(self, api, tenant_a, tenant_b, make_user, platform_admin):
        self._seed(api, tenant_a, tenant_b, make_user)
        assert api(platform_admin).get(ADMIN).json()["data"]["total"] == 3

    def test_filters(self, api, tenant_a, tenant_b, make_user):
        admin_a, _ = self._seed(api, tenant_a, tenant_b, make_user)
        c = api(admin_a)
        assert c.get(ADMIN, {"result": "failure"}).json()["data"]["total"] == 1
        assert c.get(ADMIN, {"action_type": "system:config:update"}).json()["data"]["total"] == 2
        assert c.get(V1, {"user_id": admin_a.pk, "resource": "system_config"}).json()["data"]["total"] == 2
        assert c.get(DESK, {"status": 400}).json()["data"]["total"] == 1
        assert c.get(DESK, {"method": "PUT", "keyword": "site_name", "limit": 1}).json()["data"]["items"][0]
        assert c.get(DESK, {"start_time": "2000-01-01", "end_time": "2000-01-02"}).json()["data"]["total"] == 0
        assert c.get(V1, {"start_time": "2000-01-01T00:00:00Z"}).json()["data"]["total"] == 2
        assert c.get(V1, {"start_time": "yesterday"}).status_code == 400
        assert c.get(DESK, {"end_time": "soon"}).status_code == 422
        assert c.get(DESK, {"limit": 500}).json()["data"]["limit"] == 200

    def test_permission_matrix(self, api, tenant_a, make_user):
        for path in (V1, ADMIN, DESK):
            assert api().get(path).status_code == 401
            for role in ("user", "agent"):
                assert api(make_user(tenant_a, role)).get(path).status_code == 403
            assert api(make_user(tenant_a, "admin")).get(path).status_code == 200
        supervisor = make_user(tenant_a, "supervisor")  # audit:read, not system:audit:read
        assert api(supervisor).get(V1).status_code == 200
        assert api(supervisor).get(ADMIN).status_code == 403
