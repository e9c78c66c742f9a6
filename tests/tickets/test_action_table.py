"""The action table (``tickets.actions``) is the one description of a ticket action for the
detail page and both APIs: for every action a page and an API both offer, the same people are
accepted and refused through either, an accepted call leaves the ticket in the same state, and
a refused one changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets.actions import TICKET_ACTIONS
from tickets.api.desk import DeskTicketViewSet
from tickets.api.v1 import V1TicketViewSet
from tickets.choices import TicketStatus as S
from tickets.models import Ticket, TicketAttachment, TicketComment, TicketHistory

pytestmark = pytest.mark.django_db

ACTORS = ("requester", "assignee", "other_agent", "supervisor", "admin", "other_tenant")


def _file():
    return SimpleUploadedFile("log.txt", "超时\n".encode())


# (page action, ticket state, page input, [(API path, API input)], who is accepted)
# "{agent2}" stands for the other agent of the ticket's tenant.
CASES = [
    ("accept", S.ASSIGNED, {}, [("/api/v1/tickets/{id}/accept", {})], {"assignee"}),
    ("reject", S.ASSIGNED, {"note": "忙"}, [("/api/v1/tickets/{id}/reject", {"reason": "忙"})], {"assignee"}),
    (
        "start",
        S.ASSIGNED,
        {},
        [("/api/v1/tickets/{id}/start", {}), ("/api/tickets/{id}/status", {"status": "in_progress"})],
        {"assignee"},
    ),
    (
        "pause",
        S.IN_PROGRESS,
        {},
        [("/api/v1/tickets/{id}/pause", {}), ("/api/tickets/{id}/status", {"status": "pending"})],
        {"assignee"},
    ),
    (
        "resolve",
        S.IN_PROGRESS,
        {"note": "好了"},
        [
            ("/api/v1/tickets/{id}/resolve", {"solution": "好了"}),
            ("/api/tickets/{id}/status", {"status": "resolved", "resolution_notes": "好了"}),
        ],
        {"assignee", "supervisor", "admin"},
    ),
    (
        "close",
        S.RESOLVED,
        {},
        [("/api/v1/tickets/{id}/close", {}), ("/api/tickets/{id}/status", {"status": "closed"})],
        {"requester", "assignee", "supervisor", "admin"},
    ),
    (
        "cancel",
        S.ASSIGNED,
        {},
        [("/api/tickets/{id}/status", {"status": "cancelled"})],
        {"requester", "supervisor", "admin"},
    ),
    (
        "assign",
        S.ASSIGNED,
        {"assignee": "{agent2}"},
        [
            ("/api/v1/tickets/{id}/assign", {"assigned_to": "{agent2}"}),
            ("/api/tickets/{id}/assign", {"assigned_to_id": "{agent2}"}),
        ],
        {"assignee", "supervisor", "admin"},
    ),
    (
        "transfer",
        S.IN_PROGRESS,
        {"transfer-assignee": "{agent2}"},
        [("/api/tickets/{id}/transfer", {"assigned_to_id": "{agent2}"})],
        {"assignee", "supervisor", "admin"},
    ),
    (
        "escalate",
        S.ASSIGNED,
        {"reason": "VIP"},
        [("/api/tickets/{id}/escalate", {"reason": "VIP"})],
        {"assignee", "supervisor", "admin"},
    ),
    (
        "comment",
        S.ASSIGNED,
        {"content": "你好"},
        [("/api/v1/tickets/{id}/comments", {"content": "你好"})],
        {"requester", "assignee", "supervisor", "admin"},
    ),
    (
        "comment",
        S.ASSIGNED,
        {"content": "内部", "is_internal": "on"},
        [("/api/v1/tickets/{id}/comments", {"content": "内部", "type": "internal"})],
        {"assignee", "supervisor", "admin"},
    ),
    (
        "upload",
        S.ASSIGNED,
        {"file": _file},
        [("/api/v1/tickets/{id}/attachments", {"file": _file})],
        {"requester", "assignee", "supervisor", "admin"},
    ),
]


def _ticket_in(desk, state):
    return {S.ASSIGNED: desk.assigned, S.IN_PROGRESS: desk.in_progress, S.RESOLVED: desk.resolved}[state]()


def _actor(name, desk, other_desk):
    return {
        "requester": desk.requester,
        "assignee": desk.agent,
        "other_agent": desk.other_agent,
        "supervisor": desk.supervisor,
        "admin": desk.admin,
        "other_tenant": other_desk.admin,
    }[name]


def _fill(data: dict, desk) -> dict:
    def value(v):
        if v == "{agent2}":
            return desk.other_agent.pk
        return v() if callable(v) else v

    return {k: value(v) for k, v in data.items()}


def state_of(ticket):
    """What an action changes: the ticket's workflow fields and how many history rows,
    comments and attachments it has."""
    fresh = Ticket.all_objects.get(pk=ticket.pk)
    return (
        {
            f: getattr(fresh, f)
            for f in ("status", "assigned_to_id", "priority", "is_escalated", "resolution_notes", "rating")
        },
        fresh.accepted_at is not None,
        TicketHistory.objects.filter(ticket=ticket).count(),
        TicketComment.objects.filter(ticket=ticket).count(),
        TicketAttachment.objects.filter(ticket=ticket).count(),
    )


def _through_page(client, user, ticket, action, data):
    client.force_login(user)
    response = client.post(reverse("tickets:action", args=[ticket.pk, action]), data)
    if response.status_code != 302:  # 404 (not visible) or the "gone" page
        return False
    levels = {m.level for m in get_messages(response.wsgi_request)}
    assert levels in ({constants.SUCCESS}, {constants.ERROR}), levels
    return levels == {constants.SUCCESS}


def _through_api(api, user, ticket, path, data):
    multipart = any(hasattr(v, "read") for v in data.values())
    response = api(user).post(path.format(id=ticket.pk), data, format="multipart" if multipart else "json")
    assert response.status_code in (200, 400, 403, 404), response.content[:300]
    return response.status_code == 200


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize(
    ("action", "state", "page_input", "api_calls", "accepted"),
    CASES,
    ids=[f"{c[0]}{'-internal' if 'is_internal' in c[2] else ''}" for c in CASES],
)
def test_page_and_api_accept_and_refuse_alike(
    client, api, desk, other_desk, settings, tmp_path, actor, action, state, page_input, api_calls, accepted
):
    settings.MEDIA_ROOT = tmp_path
    user = _actor(actor, desk, other_desk)
    # given a ticket in ``state``, filed by the requester and assigned to the assignee
    ticket = _ticket_in(desk, state)
    before = state_of(ticket)
    # when the actor takes the action on the page
    page_ok = _through_page(client, user, ticket, action, _fill(page_input, desk))
    page_after = state_of(ticket)
    # then it is accepted exactly for the people the workflow allows, and a refusal changed nothing
    assert page_ok == (actor in accepted)
    if not page_ok:
        assert page_after == before
    for path, body in api_calls:
        # and each API that offers the action answers the same, with the same effect
        twin = _ticket_in(desk, state)
        assert state_of(twin)[:2] == before[:2]
        api_ok = _through_api(api, user, twin, path, _fill(body, desk))
        assert api_ok == page_ok, path
        twin_after = state_of(twin)
        assert twin_after[0]["status"] == page_after[0]["status"], path
        assert twin_after[0]["assigned_to_id"] == page_after[0]["assigned_to_id"], path
        assert twin_after[1:] == page_after[1:], path


def test_every_api_binding_is_routed_with_the_tables_permission():
    for viewset, contract in ((V1TicketViewSet, "v1"), (DeskTicketViewSet, "desk")):
        bound = {a.name for a in TICKET_ACTIONS.values() if getattr(a, contract) is not None}
        assert set(viewset.ticket_actions.values()) == bound, contract
        for route, name in viewset.ticket_actions.items():
            assert viewset.required_permissions[route] == TICKET_ACTIONS[name].permission


def test_page_refuses_actions_it_does_not_bind(client, desk):
    # given an assigned ticket and a supervisor who may change its status
    ticket = desk.assigned()
    before = state_of(ticket)
    client.force_login(desk.supervisor)
    # when they post an API-only action, or a name the table does not know
    for action in ("status", "delete", "nonsense"):
        response = client.post(reverse("tickets:action", args=[ticket.pk, action]), {"status": "resolved"})
        # then the page answers 404 and nothing changed
        assert response.status_code == 404, action
    assert state_of(ticket) == before
