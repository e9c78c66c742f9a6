"""Isolation makers for the tickets app (see tests/isolation.py)."""

from tests.isolation import MARKER, maker, page_object


def _requester(tenant):
    from tests.factories import UserFactory

    return UserFactory(tenant=tenant, username=f"isoreq{tenant.pk}", email=f"isoreq{tenant.pk}@iso.test")


@maker("tickets.Ticket")
def _ticket(tenant):
    from tickets.models import Ticket

    return Ticket.objects.create(
        tenant=tenant,
        number=f"TISO{tenant.pk}",
        title=MARKER,
        description=MARKER,
        customer_name=MARKER,
        created_by=_requester(tenant),
    )


@maker("tickets.Category")
def _category(tenant):
    from tickets.models import Category

    return Category.objects.create(tenant=tenant, code=f"iso-{tenant.pk}", name=MARKER, description=MARKER)


@maker("tickets.TicketAttachment")
def _attachment(tenant):
    from tickets.models import TicketAttachment

    return TicketAttachment.objects.create(
        tenant=tenant, uploaded_by=_requester(tenant), original_name=MARKER, external_url="https://example.com/x"
    )


# Pages that name a ticket object by id (tests/portal/test_page_isolation.py)
page_object("tickets:detail", "tickets.Ticket")
page_object("tickets:edit", "tickets.Ticket")
page_object(
    "tickets:action",
    "tickets.Ticket",
    action=("accept", "reject", "start", "pause", "resolve", "close", "cancel", "assign", "rate"),
)
page_object("tickets:category_edit", "tickets.Category")
page_object("tickets:attachment_download", "tickets.TicketAttachment")
page_object("tickets:attachment_delete", "tickets.TicketAttachment")
