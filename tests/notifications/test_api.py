"""Both contracts' notification APIs, as documented, with the permission matrix: anonymous
401, same tenant without the permission 403, another user's notification (same tenant or
another tenant) 404, own allowed, and refused calls change nothing."""

from __future__ import annotations

import pytest

from accounts.models import Role
from portal.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, "user", username="alice")


@pytest.fixture
def bob(tenant_a, make_user):  # same tenant as alice
    return make_user(tenant_a, "agent", username="bob")


@pytest.fixture
def carol(tenant_b, make_user):  # another tenant
    return make_user(tenant_b, "admin", username="carol")


@pytest.fixture
def powerless(tenant_a, make_user):
    """Same tenant, signed in, but holding a role without any notification permission."""
    Role.objects.create(tenant=tenant_a, code="visitor", name="访客")
    return make_user(tenant_a, "visitor", username="visitor")


@pytest.fixture
def inboxes(alice, bob, carol, make_notification):
    """Given three unread notifications for alice, one read one, and one each for bob and carol."""
    mine = [make_notification(alice, title=f"alice {i}", ticket_id=100 + i) for i in range(3)]
    read = make_notification(alice, title="alice read", type="sla_breached")
    Notification.objects.filter(pk=read.pk).update(read_at="2025-01-01T00:00:00Z")
    hidden = make_notification(alice, title="email only", in_app=False)
    return {
        "alice": mine,
        "alice_read": read,
        "alice_hidden": hidden,
        "bob": make_notification(bob, title="bob's"),
        "carol": make_notification(carol, title="carol's"),
    }


def unread_ids():
    return set(Notification.objects.filter(read_at__isnull=True).values_list("pk", flat=True))


# --- Desk: GET /api/notifications -----------------------------------------------------------


class TestDeskList:
    def test_lists_only_my_inbox_with_documented_fields_and_pagination(self, api, alice, inboxes):
        response = api(alice).get("/api/notifications", {"page": 1, "limit": 2})
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True
        assert body["pagination"] == {"page": 1, "limit": 2, "total": 4, "pages": 2}
        first = body["data"][0]
        assert set(first) == {"id", "type", "title", "message", "data", "is_read", "created_at"}
        assert first["title"] == "alice read"  # newest first
        assert first["is_read"] is True
        second = body["data"][1]
        assert second["data"]["ticket_id"] == 102 and second["is_read"] is False

    def test_unread_filter(self, api, alice, inboxes):
        body = api(alice).get("/api/notifications?unread=true").json()
        assert {n["title"] for n in body["data"]} == {"alice 0", "alice 1", "alice 2"}
        body = api(alice).get("/api/notifications?unread=false").json()
        assert [n["title"] for n in body["data"]] == ["alice read"]

    def test_bad_unread_value_is_a_validation_error(self, api, alice, inboxes):
        response = api(alice).get("/api/notifications?unread=maybe")
        assert response.status_code == 422
        assert response.json()["error_code"] == "VALIDATION_FAILED"

    def test_other_users_never_appear(self, api, bob, carol, inboxes):
        assert [n["title"] for n in api(bob).get("/api/notifications").json()["data"]] == ["bob's"]
        assert [n["title"] for n in api(carol).get("/api/notifications").json()["data"]] == ["carol's"]

    def test_anonymous_is_401(self, api, inboxes):
        response = api().get("/api/notifications")
        assert response.status_code == 401
        assert response.json()["success"] is False

    def test_without_permission_is_403(self, api, powerless, inboxes):
        response = api(powerless).get("/api/notifications")
        assert response.status_code == 403
        assert response.json()["error_code"] == "INSUFFICIENT_PERMISSIONS"

    def test_query_count_does_not_grow_with_page_size(
        self, api, alice, make_notification, django_assert_max_num_queries
    ):
        for i in range(30):
            make_notification(alice, title=f"n{i}")
        client = api(alice)
        with django_assert_max_num_queries(12):
            response = client.get("/api/notifications?limit=30")
        assert len(response.json()["data"]) == 30


class TestDeskUnreadCount:
    def test_counts_my_unread_inbox_only(self, api, alice, bob, inboxes):
        assert api(alice).get("/api/notifications/unread-count").json()["data"] == {"count": 3}
        assert api(bob).get("/api/notifications/unread-count").json()["data"] == {"count": 1}

    def test_anonymous_and_powerless_are_refused(self, api, powerless, inboxes):
        assert api().get("/api/notifications/unread-count").status_code == 401
        assert api(powerless).get("/api/notifications/unread-count").status_code == 403


class TestDeskMarkRead:
    def test_marks_my_notification_read(self, api, alice, inboxes):
        target = inboxes["alice"][0]
        response = api(alice).put(f"/api/notifications/{target.pk}/read")
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is True and body["message"] == "通知已标记为已读"
        target.refresh_from_db()
        assert target.read_at is not None
        assert api(alice).get("/api/notifications/unread-count").json()["data"]["count"] == 2

    @pytest.mark.parametrize("owner", ["bob", "carol"])
    def test_someone_elses_is_404_and_stays_unread(self, api, alice, inboxes, owner):
        before = unread_ids()
        response = api(alice).put(f"/api/notifications/{inboxes[owner].pk}/read")
        assert response.status_code == 404
        assert response.json()["error_code"] == "NOTIFICATION_NOT_FOUND"
        assert unread_ids() == before

    def test_anonymous_and_powerless_change_nothing(self, api, powerless, inboxes):
        before = unread_ids()
        target = inboxes["alice"][0].pk
        assert api().put(f"/api/notifications/{target}/read").status_code == 401
        assert api(powerless).put(f"/api/notifications/{target}/read").status_code == 403
        assert unread_ids() == before

    def test_read_all_touches_only_my_inbox(self, api, alice, inboxes):
        response = api(alice).put("/api/notifications/read-all")
        assert response.status_code == 200
        assert response.json()["message"] == "所有通知已标记为已读"
        assert unread_ids() == {inboxes["bob"].pk, inboxes["carol"].pk, inboxes["alice_hidden"].pk}

    def test_read_all_refused_changes_nothing(self, api, powerless, inboxes):
        before = unread_ids()
        assert api().put("/api/notifications/read-all").status_code == 401
        assert api(powerless).put("/api/notifications/read-all").status_code == 403
        assert unread_ids() == before


# --- v1: /api/v1/dashboard/notifications ----------------------------------------------------


class TestV1List:
    def test_documented_shape_with_unread_count(self, api, alice, inboxes):
        response = api(alice).get("/api/v1/dashboard/notifications", {"page": 1, "size": 10})
        assert response.status_code == 200
        body = response.json()
        assert body["code"] == 200
        data = body["data"]
        assert data["unread_count"] == 3
        assert (data["total"], data["page"], data["size"]) == (4, 1, 10)
        assert data["items"] == data["notifications"]  # the v1 page shape, same rows
        item = next(n for n in data["notifications"] if n["title"] == "alice 1")
        assert item["type"] == "ticket" and item["event_type"] == "ticket_assigned"
        assert item["content"] == "工单 TK-2025-001 已分配给您"
        assert item["status"] == "unread"
        assert item["priority"] == "medium"
        assert item["action_url"] == "/tickets/101/"
        assert {"id", "created_at"} <= set(item)

    def test_type_and_status_filters(self, api, alice, inboxes):
        data = api(alice).get("/api/v1/dashboard/notifications?type=alert").json()["data"]
        assert [(n["title"], n["type"], n["status"]) for n in data["notifications"]] == [
            ("alice read", "alert", "read")
        ]
        assert data["unread_count"] == 3  # the badge counts everything unread, whatever the filter
        data = api(alice).get("/api/v1/dashboard/notifications?status=unread").json()["data"]
        assert {n["title"] for n in data["notifications"]} == {"alice 0", "alice 1", "alice 2"}
        data = api(alice).get("/api/v1/dashboard/notifications?status=read&type=ticket").json()["data"]
        assert data["notifications"] == []

    @pytest.mark.parametrize("query", ["status=gone", "type=weather", "size=0"])
    def test_bad_parameters_are_400(self, api, alice, inboxes, query):
        response = api(alice).get(f"/api/v1/dashboard/notifications?{query}")
        assert response.status_code == 400
        assert response.json()["code"] == 400

    def test_query_count_does_not_grow_with_page_size(
        self, api, alice, make_notification, django_assert_max_num_queries
    ):
        for i in range(30):
            make_notification(alice, title=f"n{i}")
        client = api(alice)
        with django_assert_max_num_queries(12):
            response = client.get("/api/v1/dashboard/notifications?size=30")
        assert len(response.json()["data"]["notifications"]) == 30

    def test_other_users_never_appear(self, api, bob, carol, inboxes):
        data = api(bob).get("/api/v1/dashboard/notifications").json()["data"]
        assert [n["title"] for n in data["notifications"]] == ["bob's"] and data["unread_count"] == 1
        data = api(carol).get("/api/v1/dashboard/notifications").json()["data"]
        assert [n["title"] for n in data["notifications"]] == ["carol's"]

    def test_refusals(self, api, powerless, inboxes):
        assert api().get("/api/v1/dashboard/notifications").status_code == 401
        response = api(powerless).get("/api/v1/dashboard/notifications")
        assert response.status_code == 403
        assert response.json()["data"]["required_permission"] == "notification:read"


class TestV1MarkRead:
    def test_marks_mine(self, api, alice, inboxes):
        target = inboxes["alice"][1]
        response = api(alice).put(f"/api/v1/dashboard/notifications/{target.pk}/read")
        assert response.status_code == 200
        assert response.json()["data"]["status"] == "read"
        target.refresh_from_db()
        assert target.read_at is not None

    @pytest.mark.parametrize("owner", ["bob", "carol"])
    def test_someone_elses_is_404_and_unchanged(self, api, alice, inboxes, owner):
        before = unread_ids()
        response = api(alice).put(f"/api/v1/dashboard/notifications/{inboxes[owner].pk}/read")
        assert response.status_code == 404
        assert response.json()["code"] == 404
        assert unread_ids() == before

    def test_refusals_change_nothing(self, api, powerless, inboxes):
        before = unread_ids()
        path = f"/api/v1/dashboard/notifications/{inboxes['alice'][0].pk}/read"
        assert api().put(path).status_code == 401
        response = api(powerless).put(path)
        assert response.status_code == 403
        assert response.json()["data"]["required_permission"] == "notification:update"
        assert unread_ids() == before


class TestV1BatchRead:
    def test_marks_only_my_ids(self, api, alice, inboxes):
        ids = [inboxes["alice"][0].pk, inboxes["alice"][2].pk, inboxes["bob"].pk, inboxes["carol"].pk]
        response = api(alice).put(
            "/api/v1/dashboard/notifications/batch-read", {"notification_ids": ids}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["data"] == {"updated_count": 2, "unread_count": 1}
        assert unread_ids() == {
            inboxes["alice"][1].pk, inboxes["bob"].pk, inboxes["carol"].pk, inboxes["alice_hidden"].pk,
        }  # fmt: skip

    @pytest.mark.parametrize("body", [{}, {"notification_ids": []}, {"notification_ids": ["x"]}])
    def test_bad_body_is_400_and_changes_nothing(self, api, alice, inboxes, body):
        before = unread_ids()
        response = api(alice).put("/api/v1/dashboard/notifications/batch-read", body, format="json")
        assert response.status_code == 400
        assert response.json()["data"]["errors"][0]["field"].startswith("notification_ids")
        assert unread_ids() == before

    def test_refusals_change_nothing(self, api, powerless, inboxes):
        before = unread_ids()
        body = {"notification_ids": [inboxes["alice"][0].pk]}
        assert api().put("/api/v1/dashboard/notifications/batch-read", body, format="json").status_code == 401
        assert api(powerless).put("/api/v1/dashboard/notifications/batch-read", body, format="json").status_code == 403
        assert unread_ids() == before


class TestV1Preferences:
    def test_defaults_then_update(self, api, alice):
        client = api(alice)
        prefs = {
            p["type"]: p
            for p in client.get("/api/v1/dashboard/notifications/preferences").json()["data"]["preferences"]
        }
        assert prefs["ticket_assigned"] == {
            "type": "ticket_assigned", "name": "工单已分配", "in_app": True, "email": True, "chat": True,
            "locked": False,
        }  # fmt: skip
        response = client.put(
            "/api/v1/dashboard/notifications/preferences",
            {"preferences": [{"type": "ticket_assigned", "email": False}]},
            format="json",
        )
        assert response.status_code == 200
        prefs = {p["type"]: p for p in response.json()["data"]["preferences"]}
        assert (prefs["ticket_assigned"]["in_app"], prefs["ticket_assigned"]["email"]) == (True, False)
        assert NotificationPreference.objects.get(user=alice).tenant_id == alice.tenant_id

    def test_unknown_type_is_400_and_nothing_stored(self, api, alice):
        response = api(alice).put(
            "/api/v1/dashboard/notifications/preferences",
            {"preferences": [{"type": "ticket_assigned", "email": False}, {"type": "gossip"}]},
            format="json",
        )
        assert response.status_code == 400
        assert not NotificationPreference.objects.exists()

    def test_refusals(self, api, powerless):
        assert api().get("/api/v1/dashboard/notifications/preferences").status_code == 401
        body = {"preferences": [{"type": "ticket_assigned", "email": False}]}
        assert api(powerless).put("/api/v1/dashboard/notifications/preferences", body, format="json").status_code == 403
        assert not NotificationPreference.objects.exists()
