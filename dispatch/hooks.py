"""How dispatch plugs into other apps without them importing it: new tenants get the built-in
strategies (``tenants.provisioning``), and new tickets may be dispatched automatically (a
``tickets.events`` subscriber, run after the creating transaction commits)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def on_ticket_event(payload) -> None:
    """After commit of a ticket creation: queue automatic dispatch if the ticket is unassigned
    (the task checks the tenant's config and does nothing when it is off)."""
    from tickets import events

    if payload["event"] != events.CREATED or payload["assigned_to_id"] is not None:
        return
    from portal.config import get_config
    from tenants.models import Tenant

    tenant = Tenant.objects.filter(pk=payload["tenant_id"]).first()
    if tenant is None or not get_config("dispatch.auto_dispatch.enabled", tenant=tenant):
        return
    from dispatch.tasks import auto_dispatch_ticket

    auto_dispatch_ticket.delay(payload["ticket_id"])


def register() -> None:
    from dispatch.services import ensure_strategies_on_create
    from tenants.provisioning import on_tenant_created
    from tickets import events

    on_tenant_created(ensure_strategies_on_create)
    events.subscribe(on_ticket_event)
