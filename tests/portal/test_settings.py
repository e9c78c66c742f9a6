"""Settings as the processes load them from the environment (each case in a fresh interpreter,
since settings are read once at import)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile

from django.conf import settings

from portal.celery import app as celery_app

VAR_DIR = tempfile.mkdtemp(prefix="opsportal-settings-")
PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(64),
    "DATABASE_URL": "postgres://opsportal@db.internal:5432/opsportal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "ALLOWED_HOSTS": "ops.example.com",
}


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """Run a Python command with a clean environment: only what a deployment would set."""
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
    base = {key: value for key, value in os.environ.items() if key in keep}
    base["OPSPORTAL_VAR_DIR"] = VAR_DIR  # importing the settings creates var/ (and static/media roots)
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_settings():
    # Given the environment of a production deployment (DEBUG unset)
    # When the deployment checklist runs, failing on any warning
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    # Then it passes (schema-generation warnings included: they are part of the check)
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_secret_key_and_debug_off_the_process_refuses_to_start():
    # Given production (DEBUG off) and no SECRET_KEY
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    # When any process (web, worker, management command) loads the settings
    result = _run(["manage.py", "check"], **env)
    # Then it stops with a message saying what to set
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_debug_gets_a_development_secret_key():
    result = _run(["manage.py", "check"], DEBUG="true")
    assert result.returncode == 0, result.stderr


PRINT_RUNTIME = """
import json, django
django.setup()
from django.conf import settings
from portal.celery import app
conf = app.conf
print(json.dumps({
    "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "embedded_beat": settings.EMBEDDED_BEAT,
    "broker_url": conf.broker_url,
    "task_always_eager": conf.task_always_eager,
    "task_acks_late": conf.task_acks_late,
    "task_reject_on_worker_lost": conf.task_reject_on_worker_lost,
    "worker_prefetch_multiplier": conf.worker_prefetch_multiplier,
    "visibility_timeout": conf.broker_transport_options.get("visibility_timeout"),
    "task_time_limit": conf.task_time_limit,
    "cancel_on_connection_loss": conf.worker_cancel_long_running_tasks_on_connection_loss,
    "beat_scheduler": conf.beat_scheduler,
    "beat_schedule_filename": conf.beat_schedule_filename,
    "result_backend": conf.result_backend,
    "result_extended": conf.result_extended,
    "var_dir": str(settings.VAR_DIR),
}))
"""


def _runtime(**env: str) -> dict:
    result = _run(["-c", PRINT_RUNTIME], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_processes_use_redis_and_durable_celery():
    # Given REDIS_URL (production)
    loaded = _runtime(**PRODUCTION_ENV)
    # Then sockets, cache and the broker go through Redis, and tasks run in workers
    assert loaded["channel_layer"] == "channels_redis.core.RedisChannelLayer"
    assert loaded["cache"] == "portal.cache.SharedClientRedisCache"
    assert loaded["broker_url"] == PRODUCTION_ENV["REDIS_URL"]
    assert loaded["task_always_eager"] is False
    assert loaded["embedded_beat"] is False  # `celery -A portal beat` runs the schedule
    # And a worker killed mid-task does not lose it (NOTES: acks_late + reject_on_worker_lost),
    # nor hoard tasks another worker could run
    assert loaded["task_acks_late"] is True
    assert loaded["task_reject_on_worker_lost"] is True
    assert loaded["worker_prefetch_multiplier"] == 1
    # Unacknowledged tasks come back after the visibility timeout: no task may run longer, or a
    # second worker starts it while the first still runs
    assert loaded["task_time_limit"] is not None
    assert loaded["task_time_limit"] < loaded["visibility_timeout"]
    assert loaded["cancel_on_connection_loss"] is True
    # And schedules live in the database, results in django-celery-results with task names
    assert loaded["beat_scheduler"] == "django_celery_beat.schedulers:DatabaseScheduler"
    assert loaded["result_backend"] == "django-db"
    assert loaded["result_extended"] is True
    assert loaded["beat_schedule_filename"].startswith(loaded["var_dir"])


def test_embedded_mode_runs_everything_in_the_server_process():
    loaded = _runtime(DEBUG="true")
    assert loaded["channel_layer"] == "channels.layers.InMemoryChannelLayer"
    assert loaded["broker_url"] == "memory://localhost"
    assert loaded["task_always_eager"] is True
    assert loaded["embedded_beat"] is True
    assert loaded["beat_scheduler"] == "django_celery_beat.schedulers:DatabaseScheduler"


def test_the_test_process_loads_the_same_durability_settings():
    # The app the suite (and every process) imports is configured from Django settings.
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1
    assert celery_app.conf.result_extended is True
    assert celery_app.main == "portal"
