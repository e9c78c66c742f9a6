"""The dispatch console in a real browser: a supervisor opens it, sees the suggestions for an
unassigned ticket with their score breakdown bars and reasons, dispatches with one click, and
the ticket shows as assigned to that engineer — in Chinese and English; on a 390 px phone the
console does not scroll sideways. Screenshots of the console, an engineer's profile, the edit
page and the batch preview (zh/en, 1280/390 px) go to var/screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser_support import chromium, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))
OVERFLOW = (
    "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
    "window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)"
)


@pytest.fixture(autouse=True)
def permission_catalogue(transactional_db):
    from accounts.models import Permission
    from accounts.permission_catalog import sync_permissions

    sync_permissions(Permission)


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _seed(tenant, make_user):
    """Two engineers (a printer expert in Chaoyang, a network engineer in Haidian) and three
    unassigned tickets from Beijing."""
    from tests.dispatch.conftest import Crew
    from tests.tickets.conftest import _cast

    crew = Crew(_cast(tenant, make_user, "a_"))
    crew.expert.title, crew.expert.employee_no = "桌面支持工程师", "BJ-001"
    crew.expert.save()
    place = {"location": {"city": "北京市", "district": "朝阳区", "latitude": 39.93, "longitude": 116.44}}
    tickets = [
        crew.desk.ticket(title="三楼打印机卡纸，无法打印", priority="high", custom_fields=place),
        crew.desk.ticket(title="VPN 网络断开", priority="urgent", custom_fields=place),
        crew.desk.ticket(title="打印机缺墨", priority="normal", custom_fields=place),
    ]
    return crew, tickets


def _page(browser, live_server, user, locale, width):
    viewport = {"width": width, "height": 900 if width > 400 else 844}
    return signed_in_page(browser, live_server.url, user, locale=locale, viewport=viewport)


def _no_overflow(page):
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), page.evaluate(OVERFLOW)


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("en-US", "en")])
def test_supervisor_dispatches_a_suggestion_with_one_click(browser, live_server, tenant_a, make_user, locale, lang):
    from tickets.models import Ticket

    crew, tickets = _seed(tenant_a, make_user)
    ticket = tickets[0]
    words = {
        "zh": {"considered": "名工程师", "dispatched": "已派给", "skill": "技能", "online": "在线"},
        "en": {
            "considered": "engineers considered",
            "dispatched": "dispatched to",
            "skill": "Skill",
            "online": "Online",
        },
    }[lang]

    # on a phone the console fits the screen
    phone = _page(browser, live_server, crew.desk.supervisor, locale, 390)
    phone.goto(f"{live_server.url}/dispatch/?ticket={ticket.pk}")
    phone.wait_for_selector(".suggestion meter")
    _no_overflow(phone)
    phone.context.close()

    page = _page(browser, live_server, crew.desk.supervisor, locale, 1280)
    page.goto(f"{live_server.url}/dispatch/?ticket={ticket.pk}")
    assert words["considered"] in page.inner_text("main")
    first = page.locator(".suggestion").first
    # a score breakdown bar per factor, each with its figure, and a reason in the page's language
    assert first.locator(".score-bars meter").count() == 4
    assert words["skill"] in first.locator(".score-bars").inner_text()
    values = [float(v) for v in first.locator(".score-bars meter").evaluate_all("ms => ms.map(m => m.value)")]
    assert all(0 <= v <= 100 for v in values) and max(values) > 0
    assert first.locator(".reason").inner_text().strip()
    assert "王工程师" in first.inner_text()  # the printer expert ranks first
    assert words["online"] in first.locator(".badge").inner_text()  # the status in the page's language

    first.get_by_role("button").first.click()
    page.wait_for_url(f"{live_server.url}/dispatch/")
    assert words["dispatched"] in page.inner_text("main")
    # the ticket has left the unassigned queue and shows its engineer
    assert ticket.number not in page.inner_text("aside")
    page.goto(f"{live_server.url}/tickets/{ticket.pk}/")
    assert page.inner_text("#ticket-assignee").strip() == "王工程师"
    assert Ticket.objects.get(pk=ticket.pk).assigned_to_id == crew.desk.agent.pk
    page.context.close()


@pytest.mark.parametrize(("locale", "lang"), [("zh-CN", "zh"), ("en-US", "en")])
def test_dispatch_and_engineer_screenshots(browser, live_server, tenant_a, make_user, locale, lang):
    crew, tickets = _seed(tenant_a, make_user)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        name = f"{lang}-{width}"
        page = _page(browser, live_server, crew.desk.supervisor, locale, width)
        page.goto(f"{live_server.url}/dispatch/?ticket={tickets[0].pk}")
        page.wait_for_selector(".suggestion meter")
        page.screenshot(path=str(SCREENSHOTS / f"dispatch-console-{name}.png"), full_page=True)
        _no_overflow(page)

        page.goto(f"{live_server.url}/engineers/{crew.expert.pk}/")
        page.wait_for_selector(".eng-chart-plot")
        page.screenshot(path=str(SCREENSHOTS / f"engineer-profile-{name}.png"), full_page=True)
        _no_overflow(page)

        page.goto(f"{live_server.url}/engineers/{crew.expert.pk}/edit/")
        page.wait_for_selector("form[data-section=schedule]")
        page.screenshot(path=str(SCREENSHOTS / f"engineer-edit-{name}.png"), full_page=True)
        _no_overflow(page)
        # the same page after a refused save: every error of the section at once
        page.fill("#id_latitude", "95")
        page.fill("#id_longitude", "")
        page.click("form[data-section=profile] button[type=submit]")
        page.wait_for_selector("form[data-section=profile] .field-error")
        assert page.url.endswith("#profile")  # the refused section is in view, not the top of the page
        page.screenshot(path=str(SCREENSHOTS / f"engineer-edit-errors-{name}.png"), full_page=True)
        page.locator("#profile").screenshot(path=str(SCREENSHOTS / f"engineer-edit-profile-section-{name}.png"))
        page.locator("#schedule").screenshot(path=str(SCREENSHOTS / f"engineer-edit-schedule-section-{name}.png"))
        _no_overflow(page)

        page.goto(f"{live_server.url}/dispatch/")
        page.click(".card-footer button[type=submit]")  # preview the plan for the ticked queue
        page.wait_for_selector("table")
        page.screenshot(path=str(SCREENSHOTS / f"dispatch-batch-{name}.png"), full_page=True)
        _no_overflow(page)
        page.context.close()
