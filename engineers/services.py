"""Every write of the engineers domain: keyword-only, transactional, checking its own
permission code and relation rules (``engineers.policy``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def validate_skill_levels(value) -> list[dict]:
    """A skill's level definitions: a list of {level 1–5, name, description}, levels unique,
    returned sorted by level."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(_("Level definitions are a list."))
    seen = set()
    out = []
    for row in value:
        if not isinstance(row, dict) or not isinstance(row.get("level"), int) or not 1 <= row["level"] <= 5:
            raise ValidationError(_('Each level is {"level": 1-5, "name": …, "description": …}.'))
        if row["level"] in seen:
            raise ValidationError(_("Level %(level)s is defined twice.") % {"level": row["level"]})
        seen.add(row["level"])
        out.append(
            {
                "level": row["level"],
                "name": str(row.get("name") or "")[:64],
                "description": str(row.get("description") or "")[:500],
            }
        )
    return sorted(out, key=lambda r: r["level"])
