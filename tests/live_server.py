"""A real daphne in another process for tests that need one (browsers, WebSockets on Redis).

channels' ``ChannelsLiveServerTestCase`` forks the test process to run daphne. A fork copies the
state of a process that has already run hundreds of tests: asgiref's executor that believes its
worker thread still exists (every ``database_sync_to_async`` in the child then waits forever),
locks held by other threads at the moment of the fork, the parent's connection pools. In CI the
forked server twice never answered: once it never reached listening, once it accepted the socket
and never completed the handshake. Here the server is *spawned*: a fresh interpreter that sets
Django up from the same settings module and environment, and is told the few things the parent
decided at run time (the test database's name, the host it answers to, eager tasks).
"""

from __future__ import annotations

import multiprocessing
import time
from functools import partial

from channels.testing import ChannelsLiveServerTestCase
from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.conf import settings
from django.db import connection
from django.test.utils import modify_settings

START_TIMEOUT = 60  # seconds: a fresh interpreter imports Django and the project first

_spawn = multiprocessing.get_context("spawn")


def configure_server(*, database: str, host: str, eager_tasks: bool) -> None:
    """Runs in the spawned server before it serves (module level: it is pickled by reference)."""
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = database
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, host]
    if eager_tasks:
        from portal.celery import app

        app.conf.task_always_eager = True


class SpawnedDaphne(DaphneProcess):
    """``DaphneProcess`` started with the spawn method; its shared values come from the spawn
    context too (a fork context's semaphores cannot be reopened by a spawned process)."""

    _start_method = "spawn"

    @staticmethod
    def _Popen(process_obj):
        from multiprocessing.popen_spawn_posix import Popen

        return Popen(process_obj)

    def __init__(self, host, get_application, *, setup):
        multiprocessing.Process.__init__(self)
        self.host = host
        self.get_application = get_application
        self.kwargs = {}
        self.setup = setup
        self.teardown = None
        self.port = _spawn.Value("i", 0)
        self.ready = _spawn.Event()
        self.errors = _spawn.Queue()


class LiveDaphneTestCase(ChannelsLiveServerTestCase):
    """A transactional test case with a spawned daphne on the test database, PostgreSQL and Redis.

    Skipped without them (an in-memory database or channel layer cannot cross processes)."""

    #: the server runs Celery tasks in the request (no worker in these tests)
    eager_tasks = False

    @classmethod
    def setUpClass(cls):
        # imported here: the spawned server imports this module before Django is set up
        from tests.conftest import require_service

        redis_layer = "channels_redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"]
        require_service(
            connection.vendor == "postgresql" and redis_layer,
            "needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…)",
        )
        super(ChannelsLiveServerTestCase, cls).setUpClass()  # the transactional case, not the fork
        cls._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": cls.host})
        cls._live_server_modified_settings.enable()
        setup = partial(
            configure_server, database=connection.settings_dict["NAME"], host=cls.host, eager_tasks=cls.eager_tasks
        )
        get_application = partial(make_application, static_wrapper=cls.static_wrapper if cls.serve_static else None)
        cls._server_process = SpawnedDaphne(cls.host, get_application, setup=setup)
        cls._server_process.start()
        try:
            cls._wait_until_listening()
        except BaseException:
            cls.tearDownClass()
            raise
        cls._port = cls._server_process.port.value

    @classmethod
    def _wait_until_listening(cls):
        process = cls._server_process
        deadline = time.monotonic() + START_TIMEOUT
        while not process.ready.wait(timeout=0.5):
            if not process.is_alive():
                detail = process.errors.get(timeout=1)[1] if not process.errors.empty() else ""
                raise RuntimeError(f"the test server exited with {process.exitcode}\n{detail}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the test server did not listen within {START_TIMEOUT}s")
