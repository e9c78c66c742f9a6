"""The Redis cache backend, with one client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call. The
pool (the sockets) is shared, but each new client fills its table of ~170 response callbacks
first: an API request makes about a dozen cache calls (maintenance and module switches, the
permission stamps, the rate limit, the request counter), so ~1,700 dictionary writes per request,
a third of the cache's cost in a profile. A ``redis.Redis`` over a connection pool is safe to
share between threads (each command checks a connection out of the pool), so this client keeps
one per pool and hands out the same one. Everything else is Django's.

Below it, the two ways of asking the cache that every request uses, each in one round trip: a
counter in a time window (rate limits, the request counter) and a value cached under a
generation (the maintenance windows, the modules switched off).
"""

from __future__ import annotations

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}  # connection pool → its client

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # Django's choice of server, as before
        client = self._clients.get(pool)
        if client is None:  # two threads may both build one the first time; either will do
            client = self._clients.setdefault(pool, self._client(connection_pool=pool))
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClient

    def count_in_window(self, key: str, window: int, *, stamp_key: str | None, stamp) -> int:
        """``count_in_window`` in one round trip: a MULTI of SET NX EX and INCR."""
        client, name = self._cache.get_client(write=True), self.make_key(key)
        with client.pipeline(transaction=True) as pipe:
            if stamp_key is not None:
                pipe.set(self.make_key(stamp_key), stamp, nx=True, ex=window)
            pipe.set(name, 0, nx=True, ex=window)
            pipe.incr(name)
            pipe.ttl(name)
            *_, count, ttl = pipe.execute()
        if ttl == -1:  # a counter without expiry (left by an older writer, or made anew by INCR)
            client.expire(name, window)
        return count


# --- one round trip for what every request asks of the cache ----------------------------------


def count_in_window(key: str, window: int, *, stamp_key: str | None = None, stamp=None) -> int:
    """Add one to the counter ``key``, which lives ``window`` seconds from its first count, and
    return the new count (atomic: parallel callers each get their own number). ``stamp_key``,
    if given, is set to ``stamp`` with the first count and expires with it. On Redis one round
    trip (a MULTI of SET NX EX and INCR); elsewhere the cache's ``add`` and locked ``incr``."""
    backend = caches["default"]
    if isinstance(backend, SharedClientRedisCache):
        return backend.count_in_window(key, window, stamp_key=stamp_key, stamp=stamp)
    for _attempt in range(3):
        if stamp_key is not None:
            cache.add(stamp_key, stamp, timeout=window)
        cache.add(key, 0, timeout=window)
        try:
            return cache.incr(key)
        except ValueError:  # the window expired between add and incr: start again
            continue
    return 1  # pragma: no cover - three expiries in a row


def generation_read(generation_key: str, key: str) -> tuple[int, object]:
    """``(generation, value)``: the current generation under ``generation_key`` and the value
    cached under ``key`` if it was written in that generation (else ``None``) — one round trip.
    ``new_generation`` retires every entry written before it."""
    found = cache.get_many([generation_key, key])
    generation = found.get(generation_key)
    if generation is None:
        cache.add(generation_key, 1, None)
        generation = cache.get(generation_key, 1)
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == generation:
        return generation, entry[1]
    return generation, None


def generation_write(key: str, generation: int, value, timeout: int) -> None:
    cache.set(key, (generation, value), timeout)


def new_generation(generation_key: str) -> None:
    try:
        cache.incr(generation_key)
    except ValueError:  # never read yet, or evicted
        cache.set(generation_key, 2, None)
