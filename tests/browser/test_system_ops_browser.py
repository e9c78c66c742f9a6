"""Scheduled tasks, system status and audit log in a real browser: the status page draws its
charts (Chart.js) from the rendered snapshot; every page is photographed in zh/en, desktop and
390 px into ``var/screenshots`` (or ``$BROWSER_SHOTS``) and must not overflow on a phone."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser_support import DESKTOP, MOBILE, chromium, signed_in_page, wait_until

SHOTS = Path(os.environ.get("BROWSER_SHOTS", settings.BASE_DIR / "var" / "screenshots"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rows")
def test_ops_pages_render_and_fit_a_phone(live_server, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@ops.local", password="x-Passw0rd!", username="root")
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        for locale, lang in (("zh-CN", "zh"), ("en", "en")):
            for viewport, size in ((DESKTOP, "desktop"), (MOBILE, "390")):
                page = signed_in_page(browser, base, root, locale=locale, viewport=viewport)
                for name in ("tasks", "status", "audit"):
                    page.goto(f"{base}/system/{name}/")
                    if name == "status":
                        wait_until(page, "document.querySelector('[data-live-state]').textContent.length > 0")
                    page.screenshot(path=str(SHOTS / f"system-{name}-{lang}-{size}.png"), full_page=True)
                    if viewport is MOBILE:
                        width = page.evaluate("() => document.documentElement.scrollWidth")
                        assert width <= MOBILE["width"], f"{name} is {width}px wide"
                page.context.close()
