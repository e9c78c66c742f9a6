"""The ``total`` of a keyword-filtered ticket list is the real number of matches the caller may
see, up to ``COUNT_CAP``: for every role, in both APIs and the HTML list, for one-, two- and
longer queries (gram and trigram indexes on PostgreSQL, plain LIKE elsewhere), alone and with
a status filter. Matches in another tenant, deleted tickets and tickets the caller may not see
never count."""

from __future__ import annotations

import math

import pytest
from django.db import connection

from tests.tickets.conftest import _cast
from tickets import models, selectors, services
from tickets.filtersets import SEARCH_FIELDS, search_q
from tickets.models import Ticket

ROLES = ["supervisor", "admin", "agent", "other_agent", "requester", "other_requester"]
QUERIES = ["网", "网络", "vp", "Vp", "网络设备", "络中", "13", "zz"]


@pytest.fixture
def cast(tenant_a, tenant_b, make_user):
    """Matches in every searched field, held by every kind of owner; non-matches; a deleted
    match; another tenant's matches."""
    desk = _cast(tenant_a, make_user, "a_")
    other = _cast(tenant_b, make_user, "b_")
    other.ticket(title="网络中断 VPN", description="网络设备")  # another tenant: never counted
    other.ticket(by=other.requester, customer_name="网络部", customer_phone="13800000000")

    desk.ticket(title="网络中断", description="无")  # requester's, unassigned, new
    desk.in_progress(title="其它", description="机房网络设备故障")  # requester's, the agent's
    desk.ticket(by=desk.other_requester, title="其它", description="无", customer_name="网络部")
    filed = desk.ticket(by=desk.agent, title="vpn 断开", description="无", customer_company="网科技")
    services.ticket_assign(ticket=filed, by=desk.supervisor, assignee=desk.other_agent)  # filed by agent
    desk.assigned(to=desk.other_agent, title="VPN 网关", description="无", customer_phone="13912345678")
    desk.assigned(to=desk.other_agent, title="打印机", description="无")  # matches none of the words
    desk.in_progress(title="打印机卡纸", description="网络正常", customer_email="it13@example.com")
    gone = desk.ticket(title="网络 已删除", description="网络设备")
    services.ticket_delete(ticket=gone, by=desk.admin)
    return desk


def _matches(user, text: str, statuses=None) -> set[int]:
    """What the caller may see that contains ``text`` in a searched field, computed in Python."""
    needle = text.upper()
    found = set()
    for ticket in selectors.tickets_for(user):
        if statuses is not None and ticket.status not in statuses:
            continue
        if any(needle in str(getattr(ticket, field) or "").upper() for field in SEARCH_FIELDS):
            found.add(ticket.pk)
    return found


@pytest.mark.parametrize("role", ROLES)
def test_keyword_totals_equal_the_real_matches_for_every_role(cast, api, client, role):
    user = getattr(cast, role)
    rest = api(user)
    client.force_login(user)
    assert _matches(cast.supervisor, "网络") and _matches(cast.supervisor, "vp")  # the cast has matches
    for text in QUERIES:
        expected = _matches(user, text)
        v1 = rest.get("/api/v1/tickets", {"keyword": text, "size": 100}).json()["data"]
        assert v1["total"] == len(expected), text
        assert {t["id"] for t in v1["items"]} == expected, text
        desk = rest.get("/api/tickets", {"search": text, "limit": 100}).json()
        assert desk["pagination"]["total"] == len(expected), text
        assert {t["id"] for t in desk["data"]} == expected, text
        page = client.get("/tickets/", {"q": text}, follow=True)  # requesters land on their own list
        assert page.status_code == 200
        assert page.context["page"].paginator.count == len(expected), text


@pytest.mark.parametrize("role", ["supervisor", "agent", "requester"])
def test_keyword_and_status_totals_equal_the_real_matches(cast, api, role):
    user = getattr(cast, role)
    rest = api(user)
    for text in ("网络", "网", "网络设备"):
        expected = _matches(user, text, statuses={"in_progress"})
        body = rest.get("/api/v1/tickets", {"keyword": text, "status": "in_progress", "size": 100}).json()
        assert body["data"]["total"] == len(expected), text
        assert {t["id"] for t in body["data"]["items"]} == expected, text


@pytest.mark.parametrize("role", ROLES)
def test_keyword_totals_stop_at_the_cap_and_pages_follow(cast, api, role, monkeypatch):
    monkeypatch.setattr(models, "COUNT_CAP", 2)
    user = getattr(cast, role)
    rest = api(user)
    for text in ("网络", "网", "vp", "网络设备"):
        expected = _matches(user, text)
        total = min(len(expected), 2)
        v1 = rest.get("/api/v1/tickets", {"keyword": text, "size": 100}).json()["data"]
        assert v1["total"] == total, text
        assert {t["id"] for t in v1["items"]} == expected, text  # rows beyond the cap are still listed
        desk = rest.get("/api/tickets", {"search": text, "limit": 1}).json()["pagination"]
        assert (desk["total"], desk["pages"]) == (total, math.ceil(total / 1)), text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram indexes exist on PostgreSQL only")
def test_a_short_keyword_count_does_not_recompute_grams_per_row(cast):
    """The gram test is answered by the indexes (the bitmap's condition, rechecked only on
    lossy pages); the rows' filter is the exact ``STRPOS`` alone. In the filter, the grams of
    every matching row were computed again (~30 µs each: 300 ms for a count of 10,000)."""
    # nothing but the search condition, so that no other index competes for the plan
    queryset = Ticket.all_objects.filter(search_q("网络")).order_by().values("pk")
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")  # the bitmap plan a large match gets
        cursor.execute("EXPLAIN " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
    assert any("BitmapOr" in line for line in plan), plan
    filters = [line for line in plan if "Filter:" in line]
    assert filters and not any("search_grams" in line for line in filters), plan
