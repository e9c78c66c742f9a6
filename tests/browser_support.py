"""One way for browser tests to start headless Chromium, open a page signed in as a user and
wait for a condition in it.

Debian's Chromium is driven by Playwright (it cannot download its own browsers here). Locally a
test skips when Chromium or Playwright is missing; in CI (CI=true) that is a failure."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.test import Client

from tests.conftest import require_service

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told it is safe (the calls really are synchronous here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 800}
MOBILE = {"width": 390, "height": 844}
# The CI box is shared: be patient, not flaky.
DEFAULT_TIMEOUT_MS = 30_000


@contextmanager
def chromium():
    """A headless Chromium for the duration of the block."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - depends on the machine
        sync_playwright = None
    require_service(sync_playwright is not None, "playwright is not installed")
    require_service(Path(CHROMIUM).exists() or shutil.which("chromium") is not None, f"{CHROMIUM} is missing")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in_page(browser, base_url: str, user, *, locale: str = "zh-CN", viewport: dict | None = None):
    """A new page whose browser holds a real session of ``user`` (as the login page sets it);
    an English ``locale`` also sets the language cookie the switcher would."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale=locale, viewport=viewport or {"width": 1280, "height": 900})
    host = base_url.split("//", 1)[1].split(":")[0]
    cookies = [
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "domain": host, "path": "/"},
    ]  # fmt: skip
    if locale.startswith("en"):
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"})
    context.add_cookies(cookies)
    page = context.new_page()
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    return page


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Wait until the JavaScript ``expression`` is truthy in ``page``.

    It is handed to Playwright as a function: a bare expression string is evaluated with
    ``eval`` inside the page, which the portal's Content-Security-Policy (no 'unsafe-eval')
    refuses."""
    page.wait_for_function(f"() => ({expression})", timeout=timeout * 1000)
