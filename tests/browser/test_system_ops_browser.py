"""System administration pages in a real browser: the status page draws its charts (Chart.js)
from the rendered snapshot; every page (configs, modules, announcements, maintenance, scheduled
tasks, status, audit) is photographed in zh/en, at 1280 px and 390 px, into ``var/screenshots``
(or ``$BROWSER_SHOTS``); none overflows a phone, and the Chinese pages show no English health
word or raw status code."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.browser_support import MOBILE, chromium, signed_in_page, wait_until

SHOTS = Path(os.environ.get("BROWSER_SHOTS", settings.BASE_DIR / "var" / "screenshots"))
DESKTOP = {"width": 1280, "height": 800}
PAGES = ("configs", "modules", "announcements", "maintenance", "tasks", "status", "audit")
# Words the pages used to print raw; none may reach a Chinese page's text.
RAW_WORDS = re.compile(
    r"\b(healthy|unhealthy|degraded|down|not_configured|success|succeeded|failure|failed|celery_workers|celery_beat)\b",
    re.IGNORECASE,
)


def _history(root) -> None:
    """A run in the task history and a few audited page posts, so the tables are not empty."""
    from importlib import import_module

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    from portal.system import scheduling

    # ``shipped_rows`` reloads the schedules of system/0004; the minute job is system/0003's
    import_module("portal.system.migrations.0003_schedule_announcements_tick").create(apps, None)
    task = PeriodicTask.objects.get(task="system.announcements_tick")
    scheduling.scheduled_task_execute(by=root, task_id=task.pk)
    client = Client()
    client.force_login(root)
    client.post("/system/tasks/", {"action": "toggle", "task_id": task.pk, "enabled": "0"})
    client.post("/system/tasks/", {"action": "toggle", "task_id": task.pk, "enabled": "1"})
    client.post("/system/tasks/", {"action": "create", "task_name": "坏的", "task_type": "cleanup",
                                   "cron_expression": "61 * * * *"})  # fmt: skip


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rows")
def test_system_pages_render_and_fit_a_phone(live_server, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@ops.local", password="x-Passw0rd!", username="root")
    _history(root)
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        for locale, lang in (("zh-CN", "zh"), ("en", "en")):
            for viewport, size in ((DESKTOP, "1280"), (MOBILE, "390")):
                page = signed_in_page(browser, base, root, locale=locale, viewport=viewport)
                for name in PAGES:
                    response = page.goto(f"{base}/system/{name}/")
                    assert response.status == 200, name
                    if name == "status":
                        wait_until(page, "document.querySelector('[data-live-state]').textContent.length > 0")
                    page.screenshot(path=str(SHOTS / f"system-{name}-{lang}-{size}.png"), full_page=True)
                    if viewport is MOBILE:
                        width = page.evaluate("() => document.documentElement.scrollWidth")
                        assert width <= MOBILE["width"], f"{name} is {width}px wide"
                    if lang == "zh":
                        text = page.inner_text("main") if page.query_selector("main") else page.inner_text("body")
                        assert not RAW_WORDS.findall(text), (name, RAW_WORDS.findall(text))
                page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shipped_rows")
def test_form_labels_stack_above_their_fields_on_a_phone(live_server, django_user_model):
    root = django_user_model.objects.create_superuser(email="root@ops.local", password="x-Passw0rd!", username="root")
    with chromium() as browser:
        page = signed_in_page(browser, live_server.url, root, locale="zh-CN", viewport=MOBILE)
        for name, field in (("audit", "keyword"), ("tasks", "cron_expression")):
            page.goto(f"{live_server.url}/system/{name}/")
            box = page.evaluate(
                """(name) => { const f = document.querySelector(`[name="${name}"]`);
                   const l = document.querySelector(`label[for="${f.id}"]`); const fb = f.getBoundingClientRect();
                   return {field: fb.width, top: fb.top, labelTop: l.getBoundingClientRect().top,
                           text: l.textContent.trim()}; }""",
                field,
            )
            # the field takes the row's width under its label, not a sliver beside it
            assert box["field"] >= MOBILE["width"] * 0.6, (name, box)
            assert box["top"] > box["labelTop"] + 8, (name, box)
        page.context.close()
