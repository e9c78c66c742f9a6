"""Desk ``admin/users``: ``ticket_count`` on the list and ``ticket_stats`` on the detail, from
the tickets themselves; the list's query count does not grow with its size."""

from __future__ import annotations

import pytest

from tickets import services

pytestmark = pytest.mark.django_db


def test_list_and_detail_count_tickets(desk, api):
    # given: the requester filed three tickets; the agent got two, resolved one; one is deleted
    desk.resolved()
    desk.assigned()
    deleted = desk.ticket()
    services.ticket_delete(ticket=deleted, by=desk.admin)
    client = api(desk.admin)
    # when the admin lists users
    response = client.get("/api/admin/users", {"limit": 100})
    assert response.status_code == 200, response.content[:500]
    rows = {row["username"]: row for row in response.json()["data"]}
    # then each row counts the alive tickets the user filed or holds
    assert rows[desk.requester.username]["ticket_count"] == 2
    assert rows[desk.agent.username]["ticket_count"] == 2
    assert rows[desk.other_agent.username]["ticket_count"] == 0
    # and the detail splits them
    detail = client.get(f"/api/admin/users/{desk.agent.pk}").json()["data"]
    assert detail["ticket_stats"] == {"created": 0, "assigned": 2, "resolved": 1}
    detail = client.get(f"/api/admin/users/{desk.requester.pk}").json()["data"]
    assert detail["ticket_stats"] == {"created": 2, "assigned": 0, "resolved": 0}


def test_other_tenants_tickets_do_not_count(desk, other_desk, api):
    other_desk.assigned()
    rows = api(other_desk.admin).get("/api/admin/users", {"limit": 100}).json()["data"]
    assert {r["username"]: r["ticket_count"] for r in rows}[other_desk.agent.username] == 1
    assert api(desk.admin).get(f"/api/admin/users/{other_desk.agent.pk}").status_code == 404


def test_list_query_count_is_fixed(desk, api, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(desk.admin)
    client.get("/api/admin/users")  # warm the caches of the sign-in

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/admin/users", {"limit": 100}).status_code == 200
        return len(captured)

    before = queries()
    # when 15 more users with tickets appear
    for i in range(15):
        desk.assigned(by=make_user(desk.tenant, "user", username=f"u{i}"))
    # then listing them all costs the same number of queries
    after = queries()
    assert after == before
