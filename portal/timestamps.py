"""The one way a moment in time is written for clients: ISO-8601 in UTC with a ``Z``
(``2026-11-30T08:15:00.123456Z``), as both API contracts, the WebSocket events and the
envelopes' ``timestamp`` show it. Pages format for people instead (``{{ value|date }}``)."""

from __future__ import annotations

import datetime


def iso_utc(value: datetime.datetime | None) -> str | None:
    """``value`` (timezone-aware) as ISO-8601 UTC with ``Z``; ``None`` stays ``None``."""
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
