"""The ticket pages: what each user sees and can do, through the same services."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tickets import services
from tickets.models import Category, Ticket, TicketComment

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_anonymous_is_sent_to_login(client, desk):
    ticket = desk.ticket()
    for name, args in [("tickets:list", []), ("tickets:detail", [ticket.pk]), ("tickets:create", [])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_list_filters_search_and_visibility(browser, desk):
    mine = desk.ticket(title="VPN 故障")
    desk.ticket(title="别人的工单", by=desk.other_requester)
    page = browser(desk.requester).get(reverse("tickets:mine")).content.decode()
    assert mine.number in page and "别人的工单" not in page
    staff = browser(desk.supervisor)
    page = staff.get(reverse("tickets:list"), {"q": "VPN"}).content.decode()
    assert "VPN 故障" in page and "别人的工单" not in page
    page = staff.get(reverse("tickets:list"), {"status": ["new"], "sort": "priority", "order": "asc"}).content.decode()
    assert "VPN 故障" in page and "别人的工单" in page


def test_other_tenant_ticket_is_404(browser, desk, other_desk):
    ticket = desk.ticket()
    assert browser(other_desk.admin).get(reverse("tickets:detail", args=[ticket.pk])).status_code == 404


def test_mine_and_unassigned_views(browser, desk):
    queued = desk.ticket(title="排队中")
    held = desk.assigned(title="处理中的")
    agent = browser(desk.agent)
    assert "排队中" in agent.get(reverse("tickets:unassigned")).content.decode()
    assert "处理中的" not in agent.get(reverse("tickets:unassigned")).content.decode()
    mine = agent.get(reverse("tickets:mine")).content.decode()
    assert held.number in mine and queued.number not in mine


@pytest.mark.parametrize("size", [2, 30])
def test_list_page_query_count_is_fixed(browser, desk, django_assert_max_num_queries, size):
    for _ in range(size):
        desk.assigned(category=desk.category)
    client = browser(desk.supervisor)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("tickets:list"), {"size": 50}).status_code == 200


def test_detail_offers_only_allowed_actions(browser, desk):
    ticket = desk.assigned()
    services.comment_create(ticket=ticket, by=desk.agent, content="内部线索", is_internal=True)
    agent_page = browser(desk.agent).get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    for action in ("accept", "reject", "start"):
        assert reverse("tickets:action", args=[ticket.pk, action]) in agent_page
    assert reverse("tickets:action", args=[ticket.pk, "pause"]) not in agent_page  # not started yet
    assert reverse("tickets:action", args=[ticket.pk, "close"]) not in agent_page  # not resolved yet
    assert "内部线索" in agent_page
    requester_page = browser(desk.requester).get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert reverse("tickets:action", args=[ticket.pk, "start"]) not in requester_page
    assert "内部线索" not in requester_page


def test_create_edit_and_workflow_through_pages(browser, desk):
    requester = browser(desk.requester)
    response = requester.post(
        reverse("tickets:create"),
        {
            "title": "显示器不亮",
            "type": "incident",
            "priority": "high",
            "category": desk.category.pk,
            "tags": "硬件，显示器",
        },
    )
    ticket = Ticket.objects.get(title="显示器不亮")
    assert response.status_code == 302 and ticket.tags == ["硬件", "显示器"] and ticket.source == "web"
    supervisor = browser(desk.supervisor)
    supervisor.post(reverse("tickets:action", args=[ticket.pk, "assign"]), {"assignee": desk.agent.pk})
    agent = browser(desk.agent)
    agent.post(reverse("tickets:action", args=[ticket.pk, "start"]))
    agent.post(reverse("tickets:action", args=[ticket.pk, "comment"]), {"content": "正在检查线缆"})
    agent.post(reverse("tickets:action", args=[ticket.pk, "resolve"]), {"note": "更换线缆"})
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution_notes, ticket.first_reply_at is not None) == ("resolved", "更换线缆", True)
    timeline = agent.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "assigned_to_id" not in timeline and "→ in_progress" not in timeline
    assert "王工程师" in timeline and "正在检查线缆" in timeline
    response = agent.post(
        reverse("tickets:edit", args=[ticket.pk]),
        {"title": "显示器不亮（已修复）", "type": "incident", "priority": "normal"},
    )
    assert response.status_code == 302 and Ticket.objects.get(pk=ticket.pk).title == "显示器不亮（已修复）"
    requester = browser(desk.requester)
    requester.post(reverse("tickets:action", args=[ticket.pk, "rate"]), {"rating": 4})
    assert Ticket.objects.get(pk=ticket.pk).rating == 4


def test_refused_page_action_changes_nothing(browser, desk):
    ticket = desk.assigned()
    response = browser(desk.requester).post(reverse("tickets:action", args=[ticket.pk, "start"]), follow=True)
    assert response.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).status == "assigned"
    browser(desk.requester).post(
        reverse("tickets:action", args=[ticket.pk, "comment"]), {"content": "x", "is_internal": "on"}
    )
    assert not TicketComment.objects.exists()


def test_bulk_assign_and_status_from_the_list(browser, desk):
    a, b = desk.ticket(), desk.ticket()
    client = browser(desk.supervisor)
    client.post(reverse("tickets:bulk"), {"ids": [a.pk, b.pk], "operation": "assign", "assignee": desk.agent.pk})
    assert set(Ticket.objects.values_list("assigned_to", flat=True)) == {desk.agent.pk}
    response = client.post(
        reverse("tickets:bulk"), {"ids": [a.pk], "operation": "status", "status": "closed"}, follow=True
    )
    assert Ticket.objects.get(pk=a.pk).status == "assigned"
    assert "INVALID" not in response.content.decode()


def test_attachment_upload_and_download_page(browser, desk, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = desk.assigned()
    agent = browser(desk.agent)
    agent.post(
        reverse("tickets:action", args=[ticket.pk, "upload"]),
        {"file": SimpleUploadedFile("log.txt", "超时\n".encode())},
    )
    attachment = ticket.attachments.get()
    response = agent.get(reverse("tickets:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"
    assert (
        browser(desk.other_requester).get(reverse("tickets:attachment_download", args=[attachment.pk])).status_code
        == 404
    )


def test_categories_page_is_for_managers(browser, desk):
    assert browser(desk.requester).get(reverse("tickets:categories")).status_code == 403
    admin = browser(desk.admin)
    assert "硬件" in admin.get(reverse("tickets:categories")).content.decode()
    response = admin.post(
        reverse("tickets:categories"),
        {
            "name": "网络",
            "parent": desk.category.pk,
            "color": "#10b981",
            "sort_order": 0,
            "is_active": "on",
            "sla_hours": 8,
        },
    )
    assert response.status_code == 302
    child = Category.objects.get(name="网络")
    assert child.parent == desk.category and child.sla_hours == 8
    admin.post(
        reverse("tickets:category_edit", args=[child.pk]),
        {"name": "网络设备", "color": "#10b981", "sort_order": 0, "is_active": "on"},
    )
    child.refresh_from_db()
    assert child.name == "网络设备" and child.parent is None


class TestPlatformPrincipal:
    """The platform super admin manages tenants; tickets live inside a tenant."""

    def test_gets_a_clear_refusal_on_ticket_pages_not_a_500(self, client, db):
        from accounts.models import User
        from tests.factories import TEST_PASSWORD

        operator = User.objects.create_superuser(email="ops@platform.test", password=TEST_PASSWORD)
        client.force_login(operator)
        for name in ("tickets:create", "tickets:list"):
            response = client.get(reverse(name))
            assert response.status_code == 403
            assert "平台账号" in response.content.decode() or "Platform accounts" in response.content.decode()
        response = client.post(reverse("tickets:create"), {"title": "x"})
        assert response.status_code == 403

    def test_api_create_is_refused_cleanly_and_creates_nothing(self, db, api):
        from accounts.models import User
        from tests.factories import TEST_PASSWORD
        from tickets.models import Ticket

        operator = User.objects.create_superuser(email="ops2@platform.test", password=TEST_PASSWORD)
        response = api(operator).post("/api/v1/tickets", {"title": "平台工单"}, format="json")
        assert response.status_code == 403, response.content[:300]
        response = api(operator).post("/api/tickets", {"title": "平台工单"}, format="json")
        assert response.status_code == 403, response.content[:300]
        assert not Ticket.all_objects.exists()
