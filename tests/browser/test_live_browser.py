"""Ticket pages update without reload, in real browsers against a real daphne server: the agent
starts work on a ticket in one browser; the requester's detail page and the supervisor's list
show the new status (and the requester a toast) without reloading.

Needs PostgreSQL and Redis (the server runs in another process). Skipped locally without them,
a failure in CI."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from django.conf import settings

from portal.celery import app as celery_app
from tests.browser_support import chromium, signed_in_page, wait_until
from tests.factories import TenantFactory, UserFactory
from tests.live_server import LiveDaphneTestCase
from tickets import services


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
class TestLiveTicketPages(LiveDaphneTestCase):
    serve_static = True
    # The server process delivers the notifications its requests cause itself (no worker here).
    eager_tasks = True

    @classmethod
    def setUpClass(cls):
        cls._eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True
        super().setUpClass()
        cls._browser_stack = ExitStack()
        cls.browser = cls._browser_stack.enter_context(chromium())

    @classmethod
    def tearDownClass(cls):
        cls._browser_stack.close()
        super().tearDownClass()
        celery_app.conf.task_always_eager = cls._eager

    def open_page(self, user, path):
        page = signed_in_page(self.browser, self.live_server_url, user)
        page.goto(f"{self.live_server_url}{path}")
        wait_until(page, "window.OpsPortalLive && window.OpsPortalLive.connected")
        return page

    def test_status_change_appears_in_other_browsers_without_reload(self):
        # given a ticket assigned to the agent, the requester on its page, the supervisor on the list
        tenant = TenantFactory(code="live_t")
        requester = UserFactory(tenant=tenant, username="req", roles=["user"])
        agent = UserFactory(tenant=tenant, username="agent", roles=["agent"])
        supervisor = UserFactory(tenant=tenant, username="sup", roles=["supervisor"])
        ticket = services.ticket_create(
            tenant=tenant, by=requester, data={"title": "打印机无法打印", "description": "卡纸"}
        )
        services.ticket_assign(ticket=ticket, by=supervisor, assignee=agent)
        watcher = self.open_page(requester, f"/tickets/{ticket.pk}/")
        board = self.open_page(supervisor, "/tickets/")
        status = watcher.locator("#ticket-status")
        assert "in_progress" not in status.get_attribute("class")
        watcher.evaluate("window.__notReloaded = true")
        board.evaluate("window.__notReloaded = true")
        # when the agent starts work in their browser
        acting = self.open_page(agent, f"/tickets/{ticket.pk}/")
        acting.locator('button[name="do"][value="start"]').click()
        acting.wait_for_load_state()
        # then the requester sees a toast and the new status, without reload
        watcher.locator("#toasts .toast").first.wait_for(timeout=5000)
        wait_until(
            watcher, "document.querySelector('#ticket-status').classList.contains('tk-status-in_progress')", timeout=5
        )
        assert watcher.evaluate("window.__notReloaded") is True
        # the timeline got the change too
        assert watcher.locator("[data-live-region='timeline'] li.timeline-item").count() >= 2
        # and the supervisor's list row shows it as well
        row = board.locator(f'[data-ticket-row="{ticket.pk}"] .badge').first
        row.wait_for(state="attached")
        wait_until(
            board,
            f"document.querySelector('[data-ticket-row=\"{ticket.pk}\"] .status-in_progress') !== null",
            timeout=5,
        )
        assert board.evaluate("window.__notReloaded") is True
        watcher.screenshot(path=str(settings.BASE_DIR / "var" / "tickets-live-detail.png"))

    def test_lists_drop_reassigned_rows_and_add_new_tickets_as_events_arrive(self):
        # given agent A on "my tickets" with a ticket, agent B on the notifications page and the
        # open queue; every session is made before any browser runs (the test's database
        # connection must not be used while Playwright's loop runs), the changes come from
        # the supervisor's and the requester's browsers
        tenant = TenantFactory(code="live_l")
        requester = UserFactory(tenant=tenant, username="req", roles=["user"])
        agent_a = UserFactory(tenant=tenant, username="agent_a", real_name="王工程师", roles=["agent"])
        agent_b = UserFactory(tenant=tenant, username="agent_b", real_name="赵工程师", roles=["agent"])
        supervisor = UserFactory(tenant=tenant, username="sup", roles=["supervisor"])
        ticket = services.ticket_create(tenant=tenant, by=requester, data={"title": "VPN 无法连接"})
        services.ticket_assign(ticket=ticket, by=supervisor, assignee=agent_a)
        url = self.live_server_url
        pages = {
            name: signed_in_page(self.browser, url, user)
            for name, user in (("mine", agent_a), ("inbox", agent_b), ("queue", agent_b), ("boss", supervisor),
                               ("filer", requester))
        }  # fmt: skip
        mine, inbox, queue, boss, filer = (pages[n] for n in ("mine", "inbox", "queue", "boss", "filer"))
        for page, path in ((mine, "/tickets/mine/"), (inbox, "/notifications/"), (queue, "/tickets/unassigned/")):
            page.goto(f"{url}{path}")
            wait_until(page, "window.OpsPortalLive && window.OpsPortalLive.connected")
            page.evaluate("window.__notReloaded = true")
        row = f'[data-ticket-row="{ticket.pk}"]'
        assert mine.locator(row).count() == 1
        # when the supervisor transfers it to agent B
        boss.goto(f"{url}/tickets/{ticket.pk}/")
        boss.click("[data-dialog-open=dlg-transfer]")
        boss.select_option("#id_transfer-assignee", str(agent_b.pk))
        boss.click("#dlg-transfer button[type=submit]")
        boss.wait_for_selector("#ticket-assignee:has-text('赵工程师')")
        # then it leaves A's list at once, and B's notification list shows the new notice
        wait_until(mine, f"document.querySelector('{row}') === null", timeout=5)
        wait_until(inbox, "document.querySelectorAll('[data-notification-id]').length === 1", timeout=5)
        # when the requester files a new ticket, it appears in the agents' open queue
        filer.goto(f"{url}/tickets/new/")
        filer.fill("#id_title", "打印机卡纸")
        filer.click("form.tk-form button[type=submit]")
        filer.wait_for_url("**/tickets/*/")
        wait_until(queue, "document.querySelector('tr.tk-live-new') !== null", timeout=5)
        assert "打印机卡纸" in queue.locator("tr.tk-live-new").inner_text()
        for page in (mine, inbox, queue):
            assert page.evaluate("window.__notReloaded") is True
        # and opening the ticket that left A's view explains it instead of a 404
        mine.goto(f"{url}/tickets/{ticket.pk}/")
        assert mine.locator("[data-ticket-gone]").count() == 1 and ticket.number in mine.content()
        for page in pages.values():
            page.context.close()

    def test_a_page_that_was_offline_catches_up_after_reconnecting(self):
        # given the requester on the ticket's page and the agent on it too (sessions made first)
        tenant = TenantFactory(code="live_r")
        requester = UserFactory(tenant=tenant, username="req", roles=["user"])
        agent = UserFactory(tenant=tenant, username="agent", roles=["agent"])
        supervisor = UserFactory(tenant=tenant, username="sup", roles=["supervisor"])
        ticket = services.ticket_create(tenant=tenant, by=requester, data={"title": "邮箱无法登录"})
        services.ticket_assign(ticket=ticket, by=supervisor, assignee=agent)
        watcher = self.open_page(requester, f"/tickets/{ticket.pk}/")
        acting = self.open_page(agent, f"/tickets/{ticket.pk}/")
        watcher.evaluate("window.__notReloaded = true")
        in_progress = "document.querySelector('#ticket-status').classList.contains('tk-status-in_progress')"
        # when the requester's network drops and the agent starts work meanwhile
        watcher.context.set_offline(True)
        watcher.evaluate("window.dispatchEvent(new Event('offline'))")
        wait_until(watcher, "!window.OpsPortalLive.connected")
        acting.locator('button[name="do"][value="start"]').click()
        acting.wait_for_load_state()
        watcher.wait_for_timeout(1000)
        assert watcher.evaluate(in_progress) is False  # the push was missed
        # then, back online, the page reconnects and refetches what changed, without a reload
        watcher.context.set_offline(False)
        watcher.evaluate("window.dispatchEvent(new Event('online'))")
        wait_until(watcher, "window.OpsPortalLive.connected")
        wait_until(watcher, in_progress)
        assert watcher.evaluate("window.__notReloaded") is True
