import pytest


@pytest.fixture
def a_ticket(tenant_a, make_user):
    """A ticket of tenant A, for SLAEvent rows (``ticket`` is a foreign key)."""
    from tickets.models import Ticket

    return Ticket.objects.create(tenant=tenant_a, created_by=make_user(tenant_a), number="T-SLA-1", title="SLA")
