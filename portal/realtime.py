"""The single way server code pushes a live event to WebSocket clients.

Groups: ``user.<id>`` (one user's sockets), ``tenant.<id>`` (everyone of a tenant); features
add their own (``ticket.<id>``). Callers publish after commit (``publish_on_commit``).

Embedded mode uses the in-memory channel layer, which lives in one process and one event
loop: a ``group_send`` from another thread (a request thread, the embedded beat thread) is
handed to the server's loop instead of running on a private loop where no socket listens.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

_server_loop: asyncio.AbstractEventLoop | None = None
# Sends scheduled on the server loop from code running on it; referenced until done so the
# loop doesn't drop them half-way (asyncio keeps only weak references to tasks).
_pending: set[asyncio.Task] = set()


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


def publish_to_tenant(tenant_id: int, event_type: str, payload: dict) -> None:
    """Offer an event to every socket of the tenant; each delivers it as ``event_type`` only
    if its user may see it, by the rule registered for ``event_type`` (no rule: nobody).

    One send per change whatever the audience, no duplicates for a user who is in several
    roles, and the visibility rule is evaluated per socket from the payload, which must carry
    ``tenant_id``."""
    _send(tenant_group(tenant_id), {"type": "scoped.event", "event": event_type, "data": payload})


def publish(group: str, event_type: str, data: dict) -> None:
    """Send ``{"type": event_type, "data": data}`` to every socket in ``group`` now."""
    _send(group, _message(event_type, data))


def disconnect(group: str) -> None:
    """Close every socket in ``group`` with 4401, as if it had connected without valid credentials.

    For the identity layer: a disabled user (``user_group``), a disabled or expired tenant
    (``tenant_group``), a password change. Clients reconnect and are refused, or re-authenticate."""
    _send(group, {"type": "live.disconnect"})


def _send(group: str, message: dict) -> None:
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
        return
    async_to_sync(layer.group_send)(group, message)


def publish_on_commit(group: str, event_type: str, data: dict) -> None:
    """Publish once the current transaction commits; a rolled-back change sends nothing.

    Robust: the change is already committed, so a failing push (Redis down) is logged and must
    not turn the caller's successful request into an error. Events are hints to refresh; what
    must not be lost is stored first (notifications) and read back by the client."""

    def publish_committed() -> None:  # a named function: Django's robust on_commit logs __qualname__
        publish(group, event_type, data)

    transaction.on_commit(publish_committed, robust=True)
