"""The Celery application ``portal``: ``celery -A portal worker`` / ``celery -A portal beat``."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _own_pool_per_worker_process(**kwargs):
    """A forked (prefork) worker child must open its own database pool: the parent's pool object,
    if the parent ever opened one, has sockets shared with the parent and no worker threads.
    Forget it without closing (closing would end the parent's connections); each child then
    holds at most ``DB_POOL_MAX_SIZE`` connections of its own."""
    try:
        from django.db.backends.postgresql.base import DatabaseWrapper
    except ImportError:  # no psycopg: SQLite only
        return
    DatabaseWrapper._connection_pools.clear()
