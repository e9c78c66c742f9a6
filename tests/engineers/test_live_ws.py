"""``engineer_status_changed`` over ``/api/ws``: the public fields only, to users of the tenant
holding ``engineer:read``; not to requesters, not to another tenant, nothing on a refused call."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from engineers.events import PUBLIC_FIELDS
from portal.routing import websocket_urlpatterns
from tests.conftest import bearer_for

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


async def status_events(communicator, timeout=0.5):
    seen = []
    while not await communicator.receive_nothing(timeout=timeout):
        message = await communicator.receive_json_from()
        if message["type"] == "engineer_status_changed":
            seen.append(message)
    return seen


async def test_status_change_reaches_engineer_readers_only(crew, api, make_user, tenant_b, in_memory_layer):
    foreign = await sync_to_async(make_user)(tenant_b, "admin", username="b_admin")
    people = {"colleague": crew.colleague.user, "supervisor": crew.supervisor, "requester": crew.requester,
              "foreign": foreign}  # fmt: skip
    sockets = {name: await connect(user) for name, user in people.items()}
    try:
        client = await sync_to_async(api)(crew.engineer.user)
        refused = await sync_to_async(client.put)(
            f"/api/v1/engineers/{crew.colleague.pk}/status", {"online_status": "busy"}, format="json"
        )
        assert refused.status_code == 403
        response = await sync_to_async(client.put)(
            f"/api/v1/engineers/{crew.engineer.pk}/status",
            {"online_status": "busy", "status_message": "现场支持"},
            format="json",
        )
        assert response.status_code == 200
        for name in ("colleague", "supervisor"):
            events = await status_events(sockets[name])
            assert len(events) == 1, name
            data = events[0]["data"]
            assert set(data) == set(PUBLIC_FIELDS)
            assert (data["engineer_id"], data["online_status"], data["status_message"]) == (
                crew.engineer.pk, "busy", "现场支持",
            )  # fmt: skip
        for name in ("requester", "foreign"):
            assert await status_events(sockets[name]) == [], name
    finally:
        for socket in sockets.values():
            await socket.disconnect()
