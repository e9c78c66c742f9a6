"""``ticket_updated`` over ``/api/ws``: exactly the documented data, within a second of another
user's change through the API, only to users who may see the ticket, never across tenants,
and nothing for a rolled-back change."""

from __future__ import annotations

import time

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import transaction

from portal.routing import websocket_urlpatterns
from tests.conftest import bearer_for
from tickets import services

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


async def connect(user):
    token = await sync_to_async(bearer_for)(user)
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/api/ws?token={token}")
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from(timeout=2))["type"] == "connected"
    return communicator


async def ticket_updates(communicator, timeout=0.3):
    """Every ticket_updated message that arrives within ``timeout`` (notifications ignored)."""
    seen = []
    while not await communicator.receive_nothing(timeout=timeout):
        message = await communicator.receive_json_from()
        if message["type"] == "ticket_updated":
            seen.append(message)
    return seen


async def test_status_change_reaches_who_may_see_it_within_a_second(desk, other_desk, api, in_memory_layer):
    # given an assigned ticket and sockets of everyone around it
    ticket = await sync_to_async(desk.assigned)()
    people = {
        "requester": desk.requester,
        "supervisor": desk.supervisor,
        "admin": desk.admin,
        "other_requester": desk.other_requester,  # same tenant, not on the ticket
        "other_agent": desk.other_agent,  # agent, ticket assigned to someone else
        "foreign_admin": other_desk.admin,  # another tenant
        "agent": desk.agent,  # the actor: also sees their own change
    }
    sockets = {name: await connect(user) for name, user in people.items()}
    try:
        # when the agent starts work through the desk API
        started = time.monotonic()
        client = await sync_to_async(api)(desk.agent)
        response = await sync_to_async(client.post)(
            f"/api/tickets/{ticket.pk}/status", {"status": "in_progress"}, format="json"
        )
        assert response.status_code == 200
        # then the requester gets the documented message within a second
        message = await sockets["requester"].receive_json_from(timeout=1)
        while message["type"] != "ticket_updated":
            message = await sockets["requester"].receive_json_from(timeout=1)
        assert time.monotonic() - started < 1 + 1  # the API call itself included
        await sync_to_async(ticket.refresh_from_db)()
        assert message == {
            "type": "ticket_updated",
            "data": {
                "ticket_id": ticket.pk,
                "ticket_number": ticket.number,
                "status": "in_progress",
                "updated_by": {"id": desk.agent.pk, "username": desk.agent.username},
                "updated_at": ticket.updated_at.isoformat().replace("+00:00", "Z"),
            },
        }
        # and supervisors, admins and the actor get it exactly once
        for name in ("supervisor", "admin", "agent"):
            assert len(await ticket_updates(sockets[name])) == 1, name
        # and nobody who may not see the ticket, nor another tenant, hears anything
        for name in ("other_requester", "other_agent", "foreign_admin"):
            assert await ticket_updates(sockets[name]) == [], name
    finally:
        for communicator in sockets.values():
            await communicator.disconnect()


async def test_unassigned_ticket_reaches_every_agent(desk, in_memory_layer):
    ticket = await sync_to_async(desk.ticket)()
    agent, outsider = await connect(desk.other_agent), await connect(desk.other_requester)
    try:
        await sync_to_async(services.comment_create)(ticket=ticket, by=desk.requester, content="有人吗")
        assert len(await ticket_updates(agent, timeout=1)) == 1
        assert await ticket_updates(outsider) == []
    finally:
        await agent.disconnect()
        await outsider.disconnect()


async def test_rolled_back_change_sends_nothing(desk, in_memory_layer):
    ticket = await sync_to_async(desk.assigned)()
    supervisor = await connect(desk.supervisor)

    def failing_change():
        with transaction.atomic():
            services.ticket_transition(ticket=ticket, to="in_progress", by=desk.agent)
            raise RuntimeError("rolled back")

    try:
        with pytest.raises(RuntimeError):
            await sync_to_async(failing_change)()
        assert await ticket_updates(supervisor, timeout=0.5) == []
    finally:
        await supervisor.disconnect()
