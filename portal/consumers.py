"""``/api/ws``: the live-update socket of the desk contract, also used by the portal pages."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from portal import realtime

CLOSE_UNAUTHENTICATED = 4401


@database_sync_to_async
def _user_from_token(raw: str):
    from rest_framework.exceptions import AuthenticationFailed

    from accounts.authentication import SessionTokenAuthentication

    auth = SessionTokenAuthentication()
    try:
        token = auth.get_validated_token(raw.encode())
        user = auth.get_user(token)
    except AuthenticationFailed:
        return None
    if user.tenant_id and not user.tenant.is_usable:
        return None
    return user


def _bearer(scope) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode())
    if query.get("token"):
        return query["token"][0]
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, token = value.decode().partition(" ")
            if kind.lower() == "bearer" and token:
                return token.strip()
    return None


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Authenticates with a JWT (``?token=`` or ``Authorization: Bearer``) or the portal
    session, then joins the user's and the tenant's groups. Only events published to those
    groups (and groups the user is later allowed into) ever reach the socket."""

    async def connect(self):
        realtime.remember_server_loop()
        token = _bearer(self.scope)
        user = await _user_from_token(token) if token else self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.groups_joined = [realtime.user_group(user.id)]
        if user.tenant_id:
            self.groups_joined.append(realtime.tenant_group(user.tenant_id))
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        self.connection_id = f"conn_{uuid.uuid4().hex[:12]}"
        await self.send_json({"type": "connected", "data": {"user_id": user.id, "connection_id": self.connection_id}})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "data": {}})

    async def live_event(self, message):
        await self.send_json({"type": message["event"], "data": message["data"]})
