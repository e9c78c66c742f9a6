"""The one sender of engineer domain events.

A status change (online status, availability, status message, location) is offered after
commit to the tenant's live group as ``engineer_status_changed``; pages showing the engineer
update in place. Who receives it is this app's rule (registered in ``EngineersConfig.ready``):
users holding ``engineer:read``. The payload carries what the directory shows (no coordinates,
no contact details).
"""

from __future__ import annotations

from typing import TypedDict

from django.db import transaction

from portal import realtime
from portal.timestamps import iso_utc

STATUS_CHANGED = "engineer_status_changed"
PUBLIC_FIELDS = (
    "engineer_id",
    "user_id",
    "name",
    "online_status",
    "availability",
    "status_message",
    "city",
    "district",
    "updated_at",
)


class EngineerStatusPayload(TypedDict):
    tenant_id: int
    engineer_id: int
    user_id: int
    name: str
    online_status: str
    availability: str
    status_message: str
    city: str
    district: str
    updated_at: str | None


def status_payload(engineer) -> EngineerStatusPayload:
    updated = engineer.status_updated_at
    return {
        "tenant_id": engineer.tenant_id,
        "engineer_id": engineer.pk,
        "user_id": engineer.user_id,
        "name": engineer.display_name,
        "online_status": engineer.online_status,
        "availability": engineer.availability,
        "status_message": engineer.status_message,
        "city": engineer.city,
        "district": engineer.district,
        "updated_at": iso_utc(updated),
    }


def audience(user) -> bool:
    """Evaluated per socket (on connect and heartbeat): may this user see engineers' status?"""
    return bool(user.has_contract_permission("engineer:read"))


def may_see(audience_value, user_id: int, payload: dict) -> bool:
    return bool(audience_value)


def engineer_status_changed(engineer) -> None:
    """Announce the engineer's new status once the transaction commits (a rolled-back change
    announces nothing; a push the channel layer refuses is kept and resent, never turned into
    an error)."""
    payload = status_payload(engineer)

    def publish_committed() -> None:
        realtime.publish_to_tenant(engineer.tenant_id, STATUS_CHANGED, payload, keep=True)

    transaction.on_commit(publish_committed, robust=True)
