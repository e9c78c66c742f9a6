"""Each role's daily path through the ticket pages in a real browser, in Chinese and English,
at phone width (390 px) — where nothing may overflow sideways — and at desktop width, with a
screenshot of every page for people to look at (var/screenshots/tk_*):

- requester: file a ticket, follow the answer, rate it with the stars;
- agent: open their queue, accept, start, reply, resolve with a solution;
- supervisor: select rows and bulk-assign, escalate and transfer from the detail page."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser_support import DESKTOP, MOBILE, chromium, signed_in_page

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


@pytest.fixture
def cast(tenant_a, make_user):
    from tickets import services

    people = {
        "requester": make_user(tenant_a, "user", username="user1", real_name="陈用户"),
        "agent": make_user(tenant_a, "agent", username="agent1", real_name="王工程师"),
        "agent2": make_user(tenant_a, "agent", username="agent2", real_name="赵工程师"),
        "supervisor": make_user(tenant_a, "supervisor", username="supervisor", real_name="李主管"),
        "admin": make_user(tenant_a, "admin", username="admin", real_name="周管理员"),
    }
    hardware = services.category_create(tenant=tenant_a, by=people["admin"], data={"name": "硬件故障", "sla_hours": 8})
    services.category_create(
        tenant=tenant_a, by=people["admin"], data={"name": "打印机", "parent": hardware, "color": "#e11d48"}
    )
    people["tenant"] = tenant_a
    return people


def open_as(browser, live_server, user, lang: str, viewport: dict):
    return signed_in_page(
        browser, live_server.url, user, locale="zh-CN" if lang == "zh" else "en-US", viewport=viewport
    )


def look(page, name: str, lang: str) -> None:
    """At phone width nothing may scroll sideways; every page is photographed for review."""
    page.wait_for_load_state()
    width = page.viewport_size["width"]
    if width <= 390:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390, f"{name} ({lang}) overflows: {scroll}px wide at 390px"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"tk_{name}_{lang}_{width}.png"), full_page=True)


def tour(browser, live_server, user, lang: str, pages: list[tuple[str, str]]) -> None:
    """The pages of a path again, in ``lang``, at both widths."""
    for viewport in (MOBILE, DESKTOP):
        page = open_as(browser, live_server, user, lang, viewport)
        for name, path in pages:
            page.goto(f"{live_server.url}{path}")
            look(page, name, lang)
        page.context.close()


def test_requester_files_follows_and_rates(browser, live_server, cast):
    from tickets import services
    from tickets.models import Ticket

    user = cast["requester"]
    for lang, title in (("zh", "会议室投影仪无信号"), ("en", "Projector shows no signal")):
        page = open_as(browser, live_server, user, lang, MOBILE)
        # files a ticket: a refused submit marks the missing field, then it goes through
        page.goto(f"{live_server.url}/tickets/new/")
        page.click("form.tk-form button[type=submit]")
        page.wait_for_selector(".field.has-error #id_title")
        look(page, "form_errors", lang)
        page.fill("#id_title", title)
        page.fill("#id_description", "HDMI")
        page.select_option("#id_priority", "high")
        page.select_option("#id_category", label="硬件故障")
        page.click("form.tk-form button[type=submit]")
        page.wait_for_url("**/tickets/*/")
        ticket = Ticket.objects.get(title=title)
        look(page, "detail_requester_new", lang)
        # follows it: the agent answers and resolves; the requester reads the solution once
        services.ticket_assign(ticket=ticket, by=cast["supervisor"], assignee=cast["agent"])
        services.comment_create(ticket=ticket, by=cast["agent"], content="马上到")
        ticket = services.ticket_transition(ticket=ticket, to="in_progress", by=cast["agent"])
        services.ticket_transition(
            ticket=ticket, to="resolved", by=cast["agent"], note="换线", data={"resolution_notes": "更换 HDMI 线缆"}
        )
        page.goto(f"{live_server.url}/tickets/mine/")
        look(page, "list_requester", lang)
        page.click(f"a:has-text('{ticket.number}')")
        assert page.locator("text=更换 HDMI 线缆").count() == 1
        assert page.locator("text=马上到").count() == 1
        # rates it with the labelled stars
        page.click("label[for=rating-4]")
        look(page, "detail_requester_rate", lang)
        page.click("#rating button[type=submit]")
        page.wait_for_selector(".tk-stars-static")
        assert Ticket.objects.get(pk=ticket.pk).rating == 4
        look(page, "detail_requester_rated", lang)
        page.context.close()
    tour(browser, live_server, user, "zh", [("form", "/tickets/new/"), ("detail_requester", f"/tickets/{ticket.pk}/")])
    tour(browser, live_server, user, "en", [("form", "/tickets/new/"), ("detail_requester", f"/tickets/{ticket.pk}/")])


def test_agent_works_the_queue(browser, live_server, cast):
    from tickets import services
    from tickets.models import Ticket

    agent = cast["agent"]
    for lang in ("zh", "en"):
        ticket = services.ticket_create(tenant=cast["tenant"], by=cast["requester"], data={"title": f"VPN {lang}"})
        services.ticket_assign(ticket=ticket, by=cast["supervisor"], assignee=agent)
        page = open_as(browser, live_server, agent, lang, MOBILE)
        page.goto(f"{live_server.url}/tickets/unassigned/")
        look(page, "list_unassigned", lang)
        page.goto(f"{live_server.url}/tickets/mine/")
        look(page, "list_agent", lang)
        page.click(f"a:has-text('{ticket.number}')")
        page.click("button[name=do][value=accept]")
        page.wait_for_selector("button[name=do][value=start]")
        page.click("button[name=do][value=start]")
        page.wait_for_selector("#ticket-status.status-in_progress")
        page.fill("#id_content", "已重置 VPN 证书")
        page.click(f"form[action='/tickets/{ticket.pk}/comment/'] button[type=submit]")
        page.wait_for_selector("text=已重置 VPN 证书")
        look(page, "detail_agent", lang)
        page.click("button[data-action=resolve]")
        page.fill("#note-resolve", "证书过期，已重新签发")
        look(page, "dialog_resolve", lang)
        page.click("#dlg-resolve button[type=submit]")
        page.wait_for_selector("#ticket-status.status-resolved")
        ticket = Ticket.objects.get(pk=ticket.pk)
        assert ticket.status == "resolved" and ticket.accepted_at and ticket.first_reply_at
        assert ticket.resolution_notes == "证书过期，已重新签发"
        page.context.close()
    tour(browser, live_server, agent, "zh", [("detail_agent_resolved", f"/tickets/{ticket.pk}/")])


def test_supervisor_bulk_assigns_escalates_and_transfers(browser, live_server, cast):
    from tickets import services
    from tickets.models import Ticket

    boss = cast["supervisor"]
    for lang in ("zh", "en"):
        a, b = (
            services.ticket_create(tenant=cast["tenant"], by=cast["requester"], data={"title": f"{lang} 邮箱 {n}"})
            for n in (1, 2)
        )
        page = open_as(browser, live_server, boss, lang, MOBILE)
        page.goto(f"{live_server.url}/tickets/")
        assert page.locator("[data-bulk-bar]").is_hidden()  # nothing selected, no bar
        look(page, "list_supervisor", lang)
        page.check(f"input[name=ids][value='{a.pk}']")
        page.check(f"input[name=ids][value='{b.pk}']")
        bar = page.locator("[data-bulk-bar]")
        assert bar.is_visible()
        # only moves valid for new tickets: cancel, never close or resolve
        offered = page.evaluate(
            "Array.from(document.querySelectorAll('#bulk-status option'))"
            ".filter(o => o.value && !o.hidden).map(o => o.value)"
        )
        assert offered == ["cancelled"]
        look(page, "list_bulk_bar", lang)
        page.select_option("#bulk-assignee", str(cast["agent"].pk))
        page.click("[data-bulk-op=assign] button[type=submit]")
        page.wait_for_selector(".alert-success")
        assert a.number in page.locator(".alert-success").inner_text()
        assert set(Ticket.objects.filter(pk__in=[a.pk, b.pk]).values_list("assigned_to", flat=True)) == {
            cast["agent"].pk
        }
        # escalate and transfer a from its page
        page.goto(f"{live_server.url}/tickets/{a.pk}/")
        page.click("[data-dialog-open=dlg-escalate]")
        page.fill("#id_reason", "总经理办公室")
        look(page, "dialog_escalate", lang)
        page.click("#dlg-escalate button[type=submit]")
        page.wait_for_selector(".badge-warning")
        page.click("[data-dialog-open=dlg-transfer]")
        page.select_option("#id_transfer-assignee", str(cast["agent2"].pk))
        page.click("#dlg-transfer button[type=submit]")
        page.wait_for_selector("#ticket-assignee:has-text('赵工程师')")
        look(page, "detail_supervisor", lang)
        a.refresh_from_db()
        assert a.is_escalated and a.assigned_to == cast["agent2"]
        page.context.close()
    for lang in ("zh", "en"):
        tour(browser, live_server, cast["admin"], lang, [("categories", "/tickets/categories/")])
        tour(browser, live_server, boss, lang, [("list_all", "/tickets/"), ("detail_staff", f"/tickets/{a.pk}/")])
