"""Settings through both contracts: precedence tenant → global → default, validation, masking,
all-or-nothing batches, permissions, history and the audit trail."""

import pytest

from portal.audit.models import AuditLog
from portal.config import get_config, set_config
from portal.models import ConfigChange, SystemConfig

pytestmark = pytest.mark.django_db

V1_LIST = "/api/v1/admin/system/configs"
DESK_LIST = "/api/admin/configs"


def v1_items(client, **params):
    response = client.get(V1_LIST, {"size": 100, **params})
    assert response.status_code == 200, response.content
    return {item["config_key"]: item for item in response.json()["data"]["items"]}


def desk_items(client):
    response = client.get(DESK_LIST)
    assert response.status_code == 200, response.content
    return {item["key"]: item for item in response.json()["data"]}


class TestPrecedence:
    def test_global_write_by_platform_admin_then_tenant_override(
        self, api, platform_admin, tenant_a, tenant_b, make_user
    ):
        admin_a, admin_b = make_user(tenant_a, "admin"), make_user(tenant_b, "admin")
        # given the default
        assert v1_items(api(admin_a))["system.login.max_attempts"]["config_value"] == "5"
        # when the platform admin writes the global value
        r = api(platform_admin).put(f"{V1_LIST}/system.login.max_attempts", {"config_value": "4"}, format="json")
        assert r.status_code == 200, r.content
        assert r.json()["data"]["config_level"] == "global"
        # then every tenant reads it
        assert v1_items(api(admin_b))["system.login.max_attempts"]["config_value"] == "4"
        # when tenant A's admin writes, it is A's override only
        r = api(admin_a).put(
            f"{V1_LIST}/system.login.max_attempts", {"config_value": "3", "change_reason": "policy"}, format="json"
        )
        assert r.status_code == 200
        item = v1_items(api(admin_a))["system.login.max_attempts"]
        assert item["config_value"] == "3" and item["config_level"] == "tenant"
        assert item["validation_rule"] == "min:1,max:10" and item["data_type"] == "integer"
        assert v1_items(api(admin_b))["system.login.max_attempts"]["config_value"] == "4"
        assert get_config("system.login.max_attempts", tenant=tenant_a) == 3
        assert get_config("system.login.max_attempts", tenant=tenant_b) == 4
        assert get_config("system.login.max_attempts") == 4
        # and the level filter finds it
        assert list(v1_items(api(admin_a), config_level="tenant")) == ["system.login.max_attempts"]

    def test_both_contracts_show_the_same_values(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        set_config("site_name", "全局门户")
        set_config("max_file_size", 2048, tenant=tenant_a)
        v1, desk = v1_items(api(admin)), desk_items(api(admin))
        assert set(v1) == set(desk)
        for key in v1:
            assert v1[key]["config_value"] == desk[key]["value"], key
            assert v1[key]["data_type"] == desk[key]["type"]
        assert desk["max_file_size"]["value"] == "2048" and desk["site_name"]["value"] == "全局门户"

    def test_desk_write_is_read_by_v1(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        r = api(admin).put(f"{DESK_LIST}/site_name", {"value": "新的工单管理系统"}, format="json")
        assert r.status_code == 200, r.content
        assert r.json()["data"]["key"] == "site_name" and r.json()["data"]["value"] == "新的工单管理系统"
        assert v1_items(api(admin))["site_name"]["config_value"] == "新的工单管理系统"
        assert api(admin).get("/api/v1/config/system").json()["data"]["site_name"] == "新的工单管理系统"


class TestValidation:
    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("system.login.max_attempts", "11"),
            ("system.login.max_attempts", "0"),
            ("system.login.max_attempts", "three"),
            ("system.login.max_attempts", 2.5),
            ("login_captcha_enabled", "maybe"),
            ("site_name", "   "),
            ("system.session.timeout", True),
        ],
    )
    def test_bad_value_is_refused_and_changes_nothing(self, api, tenant_a, make_user, key, value):
        admin = make_user(tenant_a, "admin")
        r = api(admin).put(f"{V1_LIST}/{key}", {"config_value": value}, format="json")
        assert r.status_code == 400, r.content
        assert r.json()["data"]["errors"][0]["field"] == "config_value"
        d = api(admin).put(f"{DESK_LIST}/{key}", {"value": value}, format="json")
        assert d.status_code == 422 and d.json()["error_code"] == "CONFIG_INVALID_VALUE"
        assert not SystemConfig.objects.exists() and not ConfigChange.objects.exists()
        failures = AuditLog.objects.filter(result="failure", method="PUT")
        assert failures.count() == 2

    def test_unknown_key_is_404(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        assert api(admin).put(f"{V1_LIST}/no.such.key", {"config_value": "1"}, format="json").status_code == 404
        assert api(admin).put(f"{DESK_LIST}/no.such.key", {"value": "1"}, format="json").status_code == 404

    def test_platform_wide_key_is_refused_to_a_tenant_admin(self, api, tenant_a, make_user, platform_admin):
        admin = make_user(tenant_a, "admin")
        key = "system.register.tenant_code"
        r = api(admin).put(f"{V1_LIST}/{key}", {"config_value": tenant_a.code}, format="json")
        assert r.status_code == 403
        assert not SystemConfig.objects.exists()
        r = api(platform_admin).put(f"{V1_LIST}/{key}", {"config_value": tenant_a.code}, format="json")
        assert r.status_code == 200
        assert get_config(key) == tenant_a.code


class TestBatch:
    def test_batch_is_all_or_nothing(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        body = {
            "configs": [
                {"config_key": "system.login.max_attempts", "config_value": "3"},
                {"config_key": "system.session.timeout", "config_value": "10"},  # below min 300
                {"config_key": "site_name", "config_value": "好名字"},
            ],
            "change_reason": "安全策略统一调整",
        }
        r = api(admin).put(f"{V1_LIST}/batch", body, format="json")
        assert r.status_code == 400, r.content
        errors = r.json()["data"]["errors"]
        assert [e["config_key"] for e in errors] == ["system.session.timeout"]
        assert not SystemConfig.objects.exists() and not ConfigChange.objects.exists()

        body["configs"][1]["config_value"] = "7200"
        r = api(admin).put(f"{V1_LIST}/batch", body, format="json")
        assert r.status_code == 200, r.content
        assert {i["config_key"] for i in r.json()["data"]} == {
            "system.login.max_attempts", "system.session.timeout", "site_name",
        }  # fmt: skip
        assert get_config("system.login.max_attempts", tenant=tenant_a) == 3
        assert get_config("site_name", tenant=tenant_a) == "好名字"
        changes = ConfigChange.objects.filter(tenant=tenant_a)  # the timeout kept its value: no change
        assert changes.count() == 2 and {c.reason for c in changes} == {"安全策略统一调整"}
        # one audit row for the one call, with old and new values of all three
        rows = AuditLog.objects.filter(method="PUT", path=f"{V1_LIST}/batch", result="success")
        assert rows.count() == 1
        row = rows.get()
        assert row.new_value["system.login.max_attempts"] == "3"
        assert row.old_value["system.login.max_attempts"] == "5"  # the value in effect before
        assert row.tenant == tenant_a and row.resource_type == "system_config"

    def test_batch_with_unknown_key_changes_nothing(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        body = {
            "configs": [{"config_key": "site_name", "config_value": "x"}, {"config_key": "nope", "config_value": 1}]
        }
        assert api(admin).put(f"{V1_LIST}/batch", body, format="json").status_code == 404
        assert not SystemConfig.objects.exists()


class TestSensitive:
    def test_sensitive_values_are_masked_everywhere(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        key = "notification.email.smtp_password"
        r = api(admin).put(
            f"{V1_LIST}/{key}", {"config_value": "S3cret-pass!", "change_reason": "rotate"}, format="json"
        )
        assert r.status_code == 200
        assert r.json()["data"]["config_value"] == "******"
        assert v1_items(api(admin))[key]["config_value"] == "******"
        assert desk_items(api(admin))[key]["value"] == "******"
        assert get_config(key, tenant=tenant_a) == "S3cret-pass!"
        change = ConfigChange.objects.get(key=key)
        assert change.new_value == "******"
        log = AuditLog.objects.get(method="PUT")
        assert "S3cret" not in str(log.new_value) + str(log.request_data)
        # writing the mask back keeps the secret
        api(admin).put(f"{V1_LIST}/{key}", {"config_value": "******"}, format="json")
        assert get_config(key, tenant=tenant_a) == "S3cret-pass!"


class TestPermissions:
    @pytest.mark.parametrize(
        ("method", "path", "body"),
        [
            ("get", V1_LIST, None),
            ("put", f"{V1_LIST}/site_name", {"config_value": "x"}),
            ("put", f"{V1_LIST}/batch", {"configs": [{"config_key": "site_name", "config_value": "x"}]}),
            ("get", "/api/v1/config/system", None),
            ("put", "/api/v1/config/system", {"site_name": "x"}),
            ("get", DESK_LIST, None),
            ("put", f"{DESK_LIST}/site_name", {"value": "x"}),
        ],
    )
    def test_matrix(self, api, tenant_a, make_user, method, path, body):
        anonymous = getattr(api(), method)(path, body, format="json")
        assert anonymous.status_code == 401
        for role in ("user", "agent", "supervisor"):
            refused = getattr(api(make_user(tenant_a, role)), method)(path, body, format="json")
            assert refused.status_code == 403, (role, refused.content)
        assert not SystemConfig.objects.exists()
        allowed = getattr(api(make_user(tenant_a, "admin")), method)(path, body, format="json")
        assert allowed.status_code == 200, allowed.content


class TestSystemConfigContract:
    def test_put_config_system_writes_through_the_registry(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        body = {
            "site_name": "IT运维门户",
            "login_captcha_enabled": True,
            "password_policy": {"min_length": 10, "require_special": True},
            "session_timeout": 3600,
        }
        r = api(admin).put("/api/v1/config/system", body, format="json")
        assert r.status_code == 200, r.content
        data = r.json()["data"]
        assert data["password_policy"]["min_length"] == 10 and data["session_timeout"] == 3600
        assert get_config("system.password.min_length", tenant=tenant_a) == 10
        assert v1_items(api(admin))["system.session.timeout"]["config_value"] == "3600"

    def test_out_of_range_refuses_the_whole_body(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        body = {"site_name": "新名字", "session_timeout": 5}
        assert api(admin).put("/api/v1/config/system", body, format="json").status_code == 400
        assert not SystemConfig.objects.exists()


class TestSelfRegistration:
    def test_demo_seed_opens_registration_into_demo_company(self, api, db):
        from portal.demo import DemoContext
        from portal.system import demo
        from tests.factories import TenantFactory

        TenantFactory(code="demo_company")
        body = {"username": "newbie", "email": "newbie@example.com", "password": "Password123!"}
        assert api().post("/api/auth/register", body, format="json").status_code == 403
        demo.seed(DemoContext(log=lambda *_: None))
        assert api().post("/api/auth/register", body, format="json").status_code == 201
        # an operator switches it off again through the registry
        set_config("system.register.tenant_code", "")
        body2 = {**body, "username": "other", "email": "other@example.com"}
        assert api().post("/api/auth/register", body2, format="json").status_code == 403
