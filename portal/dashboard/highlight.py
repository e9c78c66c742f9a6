"""Safe highlighting for search results: the text is escaped first, then the matches of the
query are wrapped in ``<em>`` — the only markup a highlight ever contains."""

from __future__ import annotations

import re
from html import escape

SNIPPET = 80


def snippet(text: str, query: str, *, width: int = SNIPPET) -> str:
    """The part of ``text`` around the first match of ``query`` (the start if none)."""
    text = " ".join((text or "").split())
    index = text.lower().find((query or "").lower()) if query else -1
    if index < 0 or len(text) <= width:
        return text[:width] + ("…" if len(text) > width else "")
    start = max(0, index - width // 3)
    end = min(len(text), start + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def highlight(text: str, query: str) -> str:
    """``text`` as HTML with every case-insensitive occurrence of ``query`` in ``<em>``."""
    text = text or ""
    query = (query or "").strip()
    if not query:
        return escape(text, quote=True)
    parts = re.split(f"({re.escape(query)})", text, flags=re.IGNORECASE)
    return "".join(
        f"<em>{escape(part, quote=True)}</em>" if i % 2 else escape(part, quote=True) for i, part in enumerate(parts)
    )
