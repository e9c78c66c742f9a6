"""Dispatch pages render for those who may see them, refuse the others, and their one-click
actions go through the services."""

from __future__ import annotations

import pytest

from dispatch.models import DispatchRecord, DispatchRule
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

PAGES = ["/dispatch/", "/dispatch/workload", "/dispatch/locations", "/dispatch/config"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_a_supervisor(crew, client, path):
    crew.desk.ticket(
        title="打印机卡纸", custom_fields={"location": {"city": "北京市", "latitude": 39.9, "longitude": 116.4}}
    )
    client.force_login(crew.desk.supervisor)
    response = client.get(path)
    assert response.status_code == 200
    assert "<meter" in response.content.decode() or path in ("/dispatch/locations", "/dispatch/config")


@pytest.mark.parametrize("path", PAGES)
def test_requester_is_refused(crew, client, path):
    client.force_login(crew.desk.requester)
    assert client.get(path).status_code == 403


def test_agent_cannot_open_settings(crew, client):
    client.force_login(crew.desk.agent)
    assert client.get("/dispatch/").status_code == 200
    assert client.get("/dispatch/config").status_code == 403


def test_one_click_dispatch_and_batch(crew, client):
    desk = crew.desk
    t1, t2 = desk.ticket(title="打印机卡纸"), desk.ticket(title="VPN 网络断开")
    client.force_login(desk.supervisor)
    response = client.post(f"/dispatch/tickets/{t1.pk}/dispatch", {})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=t1.pk).assigned_to_id == desk.agent.pk
    preview = client.post("/dispatch/batch", {"ticket_ids": [t2.pk], "action": "preview"})
    assert preview.status_code == 200 and "+" in preview.content.decode()
    assert Ticket.objects.get(pk=t2.pk).assigned_to_id is None  # a preview changes nothing
    client.post("/dispatch/batch", {"ticket_ids": [t2.pk], "action": "execute"})
    assert Ticket.objects.get(pk=t2.pk).assigned_to_id == desk.other_agent.pk
    assert DispatchRecord.objects.filter(dispatch_type="batch").count() == 1


def test_rule_editor(crew, client):
    client.force_login(crew.desk.admin)
    client.post(
        "/dispatch/config",
        {
            "kind": "rule",
            "name": "夜间",
            "rule_type": "time",
            "priority": "5",
            "conditions": '{"time_range": {"start": "18:00", "end": "08:00"}}',
            "actions": '{"boost_score": 5}',
        },
    )
    assert DispatchRule.objects.filter(tenant=crew.desk.tenant, name="夜间").exists()
    client.post("/dispatch/config", {"kind": "rule", "name": "坏", "conditions": "{", "actions": "{}"})
    assert not DispatchRule.objects.filter(name="坏").exists()
    client.post(
        "/dispatch/config",
        {
            "kind": "strategy",
            "code": "best_match",
            "skill_weight": "50",
            "workload_weight": "20",
            "location_weight": "20",
            "performance_weight": "10",
        },
    )
    from dispatch.models import DispatchStrategy

    assert DispatchStrategy.objects.get(tenant=crew.desk.tenant, code="best_match").skill_weight == 50


def test_locations_measure_from_an_engineer(crew, client):
    client.force_login(crew.desk.supervisor)
    body = client.get(f"/dispatch/locations?ref=e{crew.expert.pk}").content.decode()
    assert "0.0 km" in body and " km" in body.replace("0.0 km", "", 1)  # the other engineer's distance too
    assert client.get("/dispatch/locations?ref=e999999").status_code == 404


def test_locations_without_a_reference_say_so_instead_of_showing_an_engineer_as_chosen(crew, client):
    client.force_login(crew.desk.supervisor)
    Ticket.objects.filter(tenant=crew.desk.tenant).delete()  # no unassigned ticket with a place
    body = client.get("/dispatch/locations").content.decode()
    assert '<option value="" selected>' in body and " km" not in body
    crew.desk.ticket(
        title="打印机卡纸", custom_fields={"location": {"city": "北京市", "latitude": 39.9, "longitude": 116.4}}
    )
    body = client.get("/dispatch/locations").content.decode()
    assert '<option value="" selected>' not in body and " km" in body  # the located ticket is the reference


def test_manual_dispatch_page_offers_notify_and_passes_it_through(crew, client, django_capture_on_commit_callbacks):
    from portal.notifications.models import Notification

    desk = crew.desk
    quiet, loud = desk.ticket(title="打印机卡纸"), desk.ticket(title="打印机卡纸 2")
    client.force_login(desk.supervisor)
    page = client.get(f"/dispatch/?ticket={quiet.pk}").content.decode()
    # the manual form (the second suggestion) has the notify box, ticked as the API's default
    assert 'name="notify_engineer" value="1" checked' in page and f'id="notify-{crew.novice.pk}"' in page
    # the skills the ticket needs are named as the library names them, not by code
    assert '<span class="badge" title="printer">打印机</span>' in page
    # unticked: assigned through the workflow, but the engineer gets no notification
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/dispatch/tickets/{quiet.pk}/dispatch", {"engineer_id": crew.novice.pk})
    assert response.status_code == 302
    assert Ticket.objects.get(pk=quiet.pk).assigned_to_id == desk.other_agent.pk
    assert DispatchRecord.objects.get(ticket=quiet, dispatch_type="manual").engineer_id == crew.novice.pk
    assert not Notification.objects.filter(ticket_id=quiet.pk, recipient=desk.other_agent).exists()
    # ticked: notified as for any assignment
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/dispatch/tickets/{loud.pk}/dispatch", {"engineer_id": crew.novice.pk, "notify_engineer": "1"})
    assert Ticket.objects.get(pk=loud.pk).assigned_to_id == desk.other_agent.pk
    assert Notification.objects.filter(ticket_id=loud.pk, recipient=desk.other_agent).count() == 1
