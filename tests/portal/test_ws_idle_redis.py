"""An idle ``/api/ws`` socket stays up on the Redis channel layer (issue 15, point 1).

redis-py's default read timeout (5 s) equalled channels_redis' blocking wait (5 s): every idle
socket died with 1011 after 5–16 s. Here a real daphne (another process, Redis layer,
PostgreSQL) serves sockets that stay silent for over a minute and then still receive an event
published from this process.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets
from channels.layers import get_channel_layer
from django.db import connections

from portal import realtime
from portal.redis_options import CHANNEL_LAYER_SOCKET_TIMEOUT, LAYER_BLOCKING_WAIT
from tests.conftest import bearer_for
from tests.factories import TenantFactory, UserFactory
from tests.live_server import LiveDaphneTestCase

IDLE_SECONDS = 65
SOCKETS = 3


def test_the_layer_read_timeout_stays_above_the_blocking_wait():
    from channels_redis.core import RedisChannelLayer

    # channels_redis blocks up to brpop_timeout in each receive; the client must wait longer
    assert RedisChannelLayer.brpop_timeout == LAYER_BLOCKING_WAIT
    assert CHANNEL_LAYER_SOCKET_TIMEOUT >= 3 * LAYER_BLOCKING_WAIT


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
class TestIdleSocketOnRedis(LiveDaphneTestCase):
    def test_idle_sockets_stay_open_past_a_minute_and_still_receive(self):
        # Given signed-in users with sockets open on a real daphne using the Redis layer
        tenant = TenantFactory(code="idle_ws")
        users = [UserFactory(tenant=tenant, username=f"idle{n}", roles=["user"]) for n in range(SOCKETS)]
        tokens = [bearer_for(user) for user in users]
        connections.close_all()
        url = self.live_server_url.replace("http://", "ws://") + "/api/ws"

        async def scenario():
            sockets = [await websockets.connect(f"{url}?token={token}", ping_interval=None) for token in tokens]
            try:
                for socket in sockets:
                    assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "connected"
                # When nothing is sent either way for over a minute (no pings, no heartbeats)
                started = time.monotonic()
                await asyncio.sleep(IDLE_SECONDS)
                # Then every socket is still open
                assert [socket.close_code for socket in sockets] == [None] * SOCKETS
                # and an event published from another process still reaches each of them
                layer = get_channel_layer()
                for user in users:
                    await layer.group_send(
                        realtime.user_group(user.id), {"type": "live.event", "event": "probe", "data": {"n": user.id}}
                    )
                for user, socket in zip(users, sockets, strict=True):
                    message = json.loads(await asyncio.wait_for(socket.recv(), 10))
                    assert message == {"type": "probe", "data": {"n": user.id}}
                assert time.monotonic() - started >= IDLE_SECONDS
            finally:
                for socket in sockets:
                    await socket.close()

        asyncio.run(scenario())
        # the layer used here must be the production one
        assert "channels_redis" in type(get_channel_layer()).__module__
