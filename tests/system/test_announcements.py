"""Announcements: permissions, targeting, publication with notifications, banner visibility,
dismissal, and publish/expiry by the minute job."""

import datetime

import pytest
from django.utils import timezone

from portal.notifications.models import Notification
from portal.system import announcements
from portal.system.models import Announcement

pytestmark = pytest.mark.django_db

URL = "/api/v1/admin/system/announcements"


def create(api, user, **body):
    return api(user).post(URL, {"title": "系统升级", "content": "今晚升级", **body}, format="json")


def shown(user):
    return [a.title for a in announcements.visible_announcements(user)]


class TestPermissions:
    def test_matrix_and_nothing_changed_on_refusal(self, api, tenant_a, make_user):
        agent, admin = make_user(tenant_a, "agent"), make_user(tenant_a, "admin")
        assert api().get(URL).status_code == 401
        assert api(agent).get(URL).status_code == 403
        r = create(api, agent)
        assert r.status_code == 403 and r.json()["data"]["required_permission"] == "system:announcement:create"
        assert not Announcement.objects.exists()
        r = create(api, admin)
        assert r.status_code == 201, r.content
        body = r.json()["data"]
        assert body["status"] == "published" and body["target_audience"] == "all" and body["tenant_id"] == tenant_a.pk
        assert body["created_by"]["id"] == admin.pk
        listed = api(admin).get(URL).json()["data"]
        assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"title": ""}, "title"),
            ({"type": "party"}, "type"),
            ({"target_audience": "role"}, "target_roles"),
            ({"target_audience": "tenant", "target_tenants": [999999]}, "target_tenants"),
            ({"publish_time": "2030-01-02T00:00:00Z", "expire_time": "2030-01-01T00:00:00Z"}, "expire_time"),
        ],
    )
    def test_bad_input_is_400_and_nothing_stored(self, api, platform_admin, body, field):
        r = create(api, platform_admin, **body)
        assert r.status_code == 400, r.content
        assert field in {e["field"] for e in r.json()["data"]["errors"]}
        assert not Announcement.objects.exists()

    def test_tenant_isolation(self, api, tenant_a, tenant_b, make_user):
        admin_a, admin_b = make_user(tenant_a, "admin"), make_user(tenant_b, "admin")
        user_b = make_user(tenant_b)
        assert create(api, admin_a, title="甲公司公告").status_code == 201
        assert api(admin_b).get(URL).json()["data"]["total"] == 0
        assert shown(user_b) == []
        # naming another tenant as the audience is a 404 and stores nothing
        r = create(api, admin_a, target_audience="tenant", target_tenants=[tenant_b.pk])
        assert r.status_code == 404 and Announcement.objects.count() == 1


class TestTargeting:
    def test_platform_targets_tenants_and_roles_with_notifications(
        self, api, platform_admin, tenant_a, tenant_b, make_user
    ):
        agent_a, user_a = make_user(tenant_a, "agent"), make_user(tenant_a)
        agent_b = make_user(tenant_b, "agent")
        r = create(api, platform_admin, title="给甲", target_audience="tenant", target_tenants=[tenant_a.pk])
        assert r.status_code == 201, r.content
        r = create(api, platform_admin, title="给工程师", target_audience="role", target_roles=["agent"])
        assert r.status_code == 201, r.content
        assert set(shown(agent_a)) == {"给甲", "给工程师"}
        assert shown(user_a) == ["给甲"]
        assert shown(agent_b) == ["给工程师"]
        sent = set(Notification.objects.filter(type="announcement").values_list("recipient__username", "title"))
        assert sent == {(agent_a.username, "给甲"), (user_a.username, "给甲"), (agent_a.username, "给工程师"),
                        (agent_b.username, "给工程师")}  # fmt: skip

    def test_dismissed_banner_stays_away(self, client, api, tenant_a, make_user):
        admin, user = make_user(tenant_a, "admin"), make_user(tenant_a)
        a = Announcement.objects.get(pk=create(api, admin, title="可关闭").json()["data"]["id"])
        client.force_login(user)
        assert "可关闭" in client.get("/notifications/").content.decode()
        r = client.post(f"/system/announcements/{a.pk}/dismiss/", {"next": "/notifications/"})
        assert r.status_code == 302 and r["Location"] == "/notifications/"
        assert shown(user) == []
        assert 'data-announcement="' not in client.get("/notifications/").content.decode()


class TestSchedule:
    def test_job_publishes_when_due_and_expires(self, api, tenant_a, make_user):
        admin, user = make_user(tenant_a, "admin"), make_user(tenant_a)
        now = timezone.now()
        publish, expire = now + datetime.timedelta(hours=1), now + datetime.timedelta(hours=2)
        r = create(api, admin, title="稍后", publish_time=publish.isoformat(), expire_time=expire.isoformat())
        assert r.status_code == 201 and r.json()["data"]["status"] == "draft"
        assert shown(user) == [] and not Notification.objects.filter(type="announcement").exists()
        # not yet due: the job leaves it
        assert announcements.announcements_tick(now=now)["published"] == 0
        result = announcements.announcements_tick(now=publish + datetime.timedelta(seconds=5))
        assert result["published"] == 1
        a = Announcement.objects.get()
        assert a.status == "published"
        assert list(Notification.objects.filter(type="announcement").values_list("recipient", flat=True)) == [user.pk]
        # idempotent: a second run sends nothing more
        announcements.announcements_tick(now=publish + datetime.timedelta(seconds=65))
        assert Notification.objects.filter(type="announcement").count() == 1
        assert announcements.visible_announcements(user, now=publish + datetime.timedelta(minutes=1))
        assert announcements.announcements_tick(now=expire + datetime.timedelta(seconds=1))["expired"] == 1
        assert Announcement.objects.get().status == "expired"
        assert announcements.visible_announcements(user, now=expire + datetime.timedelta(minutes=1)) == []

    def test_job_is_scheduled_every_minute(self):
        from django_celery_beat.models import PeriodicTask

        task = PeriodicTask.objects.get(task="system.announcements_tick")
        assert task.enabled and task.interval.every == 60 and task.expire_seconds < 60


@pytest.fixture
def mail(monkeypatch, mailoutbox, eager_celery):
    """Email switched on in the settings registry; the notification sender's SMTP connection
    replaced by the locmem backend, so what it would send lands in ``mailoutbox``. Delivery tasks
    run in-process (the PostgreSQL + Redis run has no worker)."""
    from django.core.mail import get_connection

    from portal.config import set_config
    from portal.notifications import senders

    set_config("notification.email.enabled", True)
    set_config("notification.email.smtp_host", "smtp.ops.test")
    set_config("notification.email.smtp_from", "noreply@ops.test")
    monkeypatch.setattr(
        senders, "smtp_connection", lambda cfg: get_connection("django.core.mail.backends.locmem.EmailBackend")
    )
    return mailoutbox


def mailed(outbox) -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in outbox)


class TestEmail:
    def test_role_target_is_mailed_once_per_user_after_commit(
        self, api, platform_admin, tenant_a, tenant_b, make_user, mail, django_capture_on_commit_callbacks
    ):
        agent_a, agent_b, requester = make_user(tenant_a, "agent"), make_user(tenant_b, "agent"), make_user(tenant_a)
        both = make_user(tenant_a, "agent", "supervisor")  # matches two target roles: still one mail
        # When the platform admin publishes an announcement for agents and supervisors, by email
        with django_capture_on_commit_callbacks(execute=True):
            r = create(api, platform_admin, title="派单上线", target_audience="role",
                       target_roles=["agent", "supervisor"], is_email_notify=True)  # fmt: skip
            assert r.status_code == 201, r.content
            assert mail == []  # nothing leaves before the commit
        # Then each targeted user got exactly one mail; the requester none
        subject = "[IT运维门户] 派单上线"
        assert mailed(mail) == sorted((u.email, subject) for u in (agent_a, agent_b, both))
        assert requester.email not in {m.to[0] for m in mail}
        assert "今晚升级" in mail[0].body
        # And publishing again (the minute job) sends nothing more
        with django_capture_on_commit_callbacks(execute=True):
            announcements.announcements_tick()
        assert len(mail) == 3

    def test_tenant_target_and_scheduled_publication(
        self, api, platform_admin, tenant_a, tenant_b, make_user, mail, django_capture_on_commit_callbacks
    ):
        user_a, user_b = make_user(tenant_a), make_user(tenant_b)
        publish = timezone.now() + datetime.timedelta(hours=1)
        r = create(api, platform_admin, title="甲公司通知", target_audience="tenant", target_tenants=[tenant_a.pk],
                   publish_time=publish.isoformat(), is_email_notify=True)  # fmt: skip
        assert r.status_code == 201 and r.json()["data"]["status"] == "draft"
        assert mail == []  # a draft mails nobody
        with django_capture_on_commit_callbacks(execute=True):
            announcements.announcements_tick(now=publish + datetime.timedelta(seconds=5))
        assert [m.to for m in mail] == [[user_a.email]]
        assert user_b.email not in {m.to[0] for m in mail}

    def test_without_the_flag_nobody_is_mailed(
        self, api, tenant_a, make_user, mail, django_capture_on_commit_callbacks
    ):
        admin, user = make_user(tenant_a, "admin"), make_user(tenant_a)
        with django_capture_on_commit_callbacks(execute=True):
            assert create(api, admin, title="只在站内").status_code == 201
        assert Notification.objects.filter(recipient=user, type="announcement").exists()
        assert mail == []

    def test_all_audience_of_a_tenant_admin_reaches_their_tenant_only(
        self, api, tenant_a, tenant_b, make_user, mail, django_capture_on_commit_callbacks
    ):
        admin, user_a, _tenant_b_user = make_user(tenant_a, "admin"), make_user(tenant_a), make_user(tenant_b)
        with django_capture_on_commit_callbacks(execute=True):
            assert create(api, admin, title="全员", is_email_notify=True).status_code == 201
        # the author is not told of what they did; everyone else of tenant A is, tenant B is not
        assert [m.to for m in mail] == [[user_a.email]]
