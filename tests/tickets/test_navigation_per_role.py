"""The sidebar offers each role only pages it can use (issue 13): a requester's whole view is
their own tickets, so "All tickets" and "Unassigned" are staff entries; the pages behind them
refuse a requester (403) or send them to their own list instead of showing a queue they cannot
work."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STAFF_ENTRIES = {"tickets:list", "tickets:unassigned"}


def sidebar_entries(client, user) -> set[str]:
    client.force_login(user)
    html = client.get(reverse("portal:dashboard")).content.decode()
    nav = html.split('<nav class="nav">')[1].split("</nav>")[0]
    return set(re.findall(r'data-nav="([\w:-]+)"', nav))


def test_requester_sidebar_has_no_staff_queues(client, desk):
    entries = sidebar_entries(client, desk.requester)
    assert {"tickets:mine", "tickets:create"} <= entries
    assert not STAFF_ENTRIES & entries


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_staff_sidebars_keep_the_queues(client, desk, role):
    assert STAFF_ENTRIES | {"tickets:mine"} <= sidebar_entries(client, getattr(desk, role))


def test_unassigned_queue_refuses_a_requester_with_the_403_page(client, desk):
    desk.ticket(title="别人排队的工单", by=desk.other_requester)
    client.force_login(desk.requester)
    response = client.get(reverse("tickets:unassigned"))
    assert response.status_code == 403
    body = response.content.decode()
    assert "/static/css/portal.css" in body and "别人排队的工单" not in body


def test_all_tickets_sends_a_requester_to_their_own_list_with_filters_kept(client, desk):
    mine = desk.ticket(title="我的打印机")
    desk.ticket(title="别人的工单", by=desk.other_requester)
    client.force_login(desk.requester)
    response = client.get(reverse("tickets:list"), {"q": "打印机"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("tickets:mine") + "?q=")
    page = client.get(response["Location"]).content.decode()
    assert mine.number in page and "别人的工单" not in page


def test_every_entry_a_role_is_offered_opens(client, desk):
    for role in ("requester", "agent"):
        user = getattr(desk, role)
        for name in sidebar_entries(client, user) - {"portal:dashboard"}:
            response = client.get(reverse(name))
            assert response.status_code == 200, (role, name, response.status_code)
