"""Atomic fixed-window counters for rate limits that hold under parallel requests.

``hit(scope, key, limit=…, window=…)`` counts one attempt and says whether it is within the
limit. The count is one atomic operation of the cache (``portal.cache.count_in_window``): Redis
``SET NX EX`` + ``INCR`` in one transaction in production (shared by every process),
LocMemCache's locked ``incr`` in embedded mode (one process). DRF's own throttles read a list
of timestamps, append and write it back: 50 parallel requests all read the same list and all
pass (measured: 0 of 50 refused).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

from portal.cache import count_in_window


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends (0 when allowed)


def _key(scope: str, key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]  # no raw addresses or names in cache keys
    return f"ratelimit:{scope}:{digest}"


def hit(scope: str, key: str, *, limit: int, window: int) -> Verdict:
    """Count one attempt of ``key`` in ``scope``; ``allowed`` while the window's count ≤ limit."""
    name = _key(scope, key)
    now = int(time.time())
    # The window starts with the first attempt; both keys expire with it.
    count = count_in_window(name, window, stamp_key=f"{name}:start", stamp=now)
    if count <= limit:
        return Verdict(True, count, 0)
    started = cache.get(f"{name}:start") or now
    return Verdict(False, count, max(1, window - (now - int(started))))


def reset(scope: str, key: str) -> None:
    name = _key(scope, key)
    cache.delete_many([name, f"{name}:start"])


# --- Sign-in limits (``system.login.rate_*`` in the config registry) ---------------------------


def _signin_window() -> int:
    from portal.config import get_config

    return int(get_config("system.login.rate_window_seconds"))


def signin_ip_hit(ip: str | None) -> Verdict:
    """One sign-in call (password, refresh, two-factor step, captcha, reset) from ``ip``:
    the per-address limit, across accounts, against password spraying."""
    from portal.config import get_config

    limit = int(get_config("system.login.rate_per_ip"))
    return hit("signin-ip", ip or "unknown", limit=limit, window=_signin_window())


def signin_account_hit(account: str) -> Verdict:
    """One password attempt on an account name (known or not), from any address."""
    from portal.config import get_config

    limit = int(get_config("system.login.rate_per_account"))
    return hit("signin-account", account.strip().lower(), limit=limit, window=_signin_window())
