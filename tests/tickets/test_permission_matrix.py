"""The permission matrix of every ticket endpoint: anonymous (401), another tenant's admin
(404), the requester, an agent not assigned to the ticket, the assignee and a supervisor.
Every refused call leaves the ticket exactly as it was."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.choices import TicketStatus as S
from tickets.models import Ticket, TicketComment, TicketHistory

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "other_tenant", "requester", "other_agent", "assignee", "supervisor"]

# (method, path, body, ticket state, expected status per actor in ACTORS order)
MATRIX = [
    ("get", "/api/tickets/{id}", None, S.ASSIGNED, [401, 404, 200, 404, 200, 200]),
    ("put", "/api/tickets/{id}", {"title": "改"}, S.ASSIGNED, [401, 404, 403, 404, 200, 200]),
    ("delete", "/api/tickets/{id}", None, S.ASSIGNED, [401, 404, 403, 403, 403, 200]),  # code checked first
    ("post", "/api/tickets/{id}/assign", {"assigned_to_id": "{agent2}"}, S.ASSIGNED, [401, 404, 403, 404, 200, 200]),
    (
        "post",
        "/api/tickets/{id}/transfer",
        {"assigned_to_id": "{agent2}"},
        S.IN_PROGRESS,
        [401, 404, 403, 404, 200, 200],
    ),
    ("post", "/api/tickets/{id}/escalate", {"reason": "VIP"}, S.ASSIGNED, [401, 404, 403, 404, 200, 200]),
    ("post", "/api/tickets/{id}/status", {"status": "in_progress"}, S.ASSIGNED, [401, 404, 403, 404, 200, 403]),
    ("post", "/api/tickets/{id}/status", {"status": "resolved"}, S.IN_PROGRESS, [401, 404, 403, 404, 200, 200]),
    ("post", "/api/tickets/{id}/status", {"status": "closed"}, S.RESOLVED, [401, 404, 200, 404, 200, 200]),
    ("get", "/api/tickets/{id}/history", None, S.ASSIGNED, [401, 404, 200, 404, 200, 200]),
    ("get", "/api/v1/tickets/{id}", None, S.ASSIGNED, [401, 404, 200, 404, 200, 200]),
    ("put", "/api/v1/tickets/{id}", {"title": "改"}, S.ASSIGNED, [401, 404, 403, 404, 200, 200]),
    ("delete", "/api/v1/tickets/{id}", None, S.ASSIGNED, [401, 404, 403, 403, 403, 200]),
    ("post", "/api/v1/tickets/{id}/assign", {"assigned_to": "{agent2}"}, S.ASSIGNED, [401, 404, 403, 404, 200, 200]),
    ("post", "/api/v1/tickets/{id}/accept", None, S.ASSIGNED, [401, 404, 403, 404, 200, 403]),
    ("post", "/api/v1/tickets/{id}/reject", {"reason": "忙"}, S.ASSIGNED, [401, 404, 403, 404, 200, 403]),
    ("post", "/api/v1/tickets/{id}/start", None, S.ASSIGNED, [401, 404, 403, 404, 200, 403]),
    ("post", "/api/v1/tickets/{id}/pause", None, S.IN_PROGRESS, [401, 404, 403, 404, 200, 403]),
    ("post", "/api/v1/tickets/{id}/resolve", {"solution": "好了"}, S.IN_PROGRESS, [401, 404, 403, 404, 200, 200]),
    ("post", "/api/v1/tickets/{id}/close", None, S.RESOLVED, [401, 404, 200, 404, 200, 200]),
    ("get", "/api/v1/tickets/{id}/comments", None, S.ASSIGNED, [401, 404, 200, 404, 200, 200]),
    ("post", "/api/v1/tickets/{id}/comments", {"content": "你好"}, S.ASSIGNED, [401, 404, 200, 404, 200, 200]),
    (
        "post",
        "/api/v1/tickets/{id}/comments",
        {"content": "内部", "type": "internal"},
        S.ASSIGNED,
        [401, 404, 403, 404, 200, 200],
    ),
]

LISTS = [
    ("/api/tickets", [401, 200, 200, 200, 200, 200]),
    ("/api/tickets/stats", [401, 200, 200, 200, 200, 200]),
    ("/api/tickets/my-tickets", [401, 200, 200, 200, 200, 200]),
    ("/api/tickets/unassigned", [401, 200, 200, 200, 200, 200]),
    ("/api/tickets/overdue", [401, 200, 200, 200, 200, 200]),
    ("/api/tickets/sla-breach", [401, 200, 200, 200, 200, 200]),
    ("/api/categories", [401, 200, 200, 200, 200, 200]),
    ("/api/v1/tickets", [401, 200, 200, 200, 200, 200]),
    ("/api/v1/tickets/statistics/overview", [401, 200, 403, 403, 403, 200]),
]


def _ticket_in(desk, state):
    ticket = desk.assigned()
    if state in (S.IN_PROGRESS, S.RESOLVED):
        ticket = services.ticket_transition(ticket=ticket, to=S.IN_PROGRESS, by=desk.agent)
    if state == S.RESOLVED:
        ticket = services.ticket_transition(ticket=ticket, to=S.RESOLVED, by=desk.agent)
    return ticket


def _actor(name, desk, other_desk):
    return {
        "anonymous": None,
        "other_tenant": other_desk.admin,
        "requester": desk.requester,
        "other_agent": desk.other_agent,
        "assignee": desk.agent,
        "supervisor": desk.supervisor,
    }[name]


def snapshot(ticket):
    fresh = Ticket.all_objects.get(pk=ticket.pk)
    return (
        {
            f: getattr(fresh, f)
            for f in (
                "status",
                "assigned_to_id",
                "priority",
                "title",
                "is_deleted",
                "accepted_at",
                "is_escalated",
                "resolved_at",
                "closed_at",
            )
        },
        TicketHistory.objects.filter(ticket=ticket).count(),
        TicketComment.objects.filter(ticket=ticket).count(),
    )


@pytest.mark.parametrize("actor_index", range(len(ACTORS)), ids=ACTORS)
@pytest.mark.parametrize(
    ("method", "path", "body", "state", "expected"), MATRIX, ids=[f"{m} {p} {s}" for m, p, _b, s, _e in MATRIX]
)
def test_matrix(desk, other_desk, api, actor_index, method, path, body, state, expected):
    # given a ticket filed by the requester, assigned to the assignee, in ``state``
    ticket = _ticket_in(desk, state)
    user = _actor(ACTORS[actor_index], desk, other_desk)
    if body is not None:
        body = {k: (desk.other_agent.pk if v == "{agent2}" else v) for k, v in body.items()}
    before = snapshot(ticket)
    # when the actor calls the endpoint
    response = getattr(api(user), method)(path.format(id=ticket.pk), body, format="json")
    # then the answer is as the matrix says, and a refusal changed nothing
    assert response.status_code == expected[actor_index], response.content[:300]
    if response.status_code >= 400:
        assert snapshot(ticket) == before


@pytest.mark.parametrize("actor_index", range(len(ACTORS)), ids=ACTORS)
@pytest.mark.parametrize(("path", "expected"), LISTS, ids=[p for p, _e in LISTS])
def test_list_matrix_and_other_tenant_sees_nothing(desk, other_desk, api, actor_index, path, expected):
    ticket = _ticket_in(desk, S.ASSIGNED)
    user = _actor(ACTORS[actor_index], desk, other_desk)
    response = api(user).get(path)
    assert response.status_code == expected[actor_index]
    if ACTORS[actor_index] == "other_tenant":
        assert ticket.number not in response.content.decode()
        assert "硬件" not in response.content.decode() or path == "/api/categories"


def test_bulk_refusals_change_nothing(desk, other_desk, api):
    ticket = _ticket_in(desk, S.ASSIGNED)
    before = snapshot(ticket)
    body = {"ticket_ids": [ticket.pk], "assigned_to_id": desk.other_agent.pk}
    assert api().post("/api/tickets/bulk-assign", body, format="json").status_code == 401
    assert api(desk.requester).post("/api/tickets/bulk-assign", body, format="json").status_code == 403
    other = api(other_desk.admin).post(
        "/api/tickets/bulk-assign", {**body, "assigned_to_id": other_desk.agent.pk}, format="json"
    )
    assert other.json()["data"]["failed_tickets"][0]["error_code"] == "TICKET_NOT_FOUND"
    status = api(desk.other_agent).post(
        "/api/tickets/bulk-status", {"ticket_ids": [ticket.pk], "status": "closed"}, format="json"
    )
    assert status.json()["data"]["failed_count"] == 1
    assert snapshot(ticket) == before
