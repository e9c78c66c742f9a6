"""My notification settings in a real browser (issue 13 point 5): in Chinese and English, on a
desktop and a 390 px phone screen, with no horizontal overflow; muting a kind is saved.
Screenshots go to ``var/screenshots`` (or ``$BROWSER_SHOTS``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser_support import MOBILE, chromium, signed_in_page

DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(os.environ.get("BROWSER_SHOTS", settings.BASE_DIR / "var" / "screenshots"))


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_requester_mutes_status_changes(browser, live_server, locale):
    from portal.notifications.models import NotificationPreference
    from tests.factories import TenantFactory, UserFactory

    tenant = TenantFactory(code="notify_co", name="通知公司")
    user = UserFactory(tenant=tenant, username="rita", email="rita@notify.example.com", roles=["user"])
    lang = "zh" if locale.startswith("zh") else "en"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", MOBILE)):
        page = signed_in_page(browser, live_server.url, user, locale=locale, viewport=viewport)
        page.goto(f"{live_server.url}/notifications/settings/")
        page.wait_for_selector('[data-preference="security"] input[disabled]')
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{width}px wide at {viewport['width']}px"
        page.screenshot(path=str(SHOTS / f"notification-settings-{lang}-{name}.png"), full_page=True)
        page.context.close()

    page = signed_in_page(browser, live_server.url, user, locale=locale, viewport=MOBILE)
    page.goto(f"{live_server.url}/notifications/settings/")
    page.uncheck('input[name="ticket_updated-in_app"]')
    with page.expect_navigation():
        page.click('#notification-preferences button[type="submit"]')
    page.wait_for_selector(".alert-success")
    assert not page.is_checked('input[name="ticket_updated-in_app"]')
    page.screenshot(path=str(SHOTS / f"notification-settings-{lang}-saved.png"), full_page=True)
    stored = NotificationPreference.objects.get(user=user, type="ticket_updated")
    assert (stored.in_app, stored.email) == (False, False)
    page.context.close()
