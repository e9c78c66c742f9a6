"""Embedded mode: the server process also runs the periodic schedule, in a thread.

Without Redis there is no separate ``celery beat``: ``portal.asgi`` starts one ``EmbeddedBeat``
thread that drives django-celery-beat's ``DatabaseScheduler`` (the same schedules, edited in the
admin, that ``celery -A portal beat`` runs in production). Tasks run eagerly
(``CELERY_TASK_ALWAYS_EAGER``), so a due periodic task executes in this thread, and what it
publishes reaches the sockets of this process through ``portal.realtime``.

Why not celery's ``EmbeddedService(thread=True)``: its ``Service`` ignores ``beat_scheduler`` and
runs the file-based ``PersistentScheduler`` (database schedules never fire), and any exception
in a tick (database locked or briefly unavailable) ends the thread for good.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.db import connections
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

#: Upper bound between two scheduler passes; also how soon a schedule edited in the admin
#: is noticed. Due jobs fire on time regardless (the scheduler sleeps until the next one).
MAX_INTERVAL = 5.0
#: Pause after a failed pass (database unavailable, …) before trying again.
RETRY_INTERVAL = 5.0

_start_lock = threading.Lock()
_beat: EmbeddedBeat | None = None
_lock_file = None  # keeps the inter-process lock for the life of the process


class EmbeddedScheduler(DatabaseScheduler):
    """DatabaseScheduler that never hands a task to the broker.

    In embedded mode the broker is ``memory://`` with no worker behind it: a schedule naming a
    task this process does not know would be "sent" and silently lost. Refuse it loudly instead
    (celery logs the refusal as a scheduling error and keeps going)."""

    def send_task(self, name, *args, **kwargs):
        raise LookupError(f"periodic task {name!r} is not registered in this process")


class EmbeddedBeat(threading.Thread):
    """Runs the database schedule in a daemon thread until ``stop()``."""

    def __init__(self, app, *, max_interval: float = MAX_INTERVAL, retry_interval: float = RETRY_INTERVAL):
        super().__init__(name="embedded-beat", daemon=True)
        self.app = app
        self.max_interval = max_interval
        self.retry_interval = retry_interval
        self.scheduler: EmbeddedScheduler | None = None
        self.failures = 0
        self._stopping = threading.Event()

    def run(self) -> None:
        self.app.set_current()
        logger.info("Embedded beat started (database schedule, checked every %ss)", self.max_interval)
        try:
            while not self._stopping.is_set():
                delay = self.run_once()
                if delay > 0:
                    # Don't hold a database connection (and SQLite's file handles) while idle.
                    connections.close_all()
                    self._stopping.wait(delay)
        finally:
            self._close()

    def run_once(self) -> float:
        """One scheduler pass; returns how long to wait before the next. Never raises."""
        try:
            if self.scheduler is None:
                # Register every app's ``tasks`` module first. ``autodiscover_tasks()`` in
                # portal.celery waits for a signal only a worker sends; without this, scheduled
                # tasks would be unknown in the server process.
                self.app.autodiscover_tasks(force=True)
                self.scheduler = EmbeddedScheduler(app=self.app, max_interval=self.max_interval, lazy=False)
            delay = self.scheduler.tick()
            if self.scheduler.should_sync():
                self.scheduler.sync()
        except Exception:
            # A failing pass (typically the database) must not end periodic jobs for the life of
            # the server; the scheduler keeps its state and the next pass retries.
            self.failures += 1
            logger.exception("Embedded beat: scheduler pass failed, retrying in %ss", self.retry_interval)
            connections.close_all()
            return self.retry_interval
        return max(delay or 0.0, 0.0)

    def stop(self, timeout: float | None = 10) -> None:
        self._stopping.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)

    def _close(self) -> None:
        if self.scheduler is not None:
            try:
                self.scheduler.close()  # saves last_run_at / total_run_count of what ran
            except Exception:
                logger.exception("Embedded beat: could not save the schedule state")
        connections.close_all()
        logger.info("Embedded beat stopped")


def _management_command() -> str | None:
    """The ``manage.py``/``django-admin`` subcommand this process runs, if any."""
    program = Path(sys.argv[0]).name if sys.argv else ""
    if program in {"manage.py", "django-admin", "django-admin.py"} and len(sys.argv) > 1:
        return sys.argv[1]
    return None


def _acquire_process_lock() -> bool:
    """One embedded beat per installation: a second server process on the same ``var/``
    (and so the same SQLite database) would otherwise run every job twice."""
    global _lock_file
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX; nothing to lock with
        return True
    path = Path(settings.VAR_DIR) / "embedded-beat.lock"
    handle = path.open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return False
    _lock_file = handle
    return True


def start_embedded_beat() -> EmbeddedBeat | None:
    """Start the beat thread once per process, only where it belongs.

    Not started when ``EMBEDDED_BEAT`` is off (production runs ``celery beat``; the test settings
    turn it off), in management commands other than ``runserver`` (``migrate``, ``shell`` … may
    import the ASGI module), or when another process already runs it."""
    global _beat
    if not settings.EMBEDDED_BEAT:
        return None
    command = _management_command()
    if command is not None and command != "runserver":
        return None
    with _start_lock:
        if _beat is not None:
            return _beat
        if not _acquire_process_lock():
            logger.warning("Embedded beat not started: another process on %s already runs it", settings.VAR_DIR)
            return None
        from portal.celery import app

        _beat = EmbeddedBeat(app)
        _beat.start()
        return _beat


def stop_embedded_beat() -> None:
    """Stop the thread and release the inter-process lock (tests; a clean shutdown)."""
    global _beat, _lock_file
    with _start_lock:
        if _beat is not None:
            _beat.stop()
            _beat = None
        if _lock_file is not None:
            _lock_file.close()
            _lock_file = None
