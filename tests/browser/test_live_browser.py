"""Ticket pages update without reload, in real browsers against a real daphne server: the agent
starts work on a ticket in one browser; the requester's detail page and the supervisor's list
show the new status (and the requester a toast) without reloading.

Needs PostgreSQL and Redis (the server runs in another process). Skipped locally without them,
a failure in CI."""

from __future__ import annotations

from contextlib import ExitStack

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app
from tests.browser_support import chromium, signed_in_page, wait_until
from tests.conftest import require_service
from tests.factories import TenantFactory, UserFactory
from tickets import services


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
class TestLiveTicketPages(ChannelsLiveServerTestCase):
    serve_static = True

    @classmethod
    def setUpClass(cls):
        redis_layer = "channels_redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"]
        require_service(
            connection.vendor == "postgresql" and redis_layer,
            "needs PostgreSQL and Redis (DATABASE_URL=postgres://… REDIS_URL=redis://…)",
        )
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = connection.settings_dict["NAME"]
        # The server process delivers the notifications its requests cause itself (no worker here).
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
