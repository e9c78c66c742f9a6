"""Who is calling: the one place that reads the caller's address from a request.

Every sign-in record, audit row, lockout counter, maintenance allow list and metrics allow list
uses ``client_ip``, so a deployment behind a proxy changes one function (or its WSGI/ASGI
server's forwarded-address handling) and every consumer agrees."""

from __future__ import annotations


def client_ip(request) -> str | None:
    """The peer address the server saw (``REMOTE_ADDR``), or ``None`` when there is none."""
    meta = getattr(request, "META", None) or {}
    return meta.get("REMOTE_ADDR") or None


def scope_client_ip(scope) -> str | None:
    """The same address for an ASGI connection (a WebSocket): daphne fills the scope's
    ``client`` from the socket, after its proxy-header handling, as it fills ``REMOTE_ADDR``."""
    client = scope.get("client")
    return client[0] if client else None
