"""Through the pages in a real browser: user1 files a ticket, the supervisor assigns it to
agent1, agent1 starts and resolves it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser_support import chromium, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


@pytest.fixture(autouse=True)
def permission_catalogue(transactional_db):
    """Transactional tests flush the database, data-migrated permission rows included:
    load the catalogue again before the tenant and its built-in roles are created."""
    from accounts.models import Permission
    from accounts.permission_catalog import sync_permissions

    sync_permissions(Permission)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def page_as(browser, live_server, user):
    return signed_in_page(browser, live_server.url, user)


def test_ticket_goes_from_user1_to_resolved_by_agent1(browser, live_server, tenant_a, make_user):
    from tickets import services
    from tickets.models import Ticket

    user1 = make_user(tenant_a, "user", username="user1", real_name="陈用户")
    supervisor = make_user(tenant_a, "supervisor", username="supervisor", real_name="李主管")
    agent1 = make_user(tenant_a, "agent", username="agent1", real_name="王工程师")
    admin = make_user(tenant_a, "admin", username="admin")
    services.category_create(tenant=tenant_a, by=admin, data={"name": "硬件故障", "sla_hours": 8})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # user1 files a ticket through the create form
    page = page_as(browser, live_server, user1)
    page.goto(f"{live_server.url}/tickets/new/")
    page.fill("#id_title", "会议室投影仪无信号")
    page.fill("#id_description", "HDMI 连接后投影仪显示无信号")
    page.select_option("#id_priority", "high")
    page.select_option("#id_category", label="硬件故障")
    page.click("form.tk-form button[type=submit]")
    page.wait_for_url("**/tickets/*/")
    ticket = Ticket.objects.get(title="会议室投影仪无信号")
    assert ticket.number in page.content()
    assert ticket.created_by == user1 and ticket.status == "new"
    page.context.close()

    # the supervisor assigns it to agent1 from the detail page
    page = page_as(browser, live_server, supervisor)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.select_option("#id_assignee", str(agent1.pk))
    page.click(f"form[action='/tickets/{ticket.pk}/assign/'] button")
    page.wait_for_selector("#ticket-assignee:has-text('王工程师')")
    page.context.close()

    # agent1 starts work, replies and resolves it
    page = page_as(browser, live_server, agent1)
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    page.click("button[value=start]")
    page.wait_for_selector("button[value=resolve]")
    page.fill("#id_content", "已更换 HDMI 线缆")
    page.click(f"form[action='/tickets/{ticket.pk}/comment/'] button")
    page.wait_for_selector("text=已更换 HDMI 线缆")
    page.fill(f"form[action='/tickets/{ticket.pk}/resolve/'] input[name=note]", "线缆损坏，已更换")
    page.click("button[value=resolve]")
    page.wait_for_selector("#ticket-status.tk-status-resolved")
    page.screenshot(path=str(SCREENSHOTS / "ticket_resolved.png"), full_page=True)
    page.context.close()

    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_to, ticket.resolution_notes) == ("resolved", agent1, "线缆损坏，已更换")
    assert ticket.first_reply_at is not None and ticket.resolution_time is not None
