"""The single way server code pushes a live event to WebSocket clients.

Groups: ``user.<id>`` (one user's sockets), ``tenant.<id>`` (everyone of a tenant); features
add their own (``ticket.<id>``). Callers publish after commit (``publish_on_commit``).

A push made after commit with ``keep=True`` is not lost when the channel layer (Redis) refuses
it: it is stored (``portal.models.LivePush``) and the ``realtime.resend_live_pushes`` job sends
it once the layer answers again, in the original order, unless it has waited longer than
``notification.live_retry.max_age_seconds``. While stored pushes wait, new ones queue behind
them, so a socket never gets an older state of a ticket after a newer one. Callers that keep
their own outbox (notification deliveries) publish without ``keep`` and see the error.

Embedded mode uses the in-memory channel layer, which lives in one process and one event
loop: a ``group_send`` from another thread (a request thread, the embedded beat thread) is
handed to the server's loop instead of running on a private loop where no socket listens.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def _layer_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [ConnectionError, TimeoutError, OSError]
    try:
        import redis.exceptions

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover - embedded installs without redis
        pass
    return tuple(errors)


#: What the channel layer raises when it is unavailable (Redis down, unreachable, too slow).
#: Only these make a push worth keeping: any other error would fail again on every resend.
LAYER_ERRORS = _layer_errors()

_server_loop: asyncio.AbstractEventLoop | None = None
# Sends scheduled on the server loop from code running on it; referenced until done so the
# loop doesn't drop them half-way (asyncio keeps only weak references to tasks).
_pending: set[asyncio.Future] = set()


def remember_server_loop() -> None:
    """Called from inside the ASGI server's loop (see ``portal.asgi``)."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def tenant_group(tenant_id: int) -> str:
    return f"tenant.{tenant_id}"


def session_group(session_key: str) -> str:
    """The sockets opened with one login session (its tokens, or its portal page session)."""
    # Group names allow ASCII letters, digits, hyphens, underscores and periods only.
    return "session." + "".join(c if c.isalnum() or c in "-_" else "_" for c in session_key)


#: The channel-layer message type of ``disconnect`` (``LiveConsumer.live_disconnect``).
DISCONNECT = "live.disconnect"


def _message(event_type: str, data: dict) -> dict:
    # ``type`` routes to LiveConsumer.live_event; ``event`` is what the client sees as ``type``.
    return {"type": "live.event", "event": event_type, "data": data}


@dataclass(frozen=True)
class VisibilityRule:
    """Who may receive an event kind that is offered to a whole tenant (``publish_to_tenant``).

    The app that owns the event declares it (from its ``AppConfig.ready``), so the consumer
    applies the app's own rule instead of re-implementing it:

    - ``audience(user)`` sums up what the user may see (e.g. "all", "staff", "own"); it may query
      the database and is evaluated when the socket connects and again on each heartbeat;
    - ``may_see(audience, user_id, payload)`` decides per message, from the payload alone;
    - ``public_fields``: the payload keys the client receives (the rest is routing data)."""

    audience: Callable[[Any], Hashable]
    may_see: Callable[[Hashable, int, dict], bool]
    public_fields: tuple[str, ...]


_visibility_rules: dict[str, VisibilityRule] = {}


def register_visibility_rule(event_type: str, rule: VisibilityRule) -> None:
    _visibility_rules[event_type] = rule


def visibility_rules() -> dict[str, VisibilityRule]:
    return dict(_visibility_rules)


def publish_to_tenant(tenant_id: int, event_type: str, payload: dict, *, keep: bool = False) -> None:
    """Offer an event to every socket of the tenant; each delivers it as ``event_type`` only
    if its user may see it, by the rule registered for ``event_type`` (no rule: nobody).

    One send per change whatever the audience, no duplicates for a user who is in several
    roles, and the visibility rule is evaluated per socket from the payload, which must carry
    ``tenant_id``. ``keep``: called after commit; if the layer refuses, store it for the retry
    job instead of raising."""
    _publish(tenant_group(tenant_id), {"type": "scoped.event", "event": event_type, "data": payload}, keep)


def publish(group: str, event_type: str, data: dict, *, keep: bool = False) -> None:
    """Send ``{"type": event_type, "data": data}`` to every socket in ``group`` now (``keep``:
    as for ``publish_to_tenant``)."""
    _publish(group, _message(event_type, data), keep)


def disconnect(group: str, *, keep: bool = False) -> None:
    """Close every socket in ``group`` with 4401, as if it had connected without valid credentials.

    For the identity layer: a disabled user (``user_group``), a disabled or expired tenant
    (``tenant_group``), a password change. Clients reconnect and are refused, or re-authenticate.
    With ``keep`` a close the layer refused is resent by the retry job (kept for a day, not the
    live-update bound: a socket that should have closed must not stay open)."""
    _publish(group, {"type": DISCONNECT}, keep)


def _publish(group: str, message: dict, keep: bool) -> None:
    if not keep:
        _send(group, message)
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        # On an event loop (a consumer, an async test) the database can't be asked here: send,
        # and store from a worker thread if the layer refuses.
        _send(group, message, on_failure=_keep_from_loop)
        return
    try:
        if _waiting_pushes_exist():
            _keep(group, message, "queued behind earlier pushes")
            return
    except Exception:  # the database is down too: still try to push
        logger.warning("live push to %s: could not check the resend queue", group, exc_info=True)
    try:
        _send(group, message)
    except LAYER_ERRORS as exc:
        logger.warning("live push to %s refused by the channel layer (%s); kept for resending", group,
                       _error_text(exc))  # fmt: skip
        _keep(group, message, _error_text(exc))


def _waiting_pushes_exist() -> bool:
    from portal.models import LivePush

    return LivePush.objects.exists()


def _keep(group: str, message: dict, error: str) -> None:
    from portal.models import LivePush

    try:
        LivePush.objects.create(group=group, message=message, last_error=error[:500])
    except Exception:  # the change is committed; losing the hint is the lesser harm
        logger.exception("live push to %s could not be kept for resending; dropped", group)


def _keep_from_loop(group: str, message: dict, exc: BaseException) -> None:
    loop = asyncio.get_running_loop()
    logger.warning("live push to %s refused by the channel layer (%s); kept for resending", group, _error_text(exc))
    future = loop.run_in_executor(None, _keep_and_close_connection, group, message, _error_text(exc))
    _pending.add(future)
    future.add_done_callback(_pending.discard)


def _keep_and_close_connection(group: str, message: dict, error: str) -> None:
    from django.db import connections

    try:
        _keep(group, message, error)
    finally:
        connections.close_all()  # this worker thread's own connection; don't leave it idle


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _send(group: str, message: dict, on_failure: Callable[[str, dict, BaseException], None] | None = None) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    loop = _server_loop
    if isinstance(layer, InMemoryChannelLayer) and loop is not None and loop.is_running() and running is not loop:
        # The in-memory layer's queues belong to the server loop: send there, and wait so the
        # caller knows it was handed over (or sees the error).
        asyncio.run_coroutine_threadsafe(layer.group_send(group, message), loop).result(timeout=5)
        return
    if running is not None:
        # Sync code running on an event loop (a consumer, a test): can't block it; schedule.
        task = running.create_task(layer.group_send(group, message))
        _pending.add(task)
        task.add_done_callback(_pending.discard)
        if on_failure is not None:

            def failed(done: asyncio.Task) -> None:
                if not done.cancelled() and isinstance(done.exception(), LAYER_ERRORS):
                    on_failure(group, message, done.exception())

            task.add_done_callback(failed)
        return
    async_to_sync(layer.group_send)(group, message)


def publish_on_commit(group: str, event_type: str, data: dict) -> None:
    """Publish once the current transaction commits; a rolled-back change sends nothing.

    Robust: the change is already committed, so a failing push (Redis down) must not turn the
    caller's successful request into an error; it is kept and resent by the retry job. Events
    are hints to refresh; what must not be lost is stored first (notifications) and read back
    by the client."""

    def publish_committed() -> None:  # a named function: Django's robust on_commit logs __qualname__
        publish(group, event_type, data, keep=True)

    transaction.on_commit(publish_committed, robust=True)


# --- resending what the layer refused ---------------------------------------------------------

#: How long a kept ``disconnect`` is resent: the Redis layer's default group expiry, after which
#: the socket has left the group anyway unless its client kept pinging.
DISCONNECT_MAX_AGE = timedelta(days=1)


@dataclass(frozen=True)
class ResendResult:
    sent: int
    dropped: int
    waiting: int


def resend_live_pushes(*, limit: int = 500, time_budget: float = 10.0) -> ResendResult:
    """The retry job: hand kept pushes to the channel layer again, oldest first.

    Rows are claimed under ``SELECT … FOR UPDATE SKIP LOCKED`` and deleted in the same
    transaction once the layer took them, so two runs never send one row twice; a run that finds
    older rows claimed by another run leaves everything to it, so the order holds. The first
    refusal ends the run (the layer is still down): that row and everything after it wait for
    the next run. Rows older than the bound are dropped unsent (``disconnect`` rows: a day), and
    so is a row the layer refuses for another reason than being unavailable."""
    from portal.config import get_config
    from portal.models import LivePush

    started = time.monotonic()
    now = timezone.now()
    stale_before = now - timedelta(seconds=get_config("notification.live_retry.max_age_seconds"))
    sent, dropped = [], []
    with transaction.atomic():
        rows = list(LivePush.objects.select_for_update(skip_locked=True).order_by("id")[:limit])
        if rows and LivePush.objects.filter(id__lt=rows[0].id).exists():
            return ResendResult(0, 0, LivePush.objects.count())  # an earlier run is still sending
        for row in rows:
            bound = now - DISCONNECT_MAX_AGE if row.message.get("type") == DISCONNECT else stale_before
            if row.created_at < bound:
                dropped.append(row.pk)
                continue
            if time.monotonic() - started > time_budget:
                break
            try:
                _send(row.group, row.message)
            except LAYER_ERRORS as exc:  # the layer is still down: this one and the rest wait
                row.attempts += 1
                row.last_error = _error_text(exc)
                row.save(update_fields=["attempts", "last_error"])
                logger.warning("live push resend: the channel layer still refuses (%s)", row.last_error)
                break
            except Exception:  # this message can never be sent: don't let it block the rest
                logger.exception("live push resend: dropped a message the channel layer cannot take")
                dropped.append(row.pk)
                continue
            sent.append(row.pk)
        LivePush.objects.filter(pk__in=sent + dropped).delete()
    if dropped:
        logger.info("live push resend: dropped %s pushes older than the bound", len(dropped))
    return ResendResult(len(sent), len(dropped), LivePush.objects.count())
