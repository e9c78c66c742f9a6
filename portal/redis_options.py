"""Redis client options that the defaults get wrong for us (imported by the settings).

channels_redis waits for a socket's next message with a blocking ``BZPOPMIN … 5`` (its
``brpop_timeout``). redis-py's default ``socket_timeout`` is also 5 s, so on an idle socket the
client gives up reading at the very moment the server answers "nothing yet": ``TimeoutError:
Timeout reading from …``, the consumer crashes and daphne closes the socket with 1011 after
5–16 s. The read timeout must stay well above the blocking wait; it still bounds a read from a
Redis that stopped answering (a dead peer is also found by TCP keepalive).
"""

from __future__ import annotations

#: channels_redis.core.RedisChannelLayer.brpop_timeout (seconds), asserted by a test.
LAYER_BLOCKING_WAIT = 5
CHANNEL_LAYER_SOCKET_TIMEOUT = 30
CHANNEL_LAYER_CONNECT_TIMEOUT = 5


def channel_layer_host(url: str) -> dict:
    """One ``hosts`` entry of the Redis channel layer for ``url``."""
    return {
        "address": url,
        "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT,
        "socket_connect_timeout": CHANNEL_LAYER_CONNECT_TIMEOUT,
        "socket_keepalive": True,
    }
