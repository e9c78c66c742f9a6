"""Ticket views counted off the read path.

A GET of a ticket used to write (``view_count = view_count + 1``) on every read, including the
page's own live refreshes. Now a view is counted once per viewer per ``TICKET_VIEW_WINDOW``
seconds (a ``cache.add`` of the viewer's key) and buffered, not written: in Redis (a hash
shared by every server process) in production, in this process's memory in embedded mode.
The beat job ``tickets.flush_view_counts`` (every 60 s) writes the buffer in a few UPDATEs
(one per distinct increment). A ticket shown to its viewer includes its buffered views.
A crash between a buffer swap and the UPDATE puts the counts back; a Redis loss loses at most
one minute of view counts (they are statistics, not records).
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

BUFFER_KEY = "ticket-views:pending"
# Embedded mode: the buffer is a dict in the process's own (locmem) cache, changed under a lock.
_local_lock = threading.Lock()


def _window() -> int:
    return int(getattr(settings, "TICKET_VIEW_WINDOW", 1800))


def _redis():
    """The raw Redis client behind Django's cache, or None (locmem: embedded mode, tests)."""
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        return cache._cache.get_client(write=True), cache.make_key(BUFFER_KEY)
    return None


def record_view(*, ticket_id: int, viewer_id: int | None) -> int:
    """Count a view of ``ticket_id`` by ``viewer_id`` (once per window); returns the views of
    the ticket still waiting in the buffer (to add to the stored ``view_count``)."""
    first = viewer_id is None or cache.add(f"ticket-view:{ticket_id}:{viewer_id}", 1, _window())
    redis = _redis()
    if redis is not None:
        client, key = redis
        if first:
            return int(client.hincrby(key, str(ticket_id), 1))
        return int(client.hget(key, str(ticket_id)) or 0)
    with _local_lock:
        pending = cache.get(BUFFER_KEY) or {}
        if first:
            pending[ticket_id] = pending.get(ticket_id, 0) + 1
            cache.set(BUFFER_KEY, pending, None)
        return pending.get(ticket_id, 0)


def _take() -> dict[int, int]:
    redis = _redis()
    if redis is None:
        with _local_lock:
            taken = cache.get(BUFFER_KEY) or {}
            cache.delete(BUFFER_KEY)
        return taken
    client, key = redis
    temporary = f"{key}:flushing:{uuid.uuid4().hex}"
    try:
        client.rename(key, temporary)  # atomic: new views go to a fresh hash meanwhile
    except Exception as error:  # redis.ResponseError "no such key": nothing buffered
        if "no such key" in str(error).lower():
            return {}
        raise
    taken = {int(k): int(v) for k, v in client.hgetall(temporary).items()}
    client.delete(temporary)
    return taken


def _put_back(counts: dict[int, int]) -> None:
    redis = _redis()
    if redis is None:
        with _local_lock:
            pending = cache.get(BUFFER_KEY) or {}
            for ticket_id, n in counts.items():
                pending[ticket_id] = pending.get(ticket_id, 0) + n
            cache.set(BUFFER_KEY, pending, None)
        return
    client, key = redis
    pipe = client.pipeline()
    for ticket_id, n in counts.items():
        pipe.hincrby(key, str(ticket_id), n)
    pipe.execute()


def flush() -> int:
    """Write the buffered views; returns how many tickets were updated."""
    from tickets.models import Ticket

    counts = _take()
    if not counts:
        return 0
    by_increment: dict[int, list[int]] = defaultdict(list)
    for ticket_id, n in counts.items():
        if n > 0:
            by_increment[n].append(ticket_id)
    try:
        with transaction.atomic():
            for n, ids in sorted(by_increment.items()):
                for start in range(0, len(ids), 1000):
                    Ticket.all_objects.filter(pk__in=ids[start : start + 1000]).update(view_count=F("view_count") + n)
    except Exception:
        _put_back(counts)
        raise
    return len(counts)
