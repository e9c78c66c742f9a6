"""WebSocket push: the ``notification`` message reaches the recipient's sockets and nobody
else's (same tenant or another tenant)."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import connections

from portal.notifications.services import notify
from portal.notifications.tasks import deliver_notification
from portal.routing import websocket_urlpatterns
from tests.conftest import bearer_for


async def connect(user):
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/api/ws?token={bearer_for(user)}")
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from(timeout=2)
    assert hello["type"] == "connected" and hello["data"]["user_id"] == user.pk
    return communicator


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_push_reaches_only_the_recipients_socket(tenant_a, tenant_b, make_user, in_memory_layer):
    alice = await sync_to_async(make_user)(tenant_a, "agent", username="alice")
    bob = await sync_to_async(make_user)(tenant_a, "agent", username="bob")
    carol = await sync_to_async(make_user)(tenant_b, "admin", username="carol")
    sockets = {"alice": await connect(alice), "bob": await connect(bob), "carol": await connect(carol)}
    try:
        # when alice is assigned a ticket and the worker delivers
        notification = await sync_to_async(notify)(
            recipient=alice,
            type="ticket_assigned",
            title="工单已分配",
            message="工单 TK-2025-001 已分配给您",
            ticket_id=1,
        )
        await sync_to_async(deliver_notification)(notification.pk)
        # then alice's socket gets the documented message
        message = await sockets["alice"].receive_json_from(timeout=2)
        assert message == {
            "type": "notification",
            "data": {
                "id": notification.pk,
                "type": "ticket_assigned",
                "title": "工单已分配",
                "message": "工单 TK-2025-001 已分配给您",
                "ticket_id": 1,
                "created_at": notification.created_at.isoformat().replace("+00:00", "Z"),
            },
        }
        # and neither bob (same tenant) nor carol (another tenant) hears of it
        assert await sockets["bob"].receive_nothing(timeout=0.3)
        assert await sockets["carol"].receive_nothing(timeout=0.3)
        # and delivering again (a redelivered task) sends nothing more
        await sync_to_async(deliver_notification)(notification.pk)
        assert await sockets["alice"].receive_nothing(timeout=0.3)
    finally:
        for communicator in sockets.values():
            await communicator.disconnect()
        await sync_to_async(connections.close_all)()  # the executor thread's connection
