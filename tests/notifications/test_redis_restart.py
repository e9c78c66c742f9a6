"""A real Redis server is stopped and started again mid-test: every notification is still
delivered exactly once (the outbox keeps them; the retry job delivers them when Redis is back).

The test runs its own ``redis-server`` on a free port, so the machine's shared Redis is untouched.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
import subprocess
import time
from datetime import timedelta

import pytest
import redis
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from portal.celery import app as celery_app
from portal.notifications.models import Delivery
from portal.notifications.services import notify
from portal.notifications.tasks import retry_pending_deliveries
from tests.conftest import require_service
from tests.notifications.conftest import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


class PrivateRedis:
    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path, settings):
    require_service(shutil.which("redis-server") is not None, "redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    amqp = celery_app.amqp
    saved = celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app._pool, amqp._producer_pool
    celery_app.conf.task_always_eager = False  # tasks go through the broker, as in production
    celery_app.conf.broker_url = server.url
    celery_app._pool = amqp._producer_pool = None
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [server.url]}}
    }
    yield server
    server.kill()
    celery_app.conf.task_always_eager, celery_app.conf.broker_url, celery_app._pool, amqp._producer_pool = saved


def _listen(group: str) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def _drain(channel: str, wait: float = 1.0) -> list[dict]:
    layer = get_channel_layer()

    async def receive_all():
        received = []
        while True:
            try:
                received.append(await asyncio.wait_for(layer.receive(channel), timeout=wait))
            except TimeoutError:
                return received

    return async_to_sync(receive_all)()


def test_redis_stopped_and_restarted_every_notification_is_delivered_once(
    private_redis, tenant_a, make_user, django_capture_on_commit_callbacks, caplog
):
    alice = make_user(tenant_a, "agent", username="alice")
    # Given Redis is stopped while tickets are being assigned
    private_redis.kill()
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        created = [
            notify(recipient=alice, type="ticket_assigned", title=f"工单已分配 {n}", message=f"T-{n}") for n in range(3)
        ]
    # (queuing the delivery task failed after commit; the outbox rows wait)
    assert sum("could not queue delivery" in r.message for r in caplog.records) == 3
    assert Delivery.objects.filter(channel="websocket", status="pending").count() == 3

    # When Redis is started again and a browser of alice's listens
    private_redis.start()
    channel = _listen(f"user.{alice.pk}")
    with time_machine.travel(timezone.now() + timedelta(minutes=5), tick=False):
        # and the retry job runs (twice, as two beat ticks or two workers would)
        delivered = retry_pending_deliveries()
        again = retry_pending_deliveries()

    # Then every notification reached alice's socket exactly once
    messages = _drain(channel)
    assert sorted(m["data"]["id"] for m in messages) == sorted(n.pk for n in created)
    assert {m["event"] for m in messages} == {"notification"}
    assert delivered >= 3 and again == 0
    assert set(Delivery.objects.filter(channel="websocket").values_list("status", flat=True)) == {"sent"}
