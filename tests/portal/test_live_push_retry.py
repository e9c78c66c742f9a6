"""Live pushes the channel layer refused after commit (Redis down) are kept and resent by the
``realtime: resend failed live pushes`` job: in order, exactly once, to the sockets that stayed
open; too old ones are dropped; a rolled-back change keeps nothing.

The outage is simulated by making the layer's ``group_send`` raise, on whichever layer the run
uses (in-memory on SQLite, Redis on the PostgreSQL + Redis run)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from importlib import import_module

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from portal import realtime
from portal.asgi import application
from portal.celery import app as celery_app
from portal.config import set_config
from portal.models import LivePush
from portal.tasks import resend_live_pushes
from tests.conftest import bearer_for
from tests.ws_support import clean_layer, close_executor_connections  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

RECEIVE_TIMEOUT = 3


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, username="alice")


class Outage:
    """Switches the channel layer's ``group_send`` off and on again."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch
        self.layer = get_channel_layer()
        self.refused = 0

    def begin(self):
        async def refuse(group, message):
            self.refused += 1
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        self.monkeypatch.setattr(self.layer, "group_send", refuse)

    def end(self):
        self.monkeypatch.undo()


@pytest.fixture
def outage(monkeypatch):
    return Outage(monkeypatch)


async def connect(user):
    token = await database_sync_to_async(bearer_for)(user)
    communicator = WebsocketCommunicator(application, f"/api/ws?token={token}")
    connected, code = await communicator.connect(timeout=RECEIVE_TIMEOUT)
    assert connected, code
    assert (await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "connected"
    return communicator


async def received(communicator, timeout=0.5) -> list[dict]:
    seen = []
    while not await communicator.receive_nothing(timeout=timeout):
        seen.append(await communicator.receive_json_from())
    return seen


def committed_change(group: str, data: dict, *, roll_back: bool = False) -> None:
    """A change that publishes on commit, as services do."""
    try:
        with transaction.atomic():
            realtime.publish_on_commit(group, "ticket_updated", data)
            if roll_back:
                raise RuntimeError("the change failed")
    except RuntimeError:
        pass


def kept() -> list[tuple[str, dict]]:
    return [(row.group, row.message["data"]) for row in LivePush.objects.order_by("id")]


@pytest.mark.asyncio
async def test_a_refused_push_is_kept_and_delivered_once_when_the_layer_is_back(alice, outage):
    # Given a socket that stays open through a Redis outage
    communicator = await connect(alice)
    group = realtime.user_group(alice.id)
    outage.begin()
    # When a change commits and its push is refused
    await database_sync_to_async(committed_change)(group, {"ticket_id": 7, "status": "in_progress"})
    # Then nothing is raised, the push was attempted and is kept
    assert outage.refused == 1
    assert await database_sync_to_async(kept)() == [(group, {"ticket_id": 7, "status": "in_progress"})]
    assert await communicator.receive_nothing(timeout=0.3)
    # When the layer answers again and the retry job runs
    outage.end()
    result = await database_sync_to_async(realtime.resend_live_pushes)()
    # Then the socket gets the push, once, and nothing is left to resend
    assert (result.sent, result.dropped, result.waiting) == (1, 0, 0)
    assert await received(communicator) == [
        {"type": "ticket_updated", "data": {"ticket_id": 7, "status": "in_progress"}}
    ]
    assert await database_sync_to_async(realtime.resend_live_pushes)() == realtime.ResendResult(0, 0, 0)
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_rolled_back_change_keeps_nothing(alice, outage):
    communicator = await connect(alice)
    outage.begin()
    await database_sync_to_async(committed_change)(realtime.user_group(alice.id), {"n": 1}, roll_back=True)
    assert outage.refused == 0
    assert await database_sync_to_async(LivePush.objects.count)() == 0
    outage.end()
    await database_sync_to_async(realtime.resend_live_pushes)()
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_pushes_after_the_outage_queue_behind_the_kept_ones_and_arrive_in_order(alice, outage):
    communicator = await connect(alice)
    group = realtime.user_group(alice.id)
    outage.begin()
    for n in (1, 2, 3):
        await database_sync_to_async(committed_change)(group, {"n": n})
    # When the layer is back but the job has not run yet, a new change commits
    outage.end()
    await database_sync_to_async(committed_change)(group, {"n": 4})
    # Then it waits behind the kept ones instead of overtaking them
    assert await communicator.receive_nothing(timeout=0.3)
    assert [data for _, data in await database_sync_to_async(kept)()] == [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]
    # And the job delivers all four, oldest first, each once
    assert (await database_sync_to_async(realtime.resend_live_pushes)()).sent == 4
    assert [m["data"] for m in await received(communicator)] == [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]
    # And once the queue is empty, pushes go out directly again
    await database_sync_to_async(committed_change)(group, {"n": 5})
    assert [m["data"] for m in await received(communicator)] == [{"n": 5}]
    assert await database_sync_to_async(LivePush.objects.count)() == 0
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_run_while_the_layer_is_still_down_loses_nothing(alice, outage):
    communicator = await connect(alice)
    group = realtime.user_group(alice.id)
    outage.begin()
    for n in (1, 2):
        await database_sync_to_async(committed_change)(group, {"n": n})
    # When the job runs while Redis is still down
    result = await database_sync_to_async(realtime.resend_live_pushes)()
    # Then it stops at the first refusal: both kept, in order, the first one counted as attempted
    assert (result.sent, result.dropped, result.waiting) == (0, 0, 2)
    rows = await database_sync_to_async(lambda: list(LivePush.objects.order_by("id")))()
    assert [(r.message["data"], r.attempts) for r in rows] == [({"n": 1}, 1), ({"n": 2}, 0)]
    assert "ConnectionError" in rows[0].last_error
    # And the next run after the outage delivers both, in order
    outage.end()
    assert (await database_sync_to_async(realtime.resend_live_pushes)()).sent == 2
    assert [m["data"] for m in await received(communicator)] == [{"n": 1}, {"n": 2}]
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_pushes_older_than_the_configured_bound_are_dropped_unsent(alice, outage):
    communicator = await connect(alice)
    group = realtime.user_group(alice.id)
    await database_sync_to_async(set_config)("notification.live_retry.max_age_seconds", 60)
    outage.begin()
    for n in (1, 2):
        await database_sync_to_async(committed_change)(group, {"n": n})
    outage.end()
    # Given the first one has waited two minutes, the second 30 seconds
    now = timezone.now()
    first, second = await database_sync_to_async(lambda: list(LivePush.objects.order_by("id")))()
    await database_sync_to_async(LivePush.objects.filter(pk=first.pk).update)(created_at=now - timedelta(minutes=2))
    await database_sync_to_async(LivePush.objects.filter(pk=second.pk).update)(created_at=now - timedelta(seconds=30))
    # When the job runs
    result = await database_sync_to_async(realtime.resend_live_pushes)()
    # Then only the fresh one is sent and the stale one is gone
    assert (result.sent, result.dropped, result.waiting) == (1, 1, 0)
    assert [m["data"] for m in await received(communicator)] == [{"n": 2}]
    await communicator.disconnect()


def test_the_default_bound_is_ten_minutes(alice, outage):
    outage.begin()
    committed_change(realtime.user_group(alice.id), {"n": 1})
    committed_change(realtime.user_group(alice.id), {"n": 2})
    outage.end()
    now = timezone.now()
    first, second = LivePush.objects.order_by("id")
    LivePush.objects.filter(pk=first.pk).update(created_at=now - timedelta(minutes=10, seconds=5))
    LivePush.objects.filter(pk=second.pk).update(created_at=now - timedelta(minutes=9, seconds=50))
    assert realtime.resend_live_pushes() == realtime.ResendResult(sent=1, dropped=1, waiting=0)


@pytest.mark.asyncio
async def test_a_refused_disconnect_is_resent_and_closes_the_socket(alice, outage):
    # Given an open socket and a disconnect (account disabled) that Redis refused 30 minutes ago
    communicator = await connect(alice)
    outage.begin()
    await database_sync_to_async(realtime.disconnect)(realtime.user_group(alice.id), keep=True)
    outage.end()
    await database_sync_to_async(LivePush.objects.update)(created_at=timezone.now() - timedelta(minutes=30))
    # When the job runs: past the live-update bound, but a close is kept for a day
    assert (await database_sync_to_async(realtime.resend_live_pushes)()).sent == 1
    # Then the socket is closed as unauthenticated
    assert await communicator.receive_output(timeout=RECEIVE_TIMEOUT) == {"type": "websocket.close", "code": 4401}


@pytest.mark.asyncio
async def test_a_push_refused_on_the_event_loop_is_kept_too(alice, outage):
    communicator = await connect(alice)
    group = realtime.user_group(alice.id)
    outage.begin()
    realtime.publish(group, "ticket_updated", {"n": 1}, keep=True)  # sync call on the running loop
    for _ in range(100):  # stored from a worker thread
        if await database_sync_to_async(LivePush.objects.count)():
            break
        await asyncio.sleep(0.02)
    assert await database_sync_to_async(kept)() == [(group, {"n": 1})]
    outage.end()
    await database_sync_to_async(realtime.resend_live_pushes)()
    assert [m["data"] for m in await received(communicator)] == [{"n": 1}]
    await communicator.disconnect()


def test_a_push_without_keep_still_raises_and_keeps_nothing(alice, outage):
    # Notification deliveries have their own outbox: they must see the error, not be kept twice.
    outage.begin()
    with pytest.raises(ConnectionError):
        realtime.publish(realtime.user_group(alice.id), "notification", {"id": 1})
    assert LivePush.objects.count() == 0


def test_the_retry_job_is_scheduled_and_expires_before_its_next_run():
    # Transactional tests flush data-migrated rows: run the schedule migration's step again.
    import_module("portal.migrations.0004_live_push_outbox").create_schedule(apps, None)
    task = PeriodicTask.objects.get(name="realtime: resend failed live pushes")
    assert task.enabled and task.task == "realtime.resend_live_pushes"
    assert task.task in celery_app.tasks
    every = timedelta(**{task.interval.period: task.interval.every}).total_seconds()
    assert every <= 60 and 0 < task.expire_seconds < every


def test_the_task_runs_the_job(alice, outage):
    outage.begin()
    committed_change(realtime.user_group(alice.id), {"n": 1})
    outage.end()
    assert resend_live_pushes.apply().get() == 1
    assert LivePush.objects.count() == 0


@pytest.mark.asyncio
async def test_a_kept_push_the_layer_can_never_take_does_not_block_the_others(alice, outage, monkeypatch):
    communicator = await connect(alice)
    group = realtime.user_group(alice.id)
    outage.begin()
    for n in (1, 2):
        await database_sync_to_async(committed_change)(group, {"n": n})
    outage.end()
    # Given the layer is back but refuses the first message for good (not an outage error)
    layer, real_send = get_channel_layer(), get_channel_layer().group_send

    async def refuse_first(group, message):
        if message["data"] == {"n": 1}:
            raise TypeError("can not serialize")
        await real_send(group, message)

    monkeypatch.setattr(layer, "group_send", refuse_first)
    # When the job runs, then that one is dropped and the next one still goes out
    assert await database_sync_to_async(realtime.resend_live_pushes)() == realtime.ResendResult(1, 1, 0)
    assert [m["data"] for m in await received(communicator)] == [{"n": 2}]
    await communicator.disconnect()


def test_only_an_unavailable_layer_makes_a_push_worth_keeping(alice, monkeypatch):
    async def broken(group, message):
        raise TypeError("can not serialize")

    monkeypatch.setattr(get_channel_layer(), "group_send", broken)
    with pytest.raises(TypeError):
        realtime.publish(realtime.user_group(alice.id), "ticket_updated", {"n": 1}, keep=True)
    assert LivePush.objects.count() == 0
