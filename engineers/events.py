"""The one sender of engineer domain events.

A status change (online status, availability, status message, location) is pushed after commit
to the tenant's live group as ``engineer_status_changed``; pages showing the engineer update in
place. The payload carries only what every member of the tenant may see in the directory (no
coordinates, no contact details), so the tenant group is the right audience.
"""

from __future__ import annotations

import datetime
from typing import TypedDict

from portal import realtime

STATUS_CHANGED = "engineer_status_changed"


class EngineerStatusPayload(TypedDict):
    engineer_id: int
    user_id: int
    name: str
    online_status: str
    availability: str
    status_message: str
    updated_at: str | None


def status_payload(engineer) -> EngineerStatusPayload:
    updated = engineer.status_updated_at
    return {
        "engineer_id": engineer.pk,
        "user_id": engineer.user_id,
        "name": engineer.display_name,
        "online_status": engineer.online_status,
        "availability": engineer.availability,
        "status_message": engineer.status_message,
        "updated_at": updated.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z") if updated else None,
    }


def engineer_status_changed(engineer) -> None:
    """Announce the engineer's new status once the transaction commits."""
    realtime.publish_on_commit(realtime.tenant_group(engineer.tenant_id), STATUS_CHANGED, status_payload(engineer))
