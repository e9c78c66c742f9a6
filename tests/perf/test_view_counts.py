"""A GET of a ticket never writes: views are counted once per viewer and window in a buffer,
shown with the ticket at once, and written in batches by the beat job."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tickets.conftest import _cast
from tickets.models import Ticket
from tickets.tasks import flush_view_counts


@pytest.fixture
def desk(tenant_a, make_user):
    return _cast(tenant_a, make_user, "a_")


def test_views_are_buffered_once_per_viewer_and_flushed_in_batches(desk, api):
    ticket = desk.assigned()
    other = desk.ticket()
    sup, requester = api(desk.supervisor), api(desk.requester)
    # When the supervisor reads the ticket three times (desk, v1, desk)
    with CaptureQueriesContext(connection) as queries:
        assert sup.get(f"/api/tickets/{ticket.pk}").json()["data"]["view_count"] == 1
        assert sup.get(f"/api/v1/tickets/{ticket.pk}").json()["data"]["view_count"] == 1
        assert sup.get(f"/api/tickets/{ticket.pk}").json()["data"]["view_count"] == 1
    # Then nothing was written, and the view counted once
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert Ticket.objects.get(pk=ticket.pk).view_count == 0
    # When the requester reads it too, and the other ticket once
    assert requester.get(f"/api/tickets/{ticket.pk}").json()["data"]["view_count"] == 2
    sup.get(f"/api/tickets/{other.pk}")
    # Then the beat job writes both tickets' views, and the buffer is empty afterwards
    assert flush_view_counts() == 2
    assert Ticket.objects.get(pk=ticket.pk).view_count == 2
    assert Ticket.objects.get(pk=other.pk).view_count == 1
    assert flush_view_counts() == 0
    # And a view within the window still does not count again
    assert sup.get(f"/api/tickets/{ticket.pk}").json()["data"]["view_count"] == 2
    assert flush_view_counts() == 0


def test_the_portal_page_counts_views_the_same_way(desk, client):
    ticket = desk.ticket()
    client.force_login(desk.supervisor)
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 200
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).view_count == 0
    flush_view_counts()
    assert Ticket.objects.get(pk=ticket.pk).view_count == 1
