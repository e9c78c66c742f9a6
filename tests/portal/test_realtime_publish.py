"""``portal.realtime.publish`` / ``publish_on_commit``: server code in any thread reaches sockets,
and nothing is pushed for a change that was rolled back."""

from __future__ import annotations

import asyncio
import logging

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from portal import realtime
from portal.asgi import application
from tests.conftest import bearer_for
from tests.ws_support import clean_layer, close_executor_connections  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

RECEIVE_TIMEOUT = 3


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, username="alice")


async def connect(user):
    token = await database_sync_to_async(bearer_for)(user)
    communicator = WebsocketCommunicator(application, f"/api/ws?token={token}")
    connected, code = await communicator.connect(timeout=RECEIVE_TIMEOUT)
    assert connected, code
    assert (await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "connected"
    return communicator


@pytest.mark.asyncio
async def test_publish_from_a_plain_thread_reaches_the_socket(alice):
    # Given a connected socket (its loop is the "server loop")
    communicator = await connect(alice)
    # When code running in another thread (a request thread, the embedded beat) publishes
    await asyncio.to_thread(realtime.publish, realtime.user_group(alice.id), "notification", {"id": 42})
    # Then the socket receives it
    assert await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT) == {"type": "notification", "data": {"id": 42}}
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_publish_from_code_on_the_server_loop_reaches_the_socket(alice):
    communicator = await connect(alice)
    realtime.publish(realtime.user_group(alice.id), "notification", {"id": 43})  # sync call on the loop
    assert await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT) == {"type": "notification", "data": {"id": 43}}
    await communicator.disconnect()


def _change_then(outcome: str, group: str) -> None:
    try:
        with transaction.atomic():
            realtime.publish_on_commit(group, "ticket_updated", {"outcome": outcome})
            if outcome == "rollback":
                raise RuntimeError("the change failed")
    except RuntimeError:
        pass


@pytest.mark.asyncio
async def test_publish_on_commit_sends_only_what_was_committed(alice):
    communicator = await connect(alice)
    group = realtime.user_group(alice.id)
    # When a transaction that published rolls back
    await database_sync_to_async(_change_then)("rollback", group)
    # Then nothing is pushed
    assert await communicator.receive_nothing(timeout=0.5)
    # When it commits
    await database_sync_to_async(_change_then)("commit", group)
    # Then the event arrives, once
    assert await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT) == {
        "type": "ticket_updated",
        "data": {"outcome": "commit"},
    }
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


def test_a_failing_push_does_not_fail_the_committed_change(alice, monkeypatch, caplog):
    # Given a channel layer that is down (Redis unreachable)
    def layer_down(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(realtime, "publish", layer_down)
    # When a change commits and its event cannot be pushed
    with caplog.at_level(logging.ERROR), transaction.atomic():
        alice.real_name = "changed"
        alice.save(update_fields=["real_name"])
        realtime.publish_on_commit(realtime.user_group(alice.id), "notification", {})
    # Then the change stays committed and the failure is logged, not raised to the caller
    alice.refresh_from_db()
    assert alice.real_name == "changed"
    assert "redis down" in caplog.text


def test_publish_without_any_socket_is_a_no_op():
    realtime.publish("user.999999", "notification", {"id": 1})  # nobody listens: nothing raises
