import io

import pytest
from django.core.management import call_command

from tickets.models import Category, Ticket, TicketHistory

pytestmark = pytest.mark.django_db


def test_demo_tickets_are_varied_and_seeding_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Ticket.objects.count(), Category.objects.count(), TicketHistory.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Ticket.objects.count(), Category.objects.count(), TicketHistory.objects.count()) == counts
    demo = Ticket.objects.filter(tenant__code="demo_company")
    assert demo.count() >= 30
    assert set(demo.values_list("status", flat=True)) == {
        "new",
        "assigned",
        "in_progress",
        "paused",
        "resolved",
        "closed",
        "cancelled",
    }
    assert Category.objects.filter(tenant__code="tech_corp", parent__isnull=False).exists()
    assert demo.filter(rating=5).exists() and demo.filter(first_reply_at__isnull=False).exists()
