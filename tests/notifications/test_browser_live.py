"""live.js in a real browser against a real daphne server: a notification delivered by a worker
shows a toast and bumps the bell count without a reload, and a dropped socket reconnects and
resynchronises the count.

Needs PostgreSQL and Redis (the server runs in another process: an in-memory database or
channel layer cannot cross it). Skipped locally without them, a failure in CI."""

from __future__ import annotations

import threading
from contextlib import ExitStack

import pytest
from django.conf import settings
from django.db import connections

from portal.celery import app as celery_app
from portal.notifications.models import Notification
from portal.notifications.services import notify
from tests.browser_support import chromium, signed_in_page, wait_until
from tests.factories import TenantFactory, UserFactory
from tests.live_server import LiveDaphneTestCase


def as_worker(func, **kwargs):
    """Run ``func`` in another thread, as a celery worker would (Playwright's sync API keeps an
    event loop in this thread, where ``async_to_sync`` refuses to run)."""
    errors = []

    def run():
        try:
            func(**kwargs)
        except Exception as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert errors == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
class TestLiveBell(LiveDaphneTestCase):
    serve_static = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._browser_stack = ExitStack()
        cls.browser = cls._browser_stack.enter_context(chromium())

    @classmethod
    def tearDownClass(cls):
        cls._browser_stack.close()
        super().tearDownClass()

    def setUp(self):
        self._eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True  # the "worker" runs in this process

    def tearDown(self):
        celery_app.conf.task_always_eager = self._eager

    def open_page(self, user):
        page = signed_in_page(self.browser, self.live_server_url, user)
        page.goto(f"{self.live_server_url}/notifications/")
        wait_until(page, "window.OpsPortalLive && window.OpsPortalLive.connected")
        return page

    def test_toast_and_count_appear_without_reload_and_survive_a_drop(self):
        tenant = TenantFactory(code="live_a")
        alice = UserFactory(tenant=tenant, username="alice", roles=["agent"])
        bob = UserFactory(tenant=tenant, username="bob", roles=["agent"])
        Notification.objects.create(tenant=tenant, recipient=alice, type="system", title="旧通知", message="")
        page = self.open_page(alice)
        other = self.open_page(bob)
        bell = page.locator(".notification-bell [data-unread-count]")
        assert bell.inner_text() == "1"
        # when a worker delivers a new notification to alice
        as_worker(
            notify, recipient=alice, type="sla_breached", title="SLA 已违约", message="工单 TK-9 已超时", ticket_id=9
        )
        # then her page shows a toast and the new count within a second or two, without reload
        page.locator("#toasts .toast").get_by_text("SLA 已违约 — 工单 TK-9 已超时").wait_for(timeout=3000)
        wait_until(page, "document.querySelector('.notification-bell [data-unread-count]').textContent === '2'")
        assert page.locator(".notifications-page [data-unread-count]").inner_text() == "2"  # every badge
        assert page.locator("[data-new-notifications]").is_visible()  # the list offers a refresh
        # and bob's page heard nothing
        other.wait_for_timeout(500)
        assert other.locator("#toasts .toast").count() == 0
        page.screenshot(path=str(settings.BASE_DIR / "var" / "notifications-live-toast.png"))
        # when the socket drops and a notification is marked read meanwhile
        page.evaluate("window.OpsPortalLive.setUnread(99)")  # a stale count the resync must correct
        page.context.set_offline(True)
        page.evaluate("window.dispatchEvent(new Event('offline'))")
        wait_until(page, "!window.OpsPortalLive.connected")
        Notification.objects.filter(recipient=alice, title="旧通知").update(read_at="2025-01-01T00:00:00Z")
        page.context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        # then it reconnects and the count comes back from the API
        wait_until(page, "window.OpsPortalLive.connected && window.OpsPortalLive.unread === 1", timeout=40)
