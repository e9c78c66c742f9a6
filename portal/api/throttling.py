"""DRF throttles on the atomic counters of ``portal.ratelimit`` (DRF's own ones let parallel
requests through: they read, append and write back a list of timestamps).

``DEFAULT_THROTTLE_CLASSES`` applies ``UserRateThrottle`` (signed in, per user) and
``AnonRateThrottle`` (per address) with the ``user``/``anon`` rates of
``DEFAULT_THROTTLE_RATES``; the public sign-in calls use ``SignInRateThrottle`` (per address,
``system.login.rate_*`` in the config registry). A refusal is a 429 in the contract's envelope
with ``Retry-After``.
"""

from __future__ import annotations

from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from portal import ratelimit
from portal.client import client_ip


class _AtomicRateThrottle(SimpleRateThrottle):
    def allow_request(self, request, view):
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        verdict = ratelimit.hit(self.scope, key, limit=self.num_requests, window=self.duration)
        self._wait = verdict.retry_after
        return verdict.allowed

    def wait(self):
        return getattr(self, "_wait", None) or 1


class UserRateThrottle(_AtomicRateThrottle):
    scope = "user"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return f"user:{request.user.pk}"
        return None  # anonymous callers are the anon throttle's


class AnonRateThrottle(_AtomicRateThrottle):
    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return f"ip:{self.get_ident(request)}"


class SignInRateThrottle(BaseThrottle):
    """Per client address across all accounts: the sign-in calls of both contracts."""

    def allow_request(self, request, view):
        verdict = ratelimit.signin_ip_hit(client_ip(request))
        self._wait = verdict.retry_after
        return verdict.allowed

    def wait(self):
        return getattr(self, "_wait", None) or 1
