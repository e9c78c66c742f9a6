"""Ticket events → notifications: who is told what, the actor never, internal notes never to
the requester, and a rolled-back change leaves no notification."""

from __future__ import annotations

import pytest
from django.db import transaction

from portal.notifications.models import Notification
from portal.notifications.services import preferences_update
from tickets import services

pytestmark = pytest.mark.django_db


def told(user, type=None):
    rows = Notification.objects.filter(recipient=user)
    if type:
        rows = rows.filter(type=type)
    return list(rows.values_list("type", flat=True))


def test_assign_notifies_the_new_assignee_only(desk):
    # given a new ticket filed by the requester
    ticket = desk.ticket()
    # when the supervisor assigns it to the agent
    services.ticket_assign(ticket=ticket, by=desk.supervisor, assignee=desk.agent)
    # then the agent is told, and nobody else about the assignment
    assert told(desk.agent) == ["ticket_assigned"]
    assert told(desk.supervisor) == []
    assert told(desk.other_agent) == []
    note = Notification.objects.get(recipient=desk.agent)
    assert note.ticket_id == ticket.pk and ticket.number in note.message


def test_transfer_notifies_the_new_assignee(desk):
    ticket = desk.assigned()
    services.ticket_transfer(ticket=ticket, by=desk.supervisor, assignee=desk.other_agent)
    assert told(desk.other_agent) == ["ticket_assigned"]


def test_self_assignment_notifies_nobody(desk):
    # the actor is never told about what they did
    ticket = desk.ticket()
    services.ticket_assign(ticket=ticket, by=desk.agent, assignee=desk.agent)
    assert told(desk.agent) == []


def test_status_change_notifies_the_requester_not_the_actor(desk):
    ticket = desk.assigned()
    services.ticket_transition(ticket=ticket, to="in_progress", by=desk.agent)
    assert told(desk.requester, "ticket_updated") == ["ticket_updated"]
    assert told(desk.agent, "ticket_updated") == []
    note = Notification.objects.get(recipient=desk.requester, type="ticket_updated")
    assert note.data["status"] == "in_progress"


def test_requester_cancelling_their_own_ticket_is_not_told(desk):
    ticket = desk.ticket()
    services.ticket_transition(ticket=ticket, to="cancelled", by=desk.requester)
    assert told(desk.requester) == []


def test_public_comment_by_staff_reaches_the_requester(desk):
    ticket = desk.assigned()
    services.comment_create(ticket=ticket, by=desk.agent, content="请重启试试")
    assert told(desk.requester, "comment_added") == ["comment_added"]
    assert told(desk.agent, "comment_added") == []


def test_public_comment_by_requester_reaches_the_assignee(desk):
    ticket = desk.assigned()
    services.comment_create(ticket=ticket, by=desk.requester, content="还是不行")
    assert told(desk.agent, "comment_added") == ["comment_added"]
    assert told(desk.requester, "comment_added") == []


def test_internal_note_never_reaches_the_requester(desk):
    ticket = desk.assigned()
    # when the supervisor writes an internal note
    services.comment_create(ticket=ticket, by=desk.supervisor, content="客户很急", is_internal=True)
    # then the assignee (staff) is told, the requester never
    assert told(desk.agent, "comment_added") == ["comment_added"]
    assert told(desk.requester) == []


def test_preferences_are_respected(desk):
    preferences_update(user=desk.agent, changes=[{"type": "ticket_assigned", "in_app": False}])
    services.ticket_assign(ticket=desk.ticket(), by=desk.supervisor, assignee=desk.agent)
    assert told(desk.agent) == []


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_leaves_no_notification(desk, captured_events):
    ticket = desk.ticket()
    captured_events.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.ticket_assign(ticket=ticket, by=desk.supervisor, assignee=desk.agent)
        raise RuntimeError("boom")
    assert told(desk.agent) == []
    assert captured_events == []
