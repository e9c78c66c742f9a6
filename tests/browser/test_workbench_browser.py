"""The workbench in a real browser: charts are drawn, a supervisor drags a widget to another
place and removes one, and after a reload the layout is the one they left. Screenshots of the
workbench in Chinese and English, on a desktop and a 390 px phone, go to var/screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser_support import chromium, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


@pytest.fixture(autouse=True)
def permission_catalogue(transactional_db):
    from accounts.models import Permission
    from accounts.permission_catalog import sync_permissions

    sync_permissions(Permission)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def page_as(browser, live_server, user, *, locale="zh-CN", width=1280, height=900):
    return signed_in_page(browser, live_server.url, user, locale=locale, viewport={"width": width, "height": height})


def _order(page) -> list[str]:
    return page.eval_on_selector_all(".wb-widget", "els => els.map(e => e.dataset.widgetCode)")


def _wait_loaded(page):
    page.wait_for_function(
        "() => [...document.querySelectorAll('.wb-widget')].every(w => w.hasAttribute('data-loaded'))"
    )


def _seed(tenant, make_user):
    from tickets import services

    requester = make_user(tenant, "user", username="user1", real_name="陈用户")
    agent = make_user(tenant, "agent", username="agent1", real_name="王工程师")
    supervisor = make_user(tenant, "supervisor", username="supervisor", real_name="李主管")
    admin = make_user(tenant, "admin", username="admin")
    hardware = services.category_create(tenant=tenant, by=admin, data={"name": "硬件", "sla_hours": 8})
    network = services.category_create(tenant=tenant, by=admin, data={"name": "网络", "sla_hours": 4})
    for n, (title, priority, category) in enumerate(
        [
            ("打印机卡纸", "high", hardware),
            ("VPN 无法连接", "urgent", network),
            ("邮箱容量不足", "normal", None),
            ("显示器闪烁", "low", hardware),
            ("无线网络断线", "high", network),
        ]
    ):
        ticket = services.ticket_create(
            tenant=tenant, by=requester, data={"title": title, "priority": priority, "category": category}
        )
        ticket = services.ticket_assign(ticket=ticket, by=supervisor, assignee=agent)
        if n % 2 == 0:
            ticket = services.ticket_transition(ticket=ticket, to="in_progress", by=agent)
        if n == 0:
            services.ticket_transition(ticket=ticket, to="resolved", by=agent)
    return supervisor, agent


def test_supervisor_rearranges_the_workbench_and_it_persists(browser, live_server, tenant_a, make_user):
    supervisor, _agent = _seed(tenant_a, make_user)
    page = page_as(browser, live_server, supervisor)
    page.goto(f"{live_server.url}/")
    _wait_loaded(page)
    before = _order(page)
    assert before[0] == "ticket_summary" and {"ticket_trends", "workload", "announcements"} <= set(before)
    # the charts are drawn (a canvas each) and each has its table of figures
    assert page.locator(".wb-widget[data-widget-code=ticket_trends] canvas").count() == 1
    assert page.locator(".wb-widget[data-widget-code=backlog_priority] details.wb-table table").count() == 1

    page.click("[data-wb-edit]")
    page.wait_for_selector("[data-wb-editbar]:not([hidden])")
    # drag the trends widget onto the first one
    page.locator(".wb-widget[data-widget-code=ticket_trends]").drag_to(
        page.locator(".wb-widget[data-widget-code=ticket_summary]")
    )
    page.wait_for_selector("#wb-grid[data-saved]")
    # and remove the announcements widget with its button
    saved = page.get_attribute("#wb-grid", "data-saved")
    page.click(".wb-widget[data-widget-code=announcements] [data-wb-action=remove]")
    page.wait_for_function(f"() => document.querySelector('#wb-grid').dataset.saved !== '{saved}'")
    after = _order(page)
    assert after[:2] == ["ticket_trends", "ticket_summary"] and "announcements" not in after
    assert after[2:] == [c for c in before if c not in ("ticket_trends", "ticket_summary", "announcements")]

    page.reload()
    _wait_loaded(page)
    assert _order(page) == after
    page.context.close()

    from portal.dashboard.models import DashboardConfig

    config = DashboardConfig.objects.get(user=supervisor)
    assert [w["widget_code"] for w in config.widget_configs] == after


@pytest.mark.parametrize(
    ("locale", "width", "name"),
    [("zh-CN", 1280, "zh-desktop"), ("en-US", 1280, "en-desktop"), ("zh-CN", 390, "zh-390"), ("en-US", 390, "en-390")],
)
def test_workbench_screenshots(browser, live_server, tenant_a, make_user, locale, width, name):
    supervisor, _agent = _seed(tenant_a, make_user)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = page_as(browser, live_server, supervisor, locale=locale, width=width, height=900 if width > 400 else 844)
    page.goto(f"{live_server.url}/")
    _wait_loaded(page)
    body = page.content()
    assert ("工单趋势" if locale.startswith("zh") else "Ticket trends") in body
    page.screenshot(path=str(SCREENSHOTS / f"workbench-{name}.png"), full_page=True)
    wide = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
        "window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)"
    )
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), wide
    page.goto(f"{live_server.url}/dashboard/statistics/?time_range=7d")
    page.wait_for_selector("[data-st-chart=trend]")
    page.screenshot(path=str(SCREENSHOTS / f"statistics-{name}.png"), full_page=True)
    page.context.close()
