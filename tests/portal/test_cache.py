"""The Redis cache backend keeps one client per connection pool (``portal.cache``): the same
values as Django's own backend, across threads, without building a client per call."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from portal.cache import SharedClientRedisCache
from tests.conftest import require_service

REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def shared_cache():
    require_service(REDIS_URL.startswith("redis"), "needs Redis (REDIS_URL=redis://…)")
    backend = SharedClientRedisCache(REDIS_URL, {"KEY_PREFIX": "opsportal-cache-test-shared"})
    yield backend
    client = backend._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{backend.make_key('')}*"))
    if keys:
        client.delete(*keys)


def test_every_call_reuses_one_client(shared_cache, monkeypatch):
    built = []
    original = redis.Redis.__init__

    def counting(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    for n in range(20):
        shared_cache.set(f"k{n}", n)
        assert shared_cache.get(f"k{n}") == n
    assert shared_cache.add("counter", 0) and shared_cache.incr("counter", 5) == 5
    assert len(built) == 1  # Django's own backend builds one per call: 42 here


def test_threads_sharing_the_client_see_each_others_writes(shared_cache):
    def count(_):
        shared_cache.add("hits", 0)
        return shared_cache.incr("hits")

    with ThreadPoolExecutor(max_workers=8) as pool:
        seen = sorted(pool.map(count, range(200)))
    assert seen == list(range(1, 201))  # every increment counted once, none lost or repeated
    assert shared_cache.get("hits") == 200


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request, settings):
    """The default cache as embedded mode (LocMemCache) and as production (Redis) have it."""
    from django.core.cache import caches

    if request.param == "redis":
        require_service(REDIS_URL.startswith("redis"), "needs Redis (REDIS_URL=redis://…)")
        backend = {"BACKEND": "portal.cache.SharedClientRedisCache", "LOCATION": REDIS_URL}
    else:
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {"default": {**backend, "KEY_PREFIX": "opsportal-cache-test-window"}}
    yield caches["default"]
    caches["default"].delete_many(["window", "window:start", "gen", "value"])


def test_a_counter_in_a_window_counts_every_call_once_and_expires_with_its_stamp(any_cache):
    from portal.cache import count_in_window

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = sorted(
            pool.map(lambda _: count_in_window("window", 60, stamp_key="window:start", stamp=7), range(100))
        )
    assert counts == list(range(1, 101))
    assert any_cache.get("window") == 100 and any_cache.get("window:start") == 7
    if hasattr(any_cache, "_cache") and hasattr(any_cache._cache, "get_client"):  # Redis: both keys expire
        client = any_cache._cache.get_client()
        assert 0 < client.ttl(any_cache.make_key("window")) <= 60
        assert 0 < client.ttl(any_cache.make_key("window:start")) <= 60


def test_a_new_generation_retires_what_was_cached_before_it(any_cache):
    from portal.cache import generation_read, generation_write, new_generation

    generation, value = generation_read("gen", "value")
    assert value is None
    generation_write("value", generation, {"on": []}, 60)
    assert generation_read("gen", "value") == (generation, {"on": []})
    new_generation("gen")
    fresh, value = generation_read("gen", "value")
    assert fresh != generation and value is None  # written under the old generation: gone


def test_a_counter_left_without_expiry_gets_the_window_back(shared_cache, settings):
    """A counter key that lost its expiry (written by an older code path, or made anew by INCR
    after expiring mid-transaction) would otherwise refuse its key for ever once over a limit."""
    from django.core.cache import caches

    from portal.cache import count_in_window

    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "opsportal-cache-test-shared",
        }
    }
    backend = caches["default"]
    client = backend._cache.get_client(write=True)
    client.set(backend.make_key("stuck"), 41)  # no expiry
    assert count_in_window("stuck", 60) == 42
    assert 0 < client.ttl(backend.make_key("stuck")) <= 60
