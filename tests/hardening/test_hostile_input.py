"""Inputs that used to reach a 500 (issue 15, point 5): each is now a 400/404/422 in the
contract's envelope, with a content type, and changes nothing."""

from __future__ import annotations

import json

import pytest

from accounts.models import LoginLog, User
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db

DEEP = 1_000
DEEPER = 10_000


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def assert_v1_error(response, *statuses):
    assert response.status_code in (statuses or (400, 404, 422)), (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] and body["message"] and "data" in body, body


def assert_desk_error(response, *statuses):
    assert response.status_code in (statuses or (400, 404, 422)), (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["success"] is False and body["error_code"] and body["message"], body


def snapshot():
    return (
        Ticket.all_objects.count() if hasattr(Ticket, "all_objects") else Ticket.objects.count(),
        Category.objects.count(),
        User.objects.count(),
    )


# --- JSON bodies -------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [DEEP, DEEPER])
def test_deeply_nested_json_is_a_400_even_anonymously(api, tenant_a, depth):
    # anonymous login, v1 and desk
    v1 = api().post("/api/v1/auth/login", nested(depth), content_type="application/json")
    assert_v1_error(v1, 400)
    desk = api().post("/api/auth/login", '{"email": ' + nested(depth) + "}", content_type="application/json")
    assert_desk_error(desk, 400)
    assert not LoginLog.objects.exists()  # nothing reached the sign-in


def test_deep_json_on_an_authenticated_write_changes_nothing(api, desk):
    before = snapshot()
    body = '{"title": "x", "description": "y", "custom_fields": ' + '{"a":' * DEEP + "1" + "}" * DEEP + "}"
    assert_desk_error(api(desk.requester).post("/api/tickets", body, content_type="application/json"), 400)
    assert snapshot() == before


def test_nul_characters_in_json_keys_and_values_are_refused(api, desk):
    before = snapshot()
    for custom in ({"a\u0000b": "1"}, {"k": "v\u0000"}):
        body = json.dumps({"title": "nul", "description": "nul", "custom_fields": custom})
        assert_desk_error(api(desk.requester).post("/api/tickets", body, content_type="application/json"))
        assert_v1_error(api(desk.requester).post("/api/v1/tickets", body, content_type="application/json"))
    assert_desk_error(api(desk.requester).post("/api/tickets", {"title": "a\u0000", "description": "d"}, format="json"))
    assert snapshot() == before


@pytest.mark.parametrize("value", [2**31, 2**63, 10**30, -(2**31) - 1])
def test_integers_beyond_the_column_are_refused(api, desk, value):
    before = snapshot()
    response = api(desk.admin).post(
        "/api/categories", {"name": "越界", "code": f"big{abs(value) % 1000}", "sort_order": value}, format="json"
    )
    assert_desk_error(response)
    assert snapshot() == before


@pytest.mark.parametrize("value", [2**63, 10**30])
def test_customer_ids_beyond_64_bits_are_refused(api, desk, value):
    before = snapshot()
    body = {"title": "t", "description": "d", "customer_id": value}
    assert_desk_error(api(desk.requester).post("/api/tickets", body, format="json"))
    assert_v1_error(api(desk.requester).post("/api/v1/tickets", body, format="json"))
    assert snapshot() == before


def test_attachment_id_zero_and_huge_ids_are_refused(api, desk):
    before = snapshot()
    for ids in ([0], [2**63], [10**30], [-1]):
        body = {"title": "t", "description": "d", "attachment_ids": ids}
        assert_desk_error(api(desk.requester).post("/api/tickets", body, format="json"))
    assert snapshot() == before


# --- Query strings -----------------------------------------------------------------------------

V1_LISTS = ["/api/v1/tickets", "/api/v1/users", "/api/v1/admin/users", "/api/v1/admin/audit/login-logs",
            "/api/v1/dashboard/notifications", "/api/v1/admin/audit/permission-logs"]  # fmt: skip
DESK_LISTS = ["/api/tickets", "/api/notifications", "/api/admin/users", "/api/user/login-history"]


@pytest.mark.parametrize("page", [str(2**63), str(2**64), "9" * 400])
def test_huge_page_numbers_are_refused(api, desk, page):
    for path in V1_LISTS:
        assert_v1_error(api(desk.admin).get(path, {"page": page}), 400)
    for path in DESK_LISTS:
        assert_desk_error(api(desk.admin).get(path, {"page": page}))


@pytest.mark.parametrize(
    "value", ["0519-12-03T07:20:36-20:24", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "2024-13-01", "x"]
)
def test_dates_out_of_range_are_refused_or_harmless(api, desk, value):
    users, logs = "/api/v1/admin/users", "/api/v1/admin/audit/login-logs"
    pairs = [(users, "last_login_end"), (users, "last_login_start"), (logs, "start_time"), (logs, "end_time")]
    for path, name in pairs:
        response = api(desk.admin).get(path, {name: value})
        assert response.status_code in (200, 400), (path, name, response.status_code)
        if response.status_code != 200:
            assert_v1_error(response, 400)
    for name in ("start_date", "end_date"):
        response = api(desk.admin).get("/api/user/login-history", {name: value})
        assert response.status_code in (200, 400, 422), response.status_code
        assert "code" in response.json()


@pytest.mark.parametrize("value", ["x", "1' OR '1'='1", "999.1.1.1", "::g"])
def test_ip_address_filters_take_addresses_only(api, desk, value):
    assert_v1_error(api(desk.admin).get("/api/v1/admin/audit/login-logs", {"ip_address": value}), 400)
    response = api(desk.admin).get("/api/user/login-history", {"ip_address": value})
    assert response.status_code in (400, 422) and response.json()["code"] in (400, 422)
    # a real address still filters
    assert api(desk.admin).get("/api/v1/admin/audit/login-logs", {"ip_address": "127.0.0.1"}).status_code == 200


@pytest.mark.parametrize("value", ["¹", "1,²", "٣", str(2**64), "1," + str(10**30)])
def test_role_ids_take_plain_64_bit_integers(api, desk, value):
    response = api(desk.admin).get("/api/v1/admin/users", {"role_ids": value})
    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert_v1_error(response, 400)


@pytest.mark.parametrize("value", [str(10**30), str(2**63), "-" + str(2**63 + 1), "1e400"])
def test_id_filters_beyond_64_bits(api, desk, value):
    for path, name in [("/api/tickets", "customer_id"), ("/api/v1/admin/users", "department_id"),
                       ("/api/v1/admin/audit/login-logs", "user_id"), ("/api/tickets", "assigned_to")]:  # fmt: skip
        response = api(desk.admin).get(path, {name: value})
        assert response.status_code in (200, 400, 422), (path, name, response.status_code, response.content[:200])


@pytest.mark.parametrize("pk", [str(2**63), str(10**30), "0"])
def test_ids_in_paths_beyond_64_bits_are_404(api, desk, pk):
    assert_desk_error(api(desk.admin).get(f"/api/tickets/{pk}"), 404)
    assert_v1_error(api(desk.admin).get(f"/api/v1/tickets/{pk}"), 404)
    assert_v1_error(api(desk.admin).get(f"/api/v1/admin/users/{pk}"), 404)


def test_trusted_device_null_is_a_404_in_the_code_msg_envelope(api, desk):
    response = api(desk.requester).delete("/api/user/trusted-devices/null")
    assert response.status_code == 404
    body = response.json()
    assert body["code"] == 404 and body["msg"] and body["success"] is False


# --- OPTIONS and multipart -------------------------------------------------------------------


OPTIONS_PATHS = ["/api/v1/tickets", "/api/v1/admin/users", "/api/tickets", "/api/categories",
                 "/api/v1/auth/login", "/api/auth/login", "/api/v1/dashboard/notifications"]  # fmt: skip


@pytest.mark.parametrize("path", OPTIONS_PATHS)
def test_options_answers_in_the_envelope(api, desk, path):
    response = api(desk.admin).options(path)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    assert "Allow" in response


def test_malformed_multipart_is_a_400_in_the_envelope(api, desk):
    before = snapshot()
    body = b'--xx\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nabc'  # no end boundary
    for path, check in [("/api/upload", assert_desk_error), ("/api/tickets", assert_desk_error),
                        ("/api/v1/tickets", assert_v1_error)]:  # fmt: skip
        response = api(desk.agent).generic("POST", path, body, content_type="multipart/form-data; boundary=xx")
        check(response, 400, 422)  # read as far as it goes: no file, or fields missing
        response = api(desk.agent).generic("POST", path, b"x", content_type="multipart/form-data")  # no boundary
        check(response, 400)
    assert snapshot() == before
