"""Ticket lists whose cost does not grow with the table: the ``total`` of a whole or
status-filtered list comes from the roll-up counters and is exact for every role; a list
filtered otherwise counts up to ``COUNT_CAP``; a deep page equals the plain offset page; list
queries never fetch the users' password hashes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tickets.conftest import _cast
from tickets import models, selectors, services


@pytest.fixture
def desk(tenant_a, make_user):
    return _cast(tenant_a, make_user, "a_")


@pytest.fixture
def populated(desk, tenant_b, make_user):
    other = _cast(tenant_b, make_user, "b_")
    other.ticket()  # another tenant's ticket never counts
    tickets = []
    for n in range(6):
        tickets.append(desk.ticket(title=f"打印机 {n}", by=desk.requester if n % 2 else desk.agent))
    services.ticket_assign(ticket=tickets[0], by=desk.supervisor, assignee=desk.other_agent)  # filed by agent
    services.ticket_assign(ticket=tickets[1], by=desk.supervisor, assignee=desk.agent)
    services.ticket_assign(ticket=tickets[2], by=desk.supervisor, assignee=desk.other_agent)
    services.ticket_transition(ticket=tickets[1], to="in_progress", by=desk.agent)
    services.ticket_delete(ticket=tickets[5], by=desk.admin)
    return desk


@pytest.mark.parametrize("role", ["supervisor", "admin", "agent", "other_agent", "requester"])
@pytest.mark.parametrize(
    ("desk_query", "v1_query"),
    [("", ""), ("status=open", "status=pending"), ("status=in_progress,closed", "status=in_progress,closed")],
)
def test_counter_totals_are_exact_for_every_role(populated, api, role, desk_query, v1_query):
    user = getattr(populated, role)
    client = api(user)
    desk_body = client.get(f"/api/tickets?limit=100&{desk_query}").json()
    v1_body = client.get(f"/api/v1/tickets?size=100&{v1_query}").json()
    # The counter totals equal the number of rows the list really has
    assert desk_body["pagination"]["total"] == len(desk_body["data"])
    assert v1_body["data"]["total"] == len(v1_body["data"]["items"])


def test_filtered_totals_are_capped_and_exact_below_the_cap(populated, api, monkeypatch):
    client = api(populated.supervisor)
    assert client.get("/api/tickets?search=打印机").json()["pagination"]["total"] == 5
    monkeypatch.setattr(models, "COUNT_CAP", 3)
    body = client.get("/api/tickets?search=打印机&limit=2").json()
    assert body["pagination"]["total"] == 3 and body["pagination"]["pages"] == 2
    # an unfiltered list stays exact whatever the cap
    assert client.get("/api/tickets").json()["pagination"]["total"] == 5


def test_deep_pages_equal_the_offset_pages(populated, api, monkeypatch):
    client = api(populated.supervisor)
    plain = [t["id"] for t in client.get("/api/tickets?limit=2&page=2&sort=priority").json()["data"]]
    monkeypatch.setattr(models, "DEFERRED_PAGE_FROM", 0)  # every page through the ids first
    deferred = [t["id"] for t in client.get("/api/tickets?limit=2&page=2&sort=priority").json()["data"]]
    assert deferred == plain and len(plain) == 2
    page = client.get("/api/v1/tickets?size=2&page=3&sort=created_at&order=asc").json()["data"]
    assert len(page["items"]) == 1 and page["total"] == 5


def test_list_queries_do_not_fetch_password_hashes(populated, api):
    client = api(populated.supervisor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/tickets").status_code == 200
        assert client.get("/api/v1/tickets").status_code == 200
    ticket_selects = [q["sql"] for q in queries.captured_queries if 'FROM "tickets_ticket"' in q["sql"]]
    assert ticket_selects and not any('"password"' in sql for sql in ticket_selects)


def test_html_list_pages_and_counts_through_the_counters(populated, client):
    client.force_login(populated.supervisor)
    response = client.get("/tickets/?size=20")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 5
    assert selectors.tickets_for(populated.supervisor).count() == 5
