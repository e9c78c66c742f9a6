"""Knowledge attachments in a real browser: an author adds a file in the editor and finds it on
the document page, whose download link serves it; the editor and the document page with
attachments are photographed in Chinese and English at 1280 and 390 px (var/screenshots/kb_*),
and at 390 px nothing scrolls sideways."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.browser_support import MOBILE, chromium, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))
WIDE = {"width": 1280, "height": 900}
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" + b"0" * 180_000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 4000


@pytest.fixture(autouse=True)
def permission_catalogue(transactional_db):
    from accounts.models import Permission
    from accounts.permission_catalog import sync_permissions

    sync_permissions(Permission)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def look(page, name: str, lang: str) -> None:
    page.wait_for_load_state()
    width = page.viewport_size["width"]
    if width <= 390:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 390, f"{name} ({lang}) overflows: {scroll}px wide at 390px"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"kb_{name}_{lang}_{width}.png"), full_page=True)


def test_author_attaches_files_and_readers_download_them(browser, live_server, tenant_a, make_user, tmp_path):
    from knowledge import services
    from knowledge.models import DocumentAttachment

    author = make_user(tenant_a, "agent", username="agent1", real_name="王工程师")
    document = services.document_create(
        tenant=tenant_a,
        by=author,
        data={"title": "VPN 无法连接的排查步骤", "content": "# 排查步骤\n\n1. 检查网络\n2. 重新登录客户端"},
        uploads=[
            SimpleUploadedFile("VPN客户端安装与证书导入说明（2026年第四季度修订版）.pdf", PDF),
            SimpleUploadedFile("error-dialog.png", PNG),
        ],
    )

    # the editor: pick a file, save, find it on the document page
    page = signed_in_page(browser, live_server.url, author, viewport=WIDE)
    page.goto(f"{live_server.url}/knowledge/{document.pk}/edit/")
    note = tmp_path / "连接日志.txt"
    note.write_text("2026-12-01 08:00 连接超时\n", encoding="utf-8")
    page.set_input_files("#kb-files-input", str(note))
    page.locator("form.kb-editor button.btn-primary").click()
    page.wait_for_url(f"**/knowledge/{document.pk}/")
    assert DocumentAttachment.objects.filter(document=document).count() == 3
    with page.expect_download() as download:
        page.get_by_role("link", name="连接日志.txt").click()
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("2026-12-01")
    page.context.close()

    for lang, locale in (("zh", "zh-CN"), ("en", "en-US")):
        for viewport in (MOBILE, WIDE):
            page = signed_in_page(browser, live_server.url, author, locale=locale, viewport=viewport)
            page.goto(f"{live_server.url}/knowledge/{document.pk}/")
            look(page, "attachments_detail", lang)
            page.goto(f"{live_server.url}/knowledge/{document.pk}/edit/")
            look(page, "attachments_editor", lang)
            page.context.close()
