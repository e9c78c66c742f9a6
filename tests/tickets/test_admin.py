import pytest
from django.urls import reverse

from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser(email="op@ops.local", password="x", username="op")


def test_admin_lists_deleted_tickets_and_restores_them(client, operator, desk):
    ticket = desk.ticket(title="误删的工单")
    services.ticket_delete(ticket=ticket, by=desk.supervisor)
    client.force_login(operator)
    changelist = reverse("admin:tickets_ticket_changelist")
    assert "误删的工单" not in client.get(changelist).content.decode()
    assert "误删的工单" in client.get(changelist, {"deleted": "yes"}).content.decode()
    assert client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).status_code == 200
    client.post(changelist + "?deleted=yes", {"action": "restore_tickets", "_selected_action": [ticket.pk]})
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_category_tree_admin_renders(client, operator, desk):
    client.force_login(operator)
    response = client.get(reverse("admin:tickets_category_changelist"))
    assert response.status_code == 200 and "硬件" in response.content.decode()
