"""``/api/ws``: the live-update socket of the desk contract, also used by the portal pages."""

from __future__ import annotations

import json
import logging
import uuid
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from portal import realtime
from portal.client import scope_client_ip

#: Close code for a refused connection (no, invalid or expired token; inactive user or tenant).
#: Sent before the handshake is accepted: the communicator sees it as the close code, a real
#: server answers the handshake with HTTP 403. An open socket closed by ``realtime.disconnect``
#: (user or tenant disabled) gets it as its close code.
CLOSE_UNAUTHENTICATED = 4401
#: Close code when the channel layer is unavailable (RFC 6455 registry: "Try Again Later").
CLOSE_TRY_AGAIN_LATER = 1013
#: Close code while maintenance mode shuts the user out (application range; "503"). The socket
#: is accepted and closed at once after an ``{"type": "error", "data": {"code": "MAINTENANCE", …}}``
#: frame, since daphne can answer a refused handshake only with 403.
CLOSE_MAINTENANCE = 4503

logger = logging.getLogger(__name__)

LAYER_ERRORS = realtime.LAYER_ERRORS


def _user_from_token(raw: str):
    """The user of a bearer token, checked by the API's own token authentication (the first
    configured DRF authentication class that validates tokens), or ``None``."""
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.settings import api_settings

    for auth_class in api_settings.DEFAULT_AUTHENTICATION_CLASSES:
        auth = auth_class()
        if not hasattr(auth, "get_validated_token"):
            continue
        try:
            return auth.get_user(auth.get_validated_token(raw.encode()))
        except AuthenticationFailed:
            return None
    return None


def _login_session_key(user, scope) -> str | None:
    """The login session this socket belongs to: the token's ``sid``, or the page session's
    ``login_sid``. Ending that session (a plain logout too) closes the socket."""
    session = getattr(user, "_login_session", None)
    if session is not None:
        return session.key
    page_session = scope.get("session")
    return page_session.get("login_sid") if page_session is not None else None


@database_sync_to_async
def _audiences(user) -> dict:
    """What this user may see of each tenant-wide event kind, by the owning app's rule."""
    return {event: rule.audience(user) for event, rule in realtime.visibility_rules().items()}


@database_sync_to_async
def _authenticate(token: str | None, session_user):
    """The user this socket speaks for, or ``None`` to refuse it.

    A token, when given, decides alone (a bad token is refused even with a valid session
    cookie). The same rules as the HTTP APIs apply: active user, usable tenant."""
    user = _user_from_token(token) if token else session_user
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.tenant_id is not None and not user.tenant.is_usable:
        return None
    return user


@database_sync_to_async
def _maintenance_refusal(user, scope) -> dict | None:
    """The error frame for a user an active maintenance window shuts out, or ``None``. The
    decision is the HTTP gate's own (``maintenance.refusal``): same windows, same bypass rules."""
    from portal.system import maintenance
    from portal.timestamps import iso_utc

    window = maintenance.refusal(user, scope_client_ip(scope))
    if window is None:
        return None
    return {
        "code": "MAINTENANCE",
        "message": window.display_message(),
        "end_time": iso_utc(window.end_time),
        "retry": True,
    }


def _bearer(scope) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode())
    if query.get("token"):
        return query["token"][0]
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, token = value.decode("latin1").partition(" ")
            if kind.lower() == "bearer" and token.strip():
                return token.strip()
    return None


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Authenticates with a JWT (``?token=`` or ``Authorization: Bearer``) or the portal
    session, then joins the user's and the tenant's groups. Only events published to those
    groups ever reach the socket; clients never choose groups themselves."""

    async def connect(self):
        realtime.remember_server_loop()
        user = await _authenticate(_bearer(self.scope), self.scope.get("user"))
        if user is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        refused = await _maintenance_refusal(user, self.scope)
        if refused is not None:
            await self.accept()
            await self.send_json({"type": "error", "data": refused})
            await self.close(code=CLOSE_MAINTENANCE)
            return
        self.user = user
        self.groups_joined = [realtime.user_group(user.id)]
        session_key = await database_sync_to_async(_login_session_key)(user, self.scope)
        if session_key:
            self.groups_joined.append(realtime.session_group(session_key))
        if user.tenant_id is not None:
            self.groups_joined.append(realtime.tenant_group(user.tenant_id))
        self.audiences = await _audiences(user)
        try:
            await self._join_groups()
        except LAYER_ERRORS:
            # The channel layer (Redis) is down. daphne can only answer a refused handshake with
            # 403 (or 500 when the consumer raises), so accept and close at once with 1013 "try
            # again later": clients reconnect with backoff and reload their state when it works.
            logger.warning("live socket refused: channel layer unavailable", exc_info=True)
            self.groups_joined = []
            await self.accept()
            await self.send_json({"type": "error", "data": {"code": "SERVICE_UNAVAILABLE", "retry": True}})
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        await self.accept()
        self.connection_id = f"conn_{uuid.uuid4().hex[:12]}"
        await self.send_json({"type": "connected", "data": {"user_id": user.id, "connection_id": self.connection_id}})

    async def _join_groups(self):
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except LAYER_ERRORS:  # Redis down: the membership expires by itself (group_expiry)
                return

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        # Malformed or binary frames are ignored rather than crashing the socket.
        if text_data is None:
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            # The Redis layer forgets group members after ``group_expiry`` (a day); a client's
            # heartbeat renews them, so a socket left open for days keeps receiving. A maintenance
            # window that began since the socket opened ends it here, as it would refuse it now.
            refused = await _maintenance_refusal(self.user, self.scope)
            if refused is not None:
                await self.send_json({"type": "error", "data": refused})
                await self.close(code=CLOSE_MAINTENANCE)
                return
            await self._join_groups()
            self.audiences = await _audiences(self.user)  # a role change applies from here
            await self.send_json({"type": "pong", "data": {}})

    async def live_event(self, message):
        await self.send_json({"type": message["event"], "data": message["data"]})

    async def scoped_event(self, message):
        """An event offered to the whole tenant (``realtime.publish_to_tenant``): delivered
        only if the owning app's visibility rule lets this user see it."""
        event, data = message["event"], message["data"]
        rule = realtime.visibility_rules().get(event)
        if rule is None or data.get("tenant_id") != self.user.tenant_id:
            return
        if event not in self.audiences:  # registered after this socket connected
            self.audiences = await _audiences(self.user)
        if not rule.may_see(self.audiences[event], self.user.id, data):
            return
        await self.send_json({"type": event, "data": {k: data[k] for k in rule.public_fields}})

    async def live_disconnect(self, message):
        await self.close(code=CLOSE_UNAUTHENTICATED)
