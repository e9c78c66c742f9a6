"""A process forked from one that already talked to the database must not reuse its parent's
connections: the child inherits the parent's pool and open connection objects with the very same
sockets, so both processes would read each other's results (seen as a flush in the test process
receiving another query's rows while a forked live server ran). The child forgets them without
closing them — closing would end the parent's sessions — and opens its own when it needs one.

Installed once per process from ``PortalConfig.ready`` (``os.register_at_fork``); it covers
Celery's prefork children, multiprocessing's forked servers and anything else that forks."""

from __future__ import annotations

import os

_installed = False


def forget_inherited_connections() -> None:
    from django.db import connections

    try:
        from django.db.backends.postgresql.base import DatabaseWrapper
    except ImportError:  # no psycopg: SQLite only
        DatabaseWrapper = None
    if DatabaseWrapper is not None:
        DatabaseWrapper._connection_pools.clear()
    for conn in connections.all(initialized_only=True):
        if conn.vendor == "postgresql":
            # dropped, not closed: the socket still belongs to the parent
            conn.connection = None
            conn.in_atomic_block = False
            conn.savepoint_ids = []
            conn.needs_rollback = False


def install() -> None:
    global _installed
    if not _installed and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=forget_inherited_connections)
        _installed = True
