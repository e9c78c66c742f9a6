"""Bounds every input is checked against, in one place (a core module: no API imports).

- integers: the database's columns hold signed 64-bit ids (``BIGINT``) and 32-bit integers;
  a larger number is refused where it enters (JSON parser, query-string ids, serializers);
- ids: a positive 64-bit integer written in ASCII digits (``"¹"`` passes ``str.isdigit`` and
  fails ``int``; ``"٣"`` passes both and is not an id either);
- dates: ``parse_moment`` accepts what ``django.utils.dateparse`` does and refuses what the
  database cannot store (years outside 1–9999 once converted to UTC);
- text: PostgreSQL refuses NUL characters in text and jsonb.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
#: The largest page number any list accepts (page × 100 rows stays far inside BIGINT).
MAX_PAGE = 1_000_000
#: How deep a JSON body may nest (our largest documented body nests 4 levels).
MAX_JSON_DEPTH = 64

_ASCII_ID = re.compile(r"[0-9]{1,19}")


def parse_id(raw) -> int | None:
    """A positive 64-bit id from text, or ``None`` when ``raw`` is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= BIGINT_MAX else None
    text = str(raw).strip()
    if not _ASCII_ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= BIGINT_MAX else None


def parse_id_list(raw) -> list[int] | None:
    """Comma-separated ids; ``None`` when any item is not an id."""
    items = [item.strip() for item in str(raw).split(",") if item.strip()]
    ids = [parse_id(item) for item in items]
    return None if any(value is None for value in ids) else ids


def parse_moment(raw: str, *, end_of_day: bool = False) -> datetime | None:
    """A date (the whole day in local time) or an ISO-8601 datetime that the database can
    store; ``None`` for anything else (including offsets that push the year out of range)."""
    from datetime import time

    text = (raw or "").strip()
    if not text:
        return None
    try:
        day = parse_date(text) if len(text) == 10 else None
        value = datetime.combine(day, time.max if end_of_day else time.min) if day else parse_datetime(text)
        if value is None:
            return None
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        # In UTC: PostgreSQL takes offsets up to ±15:59 only (``-20:24`` is valid ISO-8601);
        # OverflowError when the offset pushes the year out of 1–9999.
        value = value.astimezone(UTC)
        timezone.localtime(value)
    except (ValueError, OverflowError):
        return None
    return value


def has_nul(value) -> bool:
    """Whether a parsed JSON value holds a NUL character in any key or string."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in str(key):
                    return True
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return False


def json_depth_exceeds(value, limit: int = MAX_JSON_DEPTH) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False
