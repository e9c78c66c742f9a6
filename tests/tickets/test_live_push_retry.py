"""Issue 15, point 7: during a Redis outage ticket changes keep working, and the
``ticket_updated`` pushes that could not be sent reach the integrators' sockets that stayed
open once Redis is back (by the live-push retry job), once each and only to who may see them."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from portal import realtime
from portal.asgi import application
from portal.models import LivePush
from portal.notifications.models import Delivery, DeliveryStatus
from tests.conftest import bearer_for
from tests.ws_support import clean_layer, close_executor_connections  # noqa: F401
from tickets.models import Ticket

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_down(monkeypatch):
    """Makes the channel layer refuse every send until ``monkeypatch.undo()``."""

    async def refuse(group, message):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def begin():
        monkeypatch.setattr(get_channel_layer(), "group_send", refuse)

    return begin


async def connect(user):
    token = await sync_to_async(bearer_for)(user)
    communicator = WebsocketCommunicator(application, f"/api/ws?token={token}")
    connected, _ = await communicator.connect(timeout=3)
    assert connected
    assert (await communicator.receive_json_from(timeout=3))["type"] == "connected"
    return communicator


async def ticket_updates(communicator, timeout=0.5):
    seen = []
    while not await communicator.receive_nothing(timeout=timeout):
        message = await communicator.receive_json_from()
        if message["type"] == "ticket_updated":
            seen.append(message["data"])
    return seen


async def test_pushes_refused_during_an_outage_reach_open_sockets_once_afterwards(
    desk, other_desk, api, redis_down, monkeypatch
):
    ticket = await sync_to_async(desk.assigned)()
    # Given integrators' sockets that stay open through the outage
    sockets = {
        "requester": await connect(desk.requester),
        "supervisor": await connect(desk.supervisor),
        "other_requester": await connect(desk.other_requester),
        "foreign_admin": await connect(other_desk.admin),
    }
    try:
        # When Redis goes down and the agent starts and then pauses work through the desk API
        redis_down()
        client = await sync_to_async(api)(desk.agent)
        for status in ("in_progress", "pending"):
            response = await sync_to_async(client.post)(
                f"/api/tickets/{ticket.pk}/status", {"status": status}, format="json"
            )
            # Then each request still succeeds and the change is stored
            assert response.status_code == 200, response.content
        assert (await sync_to_async(Ticket.objects.get)(pk=ticket.pk)).status == "paused"
        # And the pushes are kept (to the tenant's group), not sent
        groups = await sync_to_async(lambda: list(LivePush.objects.values_list("group", flat=True)))()
        assert groups == [realtime.tenant_group(desk.tenant.pk)] * 2
        assert await ticket_updates(sockets["supervisor"], timeout=0.3) == []
        # And the requester's notifications wait in their own outbox, not in the live-push one
        pending = Delivery.objects.filter(notification__recipient=desk.requester, status=DeliveryStatus.PENDING)
        assert await sync_to_async(pending.count)() == 2

        # When Redis is back and the live-push retry job runs
        monkeypatch.undo()
        assert (await database_sync_to_async(realtime.resend_live_pushes)()).sent == 2
        await sync_to_async(ticket.refresh_from_db)()
        # Then who may see the ticket gets both updates, in order, once, in the documented shape
        for name in ("requester", "supervisor"):
            updates = await ticket_updates(sockets[name])
            assert [u["status"] for u in updates] == ["in_progress", "pending"], name
            assert updates[-1] == {
                "ticket_id": ticket.pk,
                "ticket_number": ticket.number,
                "status": "pending",
                "updated_by": {"id": desk.agent.pk, "username": desk.agent.username},
                "updated_at": ticket.updated_at.isoformat().replace("+00:00", "Z"),
            }
        # And nobody who may not see it, nor another tenant, hears anything
        for name in ("other_requester", "foreign_admin"):
            assert await ticket_updates(sockets[name]) == [], name
        # And a second run sends nothing again
        assert (await database_sync_to_async(realtime.resend_live_pushes)()).sent == 0
        assert await ticket_updates(sockets["supervisor"], timeout=0.3) == []
    finally:
        for communicator in sockets.values():
            await communicator.disconnect()


async def test_a_change_that_rolls_back_during_an_outage_keeps_nothing(desk, redis_down):
    from django.db import transaction

    from tickets import services

    ticket = await sync_to_async(desk.assigned)()
    redis_down()

    def failing_change():
        with transaction.atomic():
            services.ticket_transition(ticket=ticket, to="in_progress", by=desk.agent)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await sync_to_async(failing_change)()
    assert await sync_to_async(LivePush.objects.count)() == 0
    assert (await sync_to_async(Ticket.objects.get)(pk=ticket.pk)).status == "assigned"
