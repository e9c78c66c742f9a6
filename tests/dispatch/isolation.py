"""Isolation makers for the dispatch app (see tests/isolation.py)."""

from tests.isolation import MARKER, maker, page_object


@maker("dispatch.DispatchStrategy")
def _strategy(tenant):
    from dispatch.models import DispatchStrategy

    return DispatchStrategy.objects.create(tenant=tenant, code=f"iso-{tenant.pk}", name=MARKER, description=MARKER)


@maker("dispatch.DispatchRule")
def _rule(tenant):
    from dispatch.models import DispatchRule

    return DispatchRule.objects.create(tenant=tenant, name=MARKER, description=MARKER)


@maker("dispatch.DispatchRecord")
def _record(tenant):
    from dispatch.models import DispatchRecord
    from engineers.models import EngineerProfile
    from tests.factories import UserFactory
    from tickets.models import Ticket

    requester = UserFactory(tenant=tenant, username=f"isodreq{tenant.pk}", email=f"isodreq{tenant.pk}@iso.test")
    agent = UserFactory(
        tenant=tenant, username=f"isodeng{tenant.pk}", real_name=MARKER, email=f"isodeng{tenant.pk}@iso.test"
    )
    ticket = Ticket.objects.create(tenant=tenant, number=f"TDISO{tenant.pk}", title=MARKER, created_by=requester)
    engineer = EngineerProfile.objects.create(tenant=tenant, user=agent, city=MARKER)
    return DispatchRecord.objects.create(
        tenant=tenant, ticket=ticket, engineer=engineer, assignee=agent, dispatch_type="manual", reason=MARKER
    )


# Pages that name a ticket by id (tests/portal/test_page_isolation.py)
page_object("dispatch:dispatch", "tickets.Ticket")
