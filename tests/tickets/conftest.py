from __future__ import annotations

from dataclasses import dataclass

import pytest

from tickets import services
from tickets.models import Category


@dataclass
class Desk:
    """One tenant's cast: a requester, two agents, a supervisor and an admin."""

    tenant: object
    requester: object
    other_requester: object
    agent: object
    other_agent: object
    supervisor: object
    admin: object
    category: object

    def ticket(self, by=None, **data):
        data.setdefault("title", "打印机无法打印")
        data.setdefault("description", "三楼打印机卡纸")
        return services.ticket_create(tenant=self.tenant, by=by or self.requester, data=data)

    def assigned(self, to=None, **data):
        ticket = self.ticket(**data)
        return services.ticket_assign(ticket=ticket, by=self.supervisor, assignee=to or self.agent)

    def in_progress(self, **data):
        ticket = self.assigned(**data)
        return services.ticket_transition(ticket=ticket, to="in_progress", by=self.agent)

    def resolved(self, **data):
        ticket = self.in_progress(**data)
        return services.ticket_transition(ticket=ticket, to="resolved", by=self.agent)


def _cast(tenant, make_user, prefix):
    supervisor = make_user(tenant, "supervisor", username=f"{prefix}sup", real_name="李主管")
    desk = Desk(
        tenant=tenant,
        requester=make_user(tenant, "user", username=f"{prefix}req", real_name="陈用户"),
        other_requester=make_user(tenant, "user", username=f"{prefix}req2"),
        agent=make_user(tenant, "agent", username=f"{prefix}agent", real_name="王工程师"),
        other_agent=make_user(tenant, "agent", username=f"{prefix}agent2"),
        supervisor=supervisor,
        admin=make_user(tenant, "admin", username=f"{prefix}admin"),
        category=None,
    )
    desk.category = services.category_create(
        tenant=tenant, by=desk.admin, data={"name": "硬件", "code": "hardware", "sla_hours": 4}
    )
    return desk


@pytest.fixture
def desk(tenant_a, make_user):
    return _cast(tenant_a, make_user, "a_")


@pytest.fixture
def other_desk(tenant_b, make_user):
    return _cast(tenant_b, make_user, "b_")


@pytest.fixture
def captured_events():
    from tickets import events

    seen = []
    events.subscribe(seen.append)
    yield seen
    events.unsubscribe(seen.append)


__all__ = ["Category", "Desk"]
