"""Maintenance mode: 503 in each contract's envelope and a styled page; bypass by IP, user,
role; admins still sign in; the schedule starts and ends it; permissions and isolation."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from portal.system import announcements, maintenance
from portal.system.models import Announcement, MaintenanceWindow
from tests.accounts.helpers import desk_login, v1_login

pytestmark = pytest.mark.django_db

URL = "/api/v1/admin/system/maintenance"


@pytest.fixture(autouse=True)
def _fresh_cache():
    maintenance.forget()
    yield
    maintenance.forget()


def turn_on(api, user, **body):
    r = api(user).put(
        URL, {"is_maintenance": True, "maintenance_message": "升级中，两小时后恢复", **body}, format="json"
    )
    assert r.status_code == 200, r.content
    return r.json()["data"]


class TestPermissions:
    def test_matrix(self, api, tenant_a, make_user, platform_admin):
        agent = make_user(tenant_a, "agent")
        assert api().get(URL).status_code == 401
        r = api(agent).put(URL, {"is_maintenance": True}, format="json")
        assert r.status_code == 403 and r.json()["data"]["required_permission"] == "system:maintenance:update"
        assert api(agent).get(URL).status_code == 403
        assert not MaintenanceWindow.objects.exists()
        admin = make_user(tenant_a, "admin")
        got = api(admin).get(URL).json()["data"]
        assert got["is_maintenance"] is False and got["tenant_id"] == tenant_a.pk
        data = turn_on(api, admin)
        assert data["tenant_id"] == tenant_a.pk and data["is_active"] is True
        # the platform admin's window is the platform-wide one, a separate row
        assert api(platform_admin).get(URL).json()["data"]["tenant_id"] is None
        assert api(platform_admin).get(URL).json()["data"]["is_maintenance"] is False

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"allowed_ips": ["not-an-ip"]}, "allowed_ips"),
            ({"start_time": "2030-01-02T00:00:00Z", "end_time": "2030-01-01T00:00:00Z"}, "end_time"),
            ({"is_maintenance": "maybe"}, "is_maintenance"),
            ({"allowed_users": [999999]}, "allowed_users"),
        ],
    )
    def test_bad_input_is_400_and_changes_nothing(self, api, tenant_a, make_user, body, field):
        admin = make_user(tenant_a, "admin")
        r = api(admin).put(URL, {"is_maintenance": True, **body}, format="json")
        assert r.status_code == 400, r.content
        assert field in {e["field"] for e in r.json()["data"]["errors"]}
        assert not MaintenanceWindow.objects.exists()

    def test_tenant_admin_cannot_allow_another_tenants_user(self, api, tenant_a, tenant_b, make_user):
        admin, other = make_user(tenant_a, "admin"), make_user(tenant_b, "agent")
        r = api(admin).put(URL, {"is_maintenance": True, "allowed_users": [other.pk]}, format="json")
        assert r.status_code == 400 and not MaintenanceWindow.objects.exists()


class TestRefusals:
    def test_tenant_window_shuts_out_its_users_only_in_both_envelopes_and_pages(
        self, api, client, tenant_a, tenant_b, make_user
    ):
        admin, agent, agent_b = make_user(tenant_a, "admin"), make_user(tenant_a, "agent"), make_user(tenant_b, "agent")
        turn_on(api, admin)
        v1 = api(agent).get("/api/v1/tickets")
        assert v1.status_code == 503 and v1.json()["code"] == 503
        assert v1.json()["message"] == "升级中，两小时后恢复"
        desk = api(agent).get("/api/tickets")
        assert desk.status_code == 503 and desk.json()["success"] is False
        assert desk.json()["error_code"] == "MAINTENANCE_MODE" and desk.json()["message"] == "升级中，两小时后恢复"
        client.force_login(agent)
        page = client.get("/tickets/")
        assert page.status_code == 503 and "升级中，两小时后恢复" in page.content.decode()
        # the tenant's admin still works; another tenant is untouched
        assert api(admin).get("/api/v1/tickets").status_code == 200
        assert api(agent_b).get("/api/v1/tickets").status_code == 200
        # switched off: back to normal
        assert api(admin).put(URL, {"is_maintenance": False}, format="json").status_code == 200
        assert api(agent).get("/api/v1/tickets").status_code == 200

    def test_platform_window_reaches_everyone_but_anonymous_sign_in_page_stays(
        self, api, client, platform_admin, tenant_a, tenant_b, make_user
    ):
        agent_a, admin_b = make_user(tenant_a, "agent"), make_user(tenant_b, "admin")
        turn_on(api, platform_admin)
        assert api(agent_a).get("/api/v1/tickets").status_code == 503
        assert api(admin_b).get("/api/v1/tickets").status_code == 503  # admin not in bypass_roles
        assert api().get("/api/v1/tickets").status_code == 503
        assert client.get("/accounts/login/").status_code == 200
        assert client.get("/healthz").status_code == 200
        assert api(platform_admin).get("/api/v1/tickets").status_code in (200, 403)  # not 503


class TestBypass:
    def test_allowed_ip_user_and_role(self, api, tenant_a, make_user, platform_admin):
        agent, supervisor, user = make_user(tenant_a, "agent"), make_user(tenant_a, "supervisor"), make_user(tenant_a)
        turn_on(api, platform_admin, allowed_ips=["10.9.0.0/16"], allowed_users=[agent.pk], bypass_roles=["supervisor"])
        assert api(agent).get("/api/v1/tickets").status_code == 200
        assert api(supervisor).get("/api/v1/tickets").status_code == 200
        assert api(user).get("/api/v1/tickets").status_code == 503
        assert api(user, REMOTE_ADDR="10.9.3.4").get("/api/v1/tickets").status_code == 200

    def test_admins_sign_in_others_are_refused_with_the_message(self, api, tenant_a, make_user):
        admin, agent = make_user(tenant_a, "admin"), make_user(tenant_a, "agent")
        turn_on(api, admin)
        ok = v1_login(api(), admin)
        assert ok.status_code == 200, ok.content
        refused = v1_login(api(), agent)
        assert refused.status_code == 503 and refused.json()["message"] == "升级中，两小时后恢复"
        desk = desk_login(api(), agent)
        assert desk.status_code == 503


class TestSchedule:
    def test_starts_and_ends_on_time_and_job_switches_it_off(self, api, tenant_a, make_user):
        admin, agent = make_user(tenant_a, "admin"), make_user(tenant_a, "agent")
        now = timezone.now()
        start, end = now + datetime.timedelta(hours=1), now + datetime.timedelta(hours=3)
        data = turn_on(api, admin, start_time=start.isoformat(), end_time=end.isoformat(), notify_users=True)
        assert data["is_maintenance"] is True and data["is_active"] is False
        assert api(agent).get("/api/v1/tickets").status_code == 200
        # announced beforehand: a published maintenance announcement, expiring at the end
        note = Announcement.objects.get(pk=data["announcement_id"])
        assert note.type == "maintenance" and note.status == "published" and note.expire_time == end
        assert note.tenant_id == tenant_a.pk
        assert [a.pk for a in announcements.visible_announcements(agent)] == [note.pk]
        with time_machine.travel(start + datetime.timedelta(minutes=1)):
            maintenance.forget()
            assert api(agent).get("/api/v1/tickets").status_code == 503
        with time_machine.travel(end + datetime.timedelta(minutes=1)):
            maintenance.forget()
            assert api(agent).get("/api/v1/tickets").status_code == 200
            result = announcements.announcements_tick()
            assert result["maintenance_closed"] == 1 and result["expired"] == 1
            assert MaintenanceWindow.objects.get().is_maintenance is False
