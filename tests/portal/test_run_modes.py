"""The two run modes, for real.

- Embedded (no ``REDIS_URL``): one daphne process serves HTTP and WebSocket, runs tasks
  in-process and runs the database beat schedule in a thread; a periodic job reaches a socket.
- Production (``REDIS_URL`` + PostgreSQL): a task executed by a separate ``celery worker``
  process reaches a socket held by a separate daphne process (through the Redis channel layer).

The ``integration`` tests start real processes; the others test the embedded beat thread itself.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from celery import shared_task
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection, connections
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from portal import embedded
from portal.asgi import application
from portal.celery import app as celery_app
from tests.conftest import bearer_for, require_service

BASE_DIR = Path(settings.BASE_DIR)
PYTHON = sys.executable
START_TIMEOUT = 30  # seconds for a server or worker to come up on a busy 2-core machine
EVENT_TIMEOUT = 15


@shared_task(name="tests.portal.failing_job")
def failing_job():
    raise RuntimeError("this periodic job always fails")


# --- the embedded beat thread --------------------------------------------------------------


@pytest.fixture
def beat_settings(settings, tmp_path, monkeypatch):
    """A server process in embedded mode, with its own var/ (for the inter-process lock)."""
    settings.EMBEDDED_BEAT = True
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(sys, "argv", ["daphne", "portal.asgi:application"])
    yield settings
    embedded.stop_embedded_beat()


def _beat_threads():
    return [t for t in threading.enumerate() if t.name == "embedded-beat" and t.is_alive()]


def test_beat_is_not_started_when_disabled_or_in_management_commands(beat_settings, monkeypatch):
    # Given embedded mode switched off (the test settings, production with `celery beat`)
    beat_settings.EMBEDDED_BEAT = False
    assert embedded.start_embedded_beat() is None
    # Given embedded mode, but a management command that imports the ASGI module
    beat_settings.EMBEDDED_BEAT = True
    monkeypatch.setattr(sys, "argv", ["manage.py", "migrate"])
    assert embedded.start_embedded_beat() is None
    # Then no beat thread runs
    assert _beat_threads() == []


@pytest.mark.django_db(transaction=True)
def test_beat_starts_once_per_process_and_once_per_installation(beat_settings, tmp_path):
    # When the server starts the beat twice (module imported twice, reload, …)
    first = embedded.start_embedded_beat()
    second = embedded.start_embedded_beat()
    # Then one thread runs
    assert first is not None
    assert first is second
    assert len(_beat_threads()) == 1
    # And another process on the same var/ cannot start a second one
    probe = (
        "import fcntl, sys\n"
        f"handle = open({str(tmp_path / 'embedded-beat.lock')!r}, 'a+')\n"
        "try:\n    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except OSError:\n    sys.exit(3)\n"
    )
    assert subprocess.run([PYTHON, "-c", probe], timeout=30).returncode == 3
    # When it is stopped, the thread ends and the lock is free again
    embedded.stop_embedded_beat()
    assert _beat_threads() == []
    assert subprocess.run([PYTHON, "-c", probe], timeout=30).returncode == 0


class _FlakyScheduler:
    """Fails its first pass (database unavailable), then works."""

    def __init__(self, log):
        self.log = log
        self.passes = 0

    def tick(self):
        self.passes += 1
        self.log.append("tick")
        if self.passes == 1:
            raise RuntimeError("database is locked")
        return 0.01

    def should_sync(self):
        return False

    def close(self):
        self.log.append("closed scheduler")


def test_a_failing_pass_does_not_end_the_beat_and_connections_are_closed_between_passes(monkeypatch):
    # Given a beat whose first pass fails
    log: list[str] = []
    monkeypatch.setattr(embedded.connections, "close_all", lambda: log.append("closed connections"))
    beat = embedded.EmbeddedBeat(celery_app, retry_interval=0.01)
    beat.scheduler = _FlakyScheduler(log)
    # When it runs for a few passes
    beat.start()
    deadline = time.monotonic() + 5
    while beat.scheduler.passes < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    # Then it is still alive after the failure, and it keeps ticking
    assert beat.is_alive()
    assert beat.failures == 1
    assert beat.scheduler.passes >= 4
    beat.stop()
    assert not beat.is_alive()
    # And no pass starts with the previous pass's database connections still open
    ticks = [i for i, entry in enumerate(log) if entry == "tick"]
    assert all(log[i - 1] == "closed connections" for i in ticks[1:])
    assert log[-2:] == ["closed scheduler", "closed connections"]


@pytest.fixture
def eager_tasks(monkeypatch):
    """Tasks run in the calling thread, as in embedded mode (even when the suite has REDIS_URL)."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", True)


def _schedule(name: str, task: str, args: list, every: IntervalSchedule) -> PeriodicTask:
    from django.utils import timezone

    # last_run_at in the past: due at the first pass.
    return PeriodicTask.objects.create(
        name=name,
        task=task,
        interval=every,
        args=json.dumps(args),
        last_run_at=timezone.now() - timezone.timedelta(minutes=5),
    )


def _run_passes(beat: embedded.EmbeddedBeat, count: int) -> None:
    try:
        for _ in range(count):
            beat.run_once()
        beat._close()
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_periodic_jobs_reach_a_socket_and_a_failing_or_unknown_job_stops_nothing(
    tenant_a, make_user, eager_tasks, caplog
):
    # Given a connected user and three due jobs: one fails, one names a task nobody knows, one pushes
    user = await database_sync_to_async(make_user)(tenant_a)
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        await layer.flush()
    token = await database_sync_to_async(bearer_for)(user)
    communicator = WebsocketCommunicator(application, f"/api/ws?token={token}")
    assert (await communicator.connect())[0]
    assert (await communicator.receive_json_from())["type"] == "connected"

    @database_sync_to_async
    def create_schedules():
        every = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
        _schedule("failing", "tests.portal.failing_job", [], every)
        _schedule("unknown", "nowhere.no_such_task", [], every)
        _schedule("push", "portal.publish_event", [f"user.{user.id}", "beat_tick", {"n": 1}], every)

    await create_schedules()
    # When the embedded beat makes its passes (in its own thread, as in the server)
    beat = embedded.EmbeddedBeat(celery_app)
    await asyncio.to_thread(_run_passes, beat, 6)
    # Then the pushing job's event reaches the socket
    assert await communicator.receive_json_from(timeout=5) == {"type": "beat_tick", "data": {"n": 1}}
    # And the failing and the unknown job were logged, not fatal
    assert beat.failures == 0
    assert "this periodic job always fails" in caplog.text
    assert "'nowhere.no_such_task' is not registered" in caplog.text
    await communicator.disconnect()
    await database_sync_to_async(connections.close_all)()


# --- real processes --------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "EMBEDDED_BEAT"}
    }
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", PYTHONUNBUFFERED="1", LOG_LEVEL="INFO", **overrides)
    return env


class Processes:
    """Starts subprocesses in their own process groups; ``stop_all`` kills every group."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, Path]:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                args, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.started.append((process, log_path))
        return process, log_path

    def stop_all(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in self.started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    yield started
    started.stop_all()


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _wait_http_ok(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited with {process.returncode}:\n{_tail(log)}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {START_TIMEOUT}s:\n{_tail(log)}")


def _manage(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


async def _first_event_after_connected(url: str, headers: dict | None = None, *, action=None) -> tuple[dict, dict]:
    """Connect, read ``connected``, optionally run ``action`` (sync), return the next event."""
    import websockets

    async with websockets.connect(url, additional_headers=headers, open_timeout=10) as ws:
        hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
        if action is not None:
            await asyncio.to_thread(action)
        event = json.loads(await asyncio.wait_for(ws.recv(), timeout=EVENT_TIMEOUT))
        return hello, event


async def _handshake_status(url: str) -> int | None:
    import websockets
    from websockets.exceptions import InvalidStatus

    try:
        async with websockets.connect(url, open_timeout=10):
            return None
    except InvalidStatus as exc:
        return exc.response.status_code


EMBEDDED_SETUP = """
import json
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from accounts.auth_services import tokens_for_user
from accounts.services import user_create
from tenants.services import tenant_create

tenant = tenant_create(code="rt_embedded", name="Embedded")
user = user_create(tenant=tenant, username="rt", email="rt@embedded.test", password=None)
every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
PeriodicTask.objects.create(
    name="push a tick to rt", task="portal.publish_event", interval=every_second,
    args=json.dumps([f"user.{user.id}", "beat_tick", {"source": "periodic job"}]),
)
print(json.dumps({"user_id": user.id, "token": tokens_for_user(user)["access_token"]}))
"""


@pytest.mark.integration
def test_embedded_mode_one_daphne_process_pushes_a_periodic_job_to_a_socket(tmp_path, processes):
    # Given a fresh SQLite database, migrated, with a user and a job that pushes to them every second
    env = _clean_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        DEBUG="true",
        EMBEDDED_BEAT="true",
        OPSPORTAL_VAR_DIR=str(tmp_path / "var"),
    )
    _manage(["migrate", "--noinput"], env)
    created = json.loads(_manage(["shell", "-c", EMBEDDED_SETUP], env).strip().splitlines()[-1])
    # When one daphne process serves (nothing else runs: no worker, no beat, no Redis)
    port = _free_port()
    daphne, log = processes.start(
        "daphne", [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "portal.asgi:application"], env
    )
    _wait_http_ok(f"http://127.0.0.1:{port}/healthz", daphne, log)
    # Then a client with a token is greeted and receives the periodic job's event
    url = f"ws://127.0.0.1:{port}/api/ws"
    hello, event = asyncio.run(_first_event_after_connected(f"{url}?token={created['token']}"))
    assert hello["type"] == "connected"
    assert hello["data"]["user_id"] == created["user_id"]
    assert event == {"type": "beat_tick", "data": {"source": "periodic job"}}, _tail(log)
    # And a client without a valid token never gets a socket (handshake refused)
    assert asyncio.run(_handshake_status(f"{url}?token=forged")) == 403
    # And the beat ran from the database schedule, writing no schedule file outside var/
    assert "Embedded beat started" in log.read_text()
    assert not list(BASE_DIR.glob("celerybeat-schedule*"))


def _database_url_of_test_database() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        client.close()
    except redis.RedisError:
        return False
    return True


@pytest.mark.integration
def test_production_mode_a_task_in_a_celery_worker_reaches_a_socket_of_daphne(
    transactional_db, tenant_a, make_user, tmp_path, processes
):
    require_service(bool(settings.REDIS_URL), "REDIS_URL is not set (production mode needs Redis)")
    require_service(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL")
    require_service(_redis_answers(settings.REDIS_URL), f"Redis at {settings.REDIS_URL} does not answer")
    # Given a daphne process and a celery worker process, both on the test database and Redis
    user = make_user(tenant_a)
    queue = f"opsportal-test-{uuid.uuid4().hex[:8]}"  # this test's own queue: no stray tasks
    env = _clean_env(
        DATABASE_URL=_database_url_of_test_database(),
        REDIS_URL=settings.REDIS_URL,
        SECRET_KEY=settings.SECRET_KEY,  # the tokens this test signs must verify there
        DEBUG="false",
        SECURE_SSL_REDIRECT="false",
        EMBEDDED_BEAT="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        OPSPORTAL_VAR_DIR=str(tmp_path / "var"),
    )
    port = _free_port()
    daphne, daphne_log = processes.start(
        "daphne", [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "portal.asgi:application"], env
    )
    _, worker_log = processes.start(
        "worker",
        [
            *(PYTHON, "-m", "celery", "-A", "portal", "worker", "-P", "solo", "-Q", queue, "-n", f"{queue}@%h"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"),
        ],
        env,
    )
    _wait_http_ok(f"http://127.0.0.1:{port}/healthz", daphne, daphne_log)

    sent = []

    def send_task():
        from portal.tasks import publish_event

        result = publish_event.apply_async(args=[f"user.{user.id}", "worker_event", {"from": "worker"}], queue=queue)
        sent.append(result.id)

    # When a client is connected and the test process sends the task to the worker
    hello, event = asyncio.run(
        _first_event_after_connected(
            f"ws://127.0.0.1:{port}/api/ws", {"Authorization": f"Bearer {bearer_for(user)}"}, action=send_task
        )
    )
    # Then the event, published by the worker process, reaches the daphne process's socket
    assert hello["data"]["user_id"] == user.id
    assert event == {"type": "worker_event", "data": {"from": "worker"}}
    # And it was the worker process that ran the task
    done = f"Task portal.publish_event[{sent[0]}] succeeded"
    deadline = time.monotonic() + 5
    while done not in worker_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert done in worker_log.read_text(), _tail(worker_log)
