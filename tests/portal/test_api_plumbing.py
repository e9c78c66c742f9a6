"""Envelopes, errors, pagination and request ids of both contracts, seen from a client."""

import pytest


@pytest.mark.django_db
class TestUnknownPaths:
    def test_v1_unknown_path_is_a_v1_404_with_trace_id(self, client):
        response = client.get("/api/v1/nope")
        body = response.json()
        assert response.status_code == 404
        assert body["code"] == 404 and body["data"] is None
        assert body["trace_id"] == response["X-Request-ID"]
        assert body["timestamp"].endswith("Z")

    def test_desk_unknown_path_is_a_desk_404(self, client):
        response = client.post("/api/nope", {}, content_type="application/json")
        body = response.json()
        assert response.status_code == 404
        assert body == {"success": False, "error_code": "NOT_FOUND", "message": body["message"], "details": {},
                        # also readable as {code, msg}: the path may be an id route of such a call
                        "code": 404, "msg": body["message"], "data": None}  # fmt: skip
        assert response["X-Request-ID"]

    def test_messages_are_chinese_by_default_and_english_on_request(self, client):
        assert client.get("/api/v1/nope").json()["message"] == "资源不存在。"
        english = client.get("/api/v1/nope", headers={"Accept-Language": "en"}).json()["message"]
        assert english == "The resource does not exist."

    def test_incoming_request_id_is_kept(self, client):
        response = client.get("/api/v1/nope", headers={"X-Request-ID": "req-1234567890"})
        assert response["X-Request-ID"] == "req-1234567890"
        assert response.json()["trace_id"] == "req-1234567890"


@pytest.mark.django_db
class TestV1Envelope:
    def test_list_is_paginated_in_data(self, tenant_a, make_user, api):
        admin = make_user(tenant_a, "admin")
        body = api(admin).get("/api/v1/roles", {"page": 1, "size": 2}).json()
        assert body["code"] == 200
        assert set(body) == {"code", "message", "data", "timestamp", "trace_id"}
        assert body["data"]["total"] == 4  # the built-in roles
        assert body["data"]["page"] == 1 and body["data"]["size"] == 2
        assert [r["role_code"] for r in body["data"]["items"]] == ["user", "agent"]

    def test_size_is_capped_at_100(self, tenant_a, make_user, api):
        admin = make_user(tenant_a, "admin")
        assert api(admin).get("/api/v1/permissions", {"size": 500}).json()["data"]["size"] == 100

    def test_bad_page_is_a_400_with_field_errors(self, tenant_a, make_user, api):
        admin = make_user(tenant_a, "admin")
        response = api(admin).get("/api/v1/roles", {"page": "zero"})
        assert response.status_code == 400
        assert response.json()["data"]["errors"][0]["field"] == "page"

    def test_anonymous_is_401(self, api):
        response = api().get("/api/v1/roles")
        assert response.status_code == 401
        assert response.json()["code"] == 401

    def test_bad_token_is_401(self, api):
        response = api().get("/api/v1/roles", HTTP_AUTHORIZATION="Bearer not-a-token")
        assert response.status_code == 401

    def test_missing_permission_is_403_naming_the_code(self, tenant_a, make_user, api):
        requester = make_user(tenant_a, "user")
        response = api(requester).get("/api/v1/roles")
        body = response.json()
        assert response.status_code == 403
        assert body["data"]["required_permission"] == "role:read"
        # only the caller's codes on the same resource: no map of every privilege the token holds
        assert "ticket:create" not in body["data"]["current_permissions"]
        assert all(code.startswith("role:") for code in body["data"]["current_permissions"])

    def test_disabled_tenant_is_refused_with_40003(self, tenant_a, make_user, api):
        admin = make_user(tenant_a, "admin")
        tenant_a.status = 2
        tenant_a.save()
        response = api(admin).get("/api/v1/roles")
        assert response.status_code == 403
        assert response.json()["code"] == 40003


@pytest.mark.django_db
class TestDeskEnvelope:
    def test_list_has_top_level_pagination(self, tenant_a, make_user, api):
        admin = make_user(tenant_a, "admin")
        for _ in range(3):
            make_user(tenant_a, "user")
        body = api(admin).get("/api/admin/users", {"limit": 2, "page": 2}).json()
        assert body["success"] is True
        assert body["pagination"] == {"page": 2, "limit": 2, "total": 4, "pages": 2}
        assert len(body["data"]) == 2

    def test_detail_of_missing_user_is_user_not_found(self, tenant_a, make_user, api):
        admin = make_user(tenant_a, "admin")
        response = api(admin).get("/api/admin/users/999999")
        assert response.status_code == 404
        assert response.json()["error_code"] == "USER_NOT_FOUND"

    def test_validation_failure_is_422_with_details(self, tenant_a, make_user, api):
        admin = make_user(tenant_a, "admin")
        response = api(admin).get("/api/admin/users", {"limit": "-1"})
        assert response.status_code == 422
        body = response.json()
        assert body["error_code"] == "VALIDATION_FAILED" and "limit" in body["details"]

    def test_missing_permission_is_insufficient_permissions(self, tenant_a, make_user, api):
        response = api(make_user(tenant_a, "user")).get("/api/admin/users")
        assert response.status_code == 403
        assert response.json()["error_code"] == "INSUFFICIENT_PERMISSIONS"
        assert response.json()["details"] == {"required_permission": "user:read"}

    def test_anonymous_is_401(self, api):
        response = api().get("/api/admin/users")
        assert response.status_code == 401
        assert response.json()["error_code"] == "AUTHENTICATION_REQUIRED"
