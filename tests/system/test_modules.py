"""Modules switched off per tenant: API, pages and menus disappear; dependencies hold; switching
back restores everything."""

import pytest
from django.urls import reverse

from portal.navigation import navigation_for
from portal.system.models import ModuleState

pytestmark = pytest.mark.django_db

MODULES = "/api/v1/admin/system/modules"


def status(client, code, value, **extra):
    return client.put(f"{MODULES}/{code}/status", {"status": value, **extra}, format="json")


def nav_urls(user):
    return {item.url_name for section in navigation_for(user) for item in section.items}


def page(client, user, url):
    client.force_login(user)
    return client.get(url)


class TestSwitchOff:
    def test_disabled_module_disappears_for_that_tenant_only_and_comes_back(
        self, api, client, tenant_a, tenant_b, make_user
    ):
        admin_a, agent_a = make_user(tenant_a, "admin"), make_user(tenant_a, "agent")
        agent_b = make_user(tenant_b, "agent")
        assert "tickets:list" in nav_urls(agent_a)
        # dispatch depends on tickets: switch it off first
        assert status(api(admin_a), "dispatch", "disabled").status_code == 200
        r = status(api(admin_a), "ticket_management", "disabled", reason="试运行")
        assert r.status_code == 200, r.content
        assert r.json()["data"]["status"] == "disabled" and r.json()["data"]["tenant_id"] == tenant_a.pk

        # API of both contracts: "not available" in the envelope
        v1 = api(agent_a).get("/api/v1/tickets")
        assert v1.status_code == 403 and v1.json()["code"] == 403
        assert "switched off" in v1.json()["message"] or "停用" in v1.json()["message"]
        desk = api(agent_a).get("/api/tickets")
        assert desk.status_code == 403 and desk.json()["error_code"] == "MODULE_DISABLED"
        # pages and menu entries disappear
        assert page(client, agent_a, reverse("tickets:list")).status_code == 404
        assert not {"tickets:list", "tickets:mine", "tickets:create"} & nav_urls(agent_a)
        # another tenant is untouched
        assert api(agent_b).get("/api/v1/tickets").status_code == 200
        assert "tickets:list" in nav_urls(agent_b)
        assert page(client, agent_b, reverse("tickets:list")).status_code == 200
        # the list shows the state
        listed = {m["module_code"]: m for m in api(admin_a).get(MODULES).json()["data"]}
        assert listed["ticket_management"]["status"] == "disabled"
        assert listed["ticket_management"]["dependencies"] == ["user_management", "notification"]

        # switching back restores all
        assert status(api(admin_a), "ticket_management", "enabled").status_code == 200
        assert api(agent_a).get("/api/v1/tickets").status_code == 200
        assert page(client, agent_a, reverse("tickets:list")).status_code == 200
        assert "tickets:list" in nav_urls(agent_a)

    def test_platform_wide_switch_reaches_every_tenant_and_tenant_row_wins(
        self, api, platform_admin, tenant_a, tenant_b, make_user
    ):
        admin_b = make_user(tenant_b, "admin")
        assert status(api(platform_admin), "knowledge_base", "disabled").status_code == 200
        assert ModuleState.objects.get(module_code="knowledge_base").tenant is None
        from portal import modules

        assert "knowledge_base" in modules.disabled_codes(tenant_a.pk)
        assert "knowledge_base" in modules.disabled_codes(tenant_b.pk)
        assert status(api(admin_b), "knowledge_base", "enabled").status_code == 200
        assert "knowledge_base" not in modules.disabled_codes(tenant_b.pk)
        assert "knowledge_base" in modules.disabled_codes(tenant_a.pk)


class TestDependencies:
    def test_cannot_switch_off_what_an_enabled_module_needs(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        r = status(api(admin), "ticket_management", "disabled")
        assert r.status_code == 409, r.content
        assert r.json()["data"]["dependents"] == ["dispatch"]
        assert not ModuleState.objects.exists()

    def test_cannot_switch_on_without_its_dependencies(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        assert status(api(admin), "dispatch", "disabled").status_code == 200
        assert status(api(admin), "ticket_management", "disabled").status_code == 200
        r = status(api(admin), "dispatch", "enabled")
        assert r.status_code == 409 and r.json()["data"]["missing"] == ["ticket_management"]
        assert ModuleState.objects.get(module_code="dispatch").status == "disabled"

    def test_essential_module_stays_on(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        assert status(api(admin), "user_management", "disabled").status_code == 409

    def test_unknown_module_is_404(self, api, tenant_a, make_user):
        assert status(api(make_user(tenant_a, "admin")), "nope", "disabled").status_code == 404


class TestPermissions:
    def test_matrix(self, api, tenant_a, tenant_b, make_user):
        assert api().get(MODULES).status_code == 401
        assert status(api(), "knowledge_base", "disabled").status_code == 401
        for role in ("user", "agent", "supervisor"):
            user = make_user(tenant_a, role)
            assert api(user).get(MODULES).status_code == 403
            assert status(api(user), "knowledge_base", "disabled").status_code == 403
        admin = make_user(tenant_a, "admin")
        # a tenant admin cannot reach another tenant
        r = status(api(admin), "knowledge_base", "disabled", tenant_id=tenant_b.pk)
        assert r.status_code == 404
        assert not ModuleState.objects.exists()
        assert api(admin).get(MODULES).status_code == 200
