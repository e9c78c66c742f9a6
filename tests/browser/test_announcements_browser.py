"""Announcements in a real browser: a tenant administrator composes one for the agents on the
announcements page; it appears as a banner for an agent (not for a requester) and goes away
when dismissed. Screenshots of the system pages in zh/en, desktop and 390 px, go to
``var/screenshots`` (or ``$BROWSER_SHOTS``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser_support import DESKTOP, MOBILE, chromium, signed_in_page

SHOTS = Path(os.environ.get("BROWSER_SHOTS", settings.BASE_DIR / "var" / "screenshots"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def no_overflow(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], f"{page.url} is {width}px wide at {MOBILE['width']}px"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_banner_reaches_targeted_role_and_is_dismissed(live_server):
    from portal.system.models import Announcement
    from tests.factories import TenantFactory, UserFactory

    tenant = TenantFactory(code="ann_co", name="公告公司")
    admin = UserFactory(tenant=tenant, username="boss", roles=["admin"])
    agent = UserFactory(tenant=tenant, username="eng", roles=["agent"])
    requester = UserFactory(tenant=tenant, username="req", roles=["user"])
    base = live_server.url
    with chromium() as browser:
        # the administrator composes an announcement for the agents
        page = signed_in_page(browser, base, admin, viewport=DESKTOP)
        page.goto(f"{base}/system/announcements/")
        page.fill("#id_title", "今晚系统升级")
        page.fill("#id_content", "22:00-23:00 工单系统只读，请提前保存。")
        page.select_option("#id_priority", "high")
        page.check("input[name=target_audience][value=role]")
        page.check("input[name=target_roles][value=agent]")
        with page.expect_navigation():
            page.click("form.form button[type=submit]")
        announcement = Announcement.objects.get(title="今晚系统升级")
        assert announcement.status == "published" and announcement.target_roles == ["agent"]
        assert page.locator(f"[data-announcement-row='{announcement.pk}']").count() == 1

        # the agent sees the banner on every page, the requester does not
        agent_page = signed_in_page(browser, base, agent, viewport=DESKTOP)
        agent_page.goto(f"{base}/")
        banner = agent_page.locator(f"[data-announcement='{announcement.pk}']")
        assert banner.is_visible() and "今晚系统升级" in banner.inner_text()
        shot(agent_page, "announcement-banner-zh-desktop")
        requester_page = signed_in_page(browser, base, requester, viewport=DESKTOP)
        requester_page.goto(f"{base}/")
        assert requester_page.locator("[data-announcement]").count() == 0

        # 390 px: the banner fits; dismissing it keeps it away
        phone = signed_in_page(browser, base, agent, viewport=MOBILE, locale="en")
        phone.goto(f"{base}/notifications/")
        assert phone.locator(f"[data-announcement='{announcement.pk}']").is_visible()
        no_overflow(phone)
        shot(phone, "announcement-banner-en-390")
        with phone.expect_navigation():
            phone.click(f"[data-announcement='{announcement.pk}'] [data-dismiss-announcement]")
        assert phone.locator("[data-announcement]").count() == 0
        phone.goto(f"{base}/")
        assert phone.locator("[data-announcement]").count() == 0

        # the system pages, photographed in both languages and sizes
        for locale, lang in (("zh-CN", "zh"), ("en", "en")):
            for viewport, size in ((DESKTOP, "desktop"), (MOBILE, "390")):
                admin_page = signed_in_page(browser, base, admin, locale=locale, viewport=viewport)
                for name in ("announcements", "maintenance", "configs", "modules"):
                    admin_page.goto(f"{base}/system/{name}/")
                    shot(admin_page, f"system-{name}-{lang}-{size}")
                    if viewport is MOBILE:
                        no_overflow(admin_page)
                admin_page.context.close()
