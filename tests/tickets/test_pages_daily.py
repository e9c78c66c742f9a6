"""The ticket pages as people use them every day (issue 13): the bulk bar offers only what
works and names ticket numbers, requesters see what they need, escalate and transfer have a
page path, a ticket that left your view explains itself, live refreshes are not views."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tickets import selectors, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def row_options(html: str, ticket) -> dict:
    match = re.search(rf'data-ticket-row="{ticket.pk}" data-bulk-statuses="([^"]*)" data-bulk-assign="(\d)"', html)
    assert match, f"row of {ticket.number} not found"
    return {"statuses": match.group(1).split(), "assign": match.group(2) == "1"}


def test_bulk_bar_offers_per_row_only_the_moves_the_services_allow(browser, desk):
    # given a new ticket and a resolved one, seen by the supervisor
    new, done = desk.ticket(), desk.resolved()
    html = browser(desk.supervisor).get(reverse("tickets:list")).content.decode()
    # then the new ticket can be assigned or cancelled, never closed; the resolved one closed or reopened
    assert row_options(html, new) == {"statuses": ["cancelled"], "assign": True}
    assert set(row_options(html, done)["statuses"]) == {"in_progress", "closed"}
    assert row_options(html, done)["assign"] is False
    assert "data-bulk-bar hidden" in html  # the bar waits for a selection


def test_requester_list_has_no_bulk_bar(browser, desk):
    desk.ticket()
    html = browser(desk.requester).get(reverse("tickets:mine")).content.decode()
    assert "data-bulk-bar" not in html and "data-bulk-statuses" not in html


def test_bulk_results_name_ticket_numbers_not_ids(browser, desk):
    a, b = desk.ticket(), desk.resolved()
    hidden = desk.ticket(by=desk.other_requester)
    client = browser(desk.agent)  # an agent does not see another agent's tickets
    services.ticket_assign(ticket=hidden, by=desk.supervisor, assignee=desk.other_agent)
    response = client.post(
        reverse("tickets:bulk"),
        {"ids": [a.pk, b.pk, hidden.pk], "operation": "status", "status": "cancelled"},
        follow=True,
    )
    text = response.content.decode()
    assert b.number in text and f"Ticket {b.pk}" not in text and f"工单 {b.pk}" not in text
    assert hidden.number not in text  # refused without naming what the user cannot see
    assert Ticket.objects.get(pk=b.pk).status == "resolved" and Ticket.objects.get(pk=hidden.pk).status == "assigned"


def test_requester_detail_hides_internal_fields_and_shows_one_deadline(browser, desk):
    ticket = desk.resolved()
    Ticket.objects.filter(pk=ticket.pk).update(resolution_notes="更换了硒鼓")
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    html = browser(desk.requester).get(reverse("tickets:detail", args=[ticket.pk]), **en).content.decode()
    for internal in ("Assigned", "Accepted", "Resolution time", "Views"):
        assert f"<dt>{internal}</dt>" not in html
    assert html.count("更换了硒鼓") == 1  # the solution once
    assert html.count("data-deadline=") <= 1
    staff = browser(desk.agent).get(reverse("tickets:detail", args=[ticket.pk]), **en).content.decode()
    assert "<dt>Views</dt>" in staff and "<dt>Accepted</dt>" in staff


def test_resolving_without_a_reply_counts_as_the_first_response(desk):
    ticket = desk.resolved()
    ticket.refresh_from_db()
    assert ticket.first_reply_at is not None and ticket.first_reply_at == ticket.resolved_at


def test_live_refresh_is_not_a_view(browser, desk):
    ticket = desk.ticket()
    client = browser(desk.supervisor)
    client.get(reverse("tickets:detail", args=[ticket.pk]), headers={"X-Requested-With": "live"})
    client.get(reverse("tickets:detail", args=[ticket.pk]), headers={"X-Requested-With": "live"})
    # then the first real visit is the first view (a counted live refresh would have taken it)
    first = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert re.search(r"<dd>1</dd>", first)


def test_transfer_and_escalate_from_the_detail_page(browser, desk):
    ticket = desk.assigned()
    client = browser(desk.supervisor)
    html = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'id="dlg-transfer"' in html and 'id="dlg-escalate"' in html
    client.post(reverse("tickets:action", args=[ticket.pk, "transfer"]), {"transfer-assignee": desk.other_agent.pk})
    client.post(reverse("tickets:action", args=[ticket.pk, "escalate"]), {"reason": "VIP 用户"})
    ticket.refresh_from_db()
    assert ticket.assigned_to == desk.other_agent and ticket.is_escalated and ticket.priority in ("urgent", "critical")


def test_escalate_without_reason_or_permission_changes_nothing(browser, desk):
    ticket = desk.assigned()
    browser(desk.supervisor).post(reverse("tickets:action", args=[ticket.pk, "escalate"]), {"reason": ""})
    browser(desk.requester).post(reverse("tickets:action", args=[ticket.pk, "escalate"]), {"reason": "急"})
    browser(desk.requester).post(
        reverse("tickets:action", args=[ticket.pk, "transfer"]), {"transfer-assignee": desk.other_agent.pk}
    )
    ticket.refresh_from_db()
    assert not ticket.is_escalated and ticket.assigned_to == desk.agent
    html = browser(desk.requester).get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "dlg-escalate" not in html and "dlg-transfer" not in html


def test_ticket_reassigned_away_explains_itself_instead_of_404(browser, desk, other_desk):
    ticket = desk.assigned()
    services.ticket_transfer(ticket=ticket, by=desk.supervisor, assignee=desk.other_agent)
    response = browser(desk.agent).get(reverse("tickets:detail", args=[ticket.pk]))
    assert response.status_code == 403 and ticket.number in response.content.decode()
    assert "data-ticket-gone" in response.content.decode()
    # someone who never took part, and another tenant, still get a plain 404
    private = desk.assigned(to=desk.other_agent)
    assert browser(desk.agent).get(reverse("tickets:detail", args=[private.pk])).status_code == 404
    assert browser(other_desk.supervisor).get(reverse("tickets:detail", args=[ticket.pk])).status_code == 404


def test_live_event_reaches_whoever_a_ticket_was_reassigned_away_from(desk, captured_events):
    ticket = desk.assigned()
    payload = services.ticket_transfer  # the payload is built in the service's transaction
    from tickets import events

    seen = events.payload_for(events.TRANSFERRED, ticket, desk.supervisor, desk.agent.pk)
    assert seen["previous_assigned_to_id"] == desk.agent.pk
    assert "previous_assigned_to_id" not in events.PUBLIC_FIELDS  # routing only, never sent
    del payload


def test_payload_visibility_includes_the_previous_assignee(desk):
    agent_audience = selectors.ticket_audience(desk.agent)
    moved = {"created_by_id": desk.requester.pk, "assigned_to_id": desk.other_agent.pk,
             "previous_assigned_to_id": desk.agent.pk}  # fmt: skip
    assert selectors.payload_visible(agent_audience, desk.agent.pk, moved)
    assert not selectors.payload_visible(
        agent_audience, desk.agent.pk, {**moved, "previous_assigned_to_id": desk.other_agent.pk}
    )
    requester_audience = selectors.ticket_audience(desk.other_requester)
    assert not selectors.payload_visible(requester_audience, desk.other_requester.pk, moved)


def test_categories_show_as_an_indented_tree_with_colour_swatches(browser, desk):
    child = services.category_create(
        tenant=desk.tenant, by=desk.admin, data={"name": "打印机", "parent": desk.category, "color": "#ff0000"}
    )
    html = browser(desk.admin).get(reverse("tickets:categories")).content.decode()
    assert '<ul class="tree">' in html and "tk-swatch" in html and "background: #ff0000" in html
    assert html.index(desk.category.name) < html.index("<ul>", html.index(desk.category.name)) < html.index(child.name)
    assert "<code" not in html  # no colours as hex text


def test_create_form_marks_required_fields_and_reports_all_errors_at_once(browser, desk):
    response = browser(desk.requester).post(
        reverse("tickets:create"), {"title": "", "type": "incident", "priority": "nope", "customer_email": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and html.count('class="field-error"') == 3
    assert "field is-required" in html and "Title:" not in html and "标题：" not in html
    assert Ticket.objects.count() == 0


def test_notifications_collapse_per_ticket_and_name_people_by_display_name(browser, desk):
    # given a ticket that went through several changes and got a reply
    ticket = desk.in_progress()
    services.comment_create(ticket=ticket, by=desk.agent, content="马上到")
    services.ticket_transition(ticket=ticket, to="resolved", by=desk.agent)
    other = desk.in_progress()
    html = browser(desk.requester).get(reverse("notifications:list")).content.decode()
    # then one row per ticket, the earlier notices folded under it
    assert html.count("data-notification-id=") == 2
    assert html.count("<details") == 1  # the other ticket had one notice only
    assert str(desk.agent) in html and f"{desk.agent.username} " not in html
    assert f"/tickets/{other.pk}/" not in html  # links go through the mark-read form ("Open")
    assert html.count('name="open"') == 2


def test_demo_notices_point_at_real_objects():
    from portal.notifications import demo

    assert all(type_ == "announcement" for _u, type_, *_rest in demo.SAMPLES)
