"""Fixtures for tests that talk to the consumers in-process (``WebsocketCommunicator``).

Import both into a test module to use them (they are autouse there)::

    from tests.ws_support import clean_layer, close_executor_connections  # noqa: F401
"""

from __future__ import annotations

import pytest
import pytest_asyncio
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.db import connections


@pytest.fixture(autouse=True)
def clean_layer():
    """Start with an empty channel layer: a message another test left must not arrive here."""
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()


@pytest_asyncio.fixture(autouse=True)
async def close_executor_connections():
    """Consumers reach the database from asgiref's executor thread: close that thread's
    connection after the test, or PostgreSQL refuses to drop the test database."""
    yield
    await database_sync_to_async(connections.close_all)()
