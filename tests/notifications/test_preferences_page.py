"""My notification settings page (issue 13, point 5: respect per-user preferences): what the
page saves is what ``notify`` honours, security notices stay on, and nobody else's settings
move."""

from __future__ import annotations

import pytest

from portal.notifications.models import ChatRobot, Notification, NotificationPreference
from portal.notifications.services import notify
from tests.notifications.conftest import configure_smtp

pytestmark = pytest.mark.django_db

URL = "/notifications/settings/"


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, "user", username="alice", email="alice@a.test")


@pytest.fixture
def bob(tenant_a, make_user):
    return make_user(tenant_a, "agent", username="bob", email="bob@a.test")


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def form_for(signed_in) -> dict:
    """The page's form as the browser would submit it untouched (checked boxes only)."""
    import re

    html = signed_in.get(URL).content.decode()
    return dict.fromkeys(re.findall(r'<input type="checkbox" name="([\w-]+)" checked(?! disabled)', html), "on")


def test_page_lists_every_kind_with_security_locked(signed_in):
    response = signed_in.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-preference="ticket_updated"' in html and 'data-preference="comment_added"' in html
    # security notices: on, disabled, labelled as always on
    row = html.split('data-preference="security"')[1].split("</tr>")[0]
    assert row.count("checked disabled") == 2 and "data-locked" in row
    # no chat robot in the tenant: no chat column
    assert "-chat" not in html


def test_saving_mutes_a_kind_and_notify_honours_it(signed_in, alice, bob):
    configure_smtp(2525, tenant=alice.tenant)
    form = form_for(signed_in)
    form.pop("ticket_updated-in_app")  # mute status changes entirely (email is off by default)
    form["comment_added-email"] = "on"  # and get comments by email too
    response = signed_in.post(URL, form, follow=True)
    assert response.status_code == 200
    assert "alert alert-success" in response.content.decode()

    mine = {p.type: p for p in NotificationPreference.objects.filter(user=alice)}
    assert (mine["ticket_updated"].in_app, mine["ticket_updated"].email) == (False, False)
    assert (mine["comment_added"].in_app, mine["comment_added"].email) == (True, True)
    assert "security" not in mine  # locked kinds are never stored from the page

    # a muted kind creates no notification at all ...
    assert notify(recipient=alice, type="ticket_updated", title="状态已变更", message="TK-1") is None
    assert not Notification.objects.filter(recipient=alice, type="ticket_updated").exists()
    # ... and a kind with email on queues an email
    comment = notify(recipient=alice, type="comment_added", title="新评论", message="TK-1")
    assert sorted(d.channel for d in comment.deliveries.all()) == ["email", "websocket"]
    # the page shows what was saved
    html = signed_in.get(URL).content.decode()
    assert 'name="ticket_updated-in_app" aria-label' in html  # unchecked now
    assert 'name="comment_added-email" checked' in html

    # bob's settings did not move and he is still told about status changes
    assert not NotificationPreference.objects.filter(user=bob).exists()
    assert notify(recipient=bob, type="ticket_updated", title="状态已变更", message="TK-1") is not None


def test_security_notices_arrive_whatever_is_stored(signed_in, alice):
    configure_smtp(2525, tenant=alice.tenant)
    # a crafted POST without the security boxes stores nothing for security
    signed_in.post(URL, {})
    assert not NotificationPreference.objects.filter(user=alice, type="security").exists()
    # even a row written behind the service's back does not silence them
    NotificationPreference.objects.create(
        tenant=alice.tenant, user=alice, type="security", in_app=False, email=False, chat=False
    )
    notice = notify(recipient=alice, type="security", title="使用恢复码登录", message="…")
    assert notice is not None and notice.in_app is True
    assert sorted(d.channel for d in notice.deliveries.all()) == ["email", "websocket"]


def test_api_refuses_to_turn_security_notices_off_and_stores_nothing(api, alice):
    response = api(alice).put(
        "/api/v1/dashboard/notifications/preferences",
        {"preferences": [{"type": "ticket_updated", "in_app": False}, {"type": "security", "email": False}]},
        format="json",
    )
    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(user=alice).exists()
    listed = api(alice).get("/api/v1/dashboard/notifications/preferences").json()["data"]["preferences"]
    security = next(p for p in listed if p["type"] == "security")
    assert security["locked"] is True and security["in_app"] is True and security["email"] is True


def test_chat_column_appears_when_the_tenant_has_a_robot(signed_in, alice):
    ChatRobot.objects.create(
        tenant=alice.tenant, name="运维群", platform="dingtalk", webhook_url="https://example.test/hook", types=[]
    )
    form = form_for(signed_in)
    assert "ticket_assigned-chat" in form
    form.pop("ticket_assigned-chat")
    signed_in.post(URL, form)
    assert NotificationPreference.objects.get(user=alice, type="ticket_assigned").chat is False


def test_sidebar_offers_the_page_next_to_the_account_pages(signed_in):
    html = signed_in.get("/accounts/profile/").content.decode()
    personal = html.split('data-section="personal"')[1].split("</ul>")[0]
    assert personal.index('data-nav="accounts:sessions"') < personal.index('data-nav="notifications:preferences"')


def test_anonymous_and_platform_accounts_are_refused(client, db):
    from accounts.models import User
    from tests.factories import TEST_PASSWORD

    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(User.objects.create_superuser(email="ops@platform.test", password=TEST_PASSWORD))
    assert client.get(URL).status_code == 403  # platform accounts get no notifications
    assert client.post(URL, {}).status_code == 403
    assert not NotificationPreference.objects.exists()
