"""The notifications page and the bell partial."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, "agent", username="alice")


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_list_shows_only_my_notifications_and_marks_read(signed_in, alice, tenant_a, make_user, make_notification):
    mine = make_notification(alice, title="分配给我的工单", ticket_id=5)
    other = make_notification(make_user(tenant_a, "agent", username="bob"), title="别人的通知")
    page = signed_in.get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "分配给我的工单" in html and "别人的通知" not in html
    assert "js/live.js" in html
    # mark mine read: back to the list, now read
    response = signed_in.post(f"/notifications/{mine.pk}/read/", {"next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    # someone else's: 404 and unchanged
    assert signed_in.post(f"/notifications/{other.pk}/read/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_open_goes_to_the_ticket_and_refuses_foreign_redirects(signed_in, alice, make_notification):
    n = make_notification(alice, ticket_id=5)
    assert signed_in.post(f"/notifications/{n.pk}/read/", {"open": "1"})["Location"] == "/tickets/5/"
    n2 = make_notification(alice)
    response = signed_in.post(f"/notifications/{n2.pk}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"


def test_mark_all_read(signed_in, alice, make_notification):
    for i in range(3):
        make_notification(alice, title=f"n{i}")
    response = signed_in.post("/notifications/read-all/", follow=True)
    assert response.status_code == 200
    assert alice.notifications.filter(read_at__isnull=True).count() == 0


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_bell_shows_the_unread_count(alice, make_notification):
    for i in range(2):
        make_notification(alice, title=f"n{i}")
    request = RequestFactory().get("/")
    request.user = alice
    html = render_to_string("notifications/_bell.html", {"request": request})
    assert "data-unread-count>2</span>" in html.replace(" hidden", "").replace("\n", "")
    assert "/notifications/" in html


def test_live_js_opens_the_socket_only_on_pages_served_over_asgi(alice):
    from django.test import AsyncRequestFactory

    wsgi_request = RequestFactory().get("/")
    asgi_request = AsyncRequestFactory().get("/")
    for request in (wsgi_request, asgi_request):
        request.user = alice
    assert 'data-ws-path=""' in render_to_string("notifications/_live.html", {"request": wsgi_request})
    assert 'data-ws-path="/api/ws"' in render_to_string("notifications/_live.html", {"request": asgi_request})
