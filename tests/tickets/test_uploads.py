"""Uploads: size from system config, type by content, generated names, guarded downloads."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.config import set_config
from tickets.models import TicketAttachment

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("shot.png", PNG, "image/png"),
        ("手册.pdf", PDF, "application/pdf"),
        ("a.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("app.log", "错误: 连接超时\n".encode(), "text/plain"),
        ("data.csv", b"a,b\n1,2\n", "text/csv"),
    ],
)
def test_allowed_types_are_detected_by_content(desk, api, name, content, mime):
    ticket = desk.assigned()
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = api(desk.agent).post(f"/api/v1/tickets/{ticket.pk}/attachments", {"file": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    attachment = TicketAttachment.objects.get(pk=response.json()["data"]["id"])
    assert attachment.mime_type == mime and attachment.original_name == name
    # stored under a generated name: 32 hex digits and the extension of the DETECTED type
    stored = attachment.file.name.rsplit("/", 1)[-1]
    assert re.fullmatch(r"[0-9a-f]{32}\.\w+", stored) and stored != name


@pytest.mark.parametrize(
    ("name", "content"),
    [("evil.png", b"MZ\x90\x00\x03\x00\x00\x00"), ("page.html", b"<html>\x00<script>"), ("x.exe", b"\x7fELF\x02")],
)
def test_disallowed_content_is_refused_whatever_the_name(desk, api, name, content):
    ticket = desk.assigned()
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    response = api(desk.agent).post("/api/upload", {"file": upload, "ticket_id": ticket.pk}, format="multipart")
    assert response.status_code == 415 and response.json()["error_code"] == "UNSUPPORTED_FILE_TYPE"
    assert not TicketAttachment.objects.exists()


def test_size_limit_comes_from_tenant_config(desk, api):
    set_config("max_file_size", 1024, tenant=desk.tenant)
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2000)
    response = api(desk.requester).post("/api/upload", {"file": upload}, format="multipart")
    assert response.status_code == 413 and response.json()["error_code"] == "FILE_TOO_LARGE"
    assert not TicketAttachment.objects.exists()


def test_desk_upload_shape_and_download(desk, api):
    response = api(desk.requester).post(
        "/api/upload", {"file": SimpleUploadedFile("用户手册.pdf", PDF), "type": "document"}, format="multipart"
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["original_name"] == "用户手册.pdf" and data["mime_type"] == "application/pdf"
    assert data["file_size"] == len(PDF) and data["filename"].endswith(".pdf")
    download = api(desk.requester).get(data["url"].replace("http://testserver", ""))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    assert api(desk.other_requester).get(data["url"].replace("http://testserver", "")).status_code == 404


def test_ticket_attachment_download_is_guarded_and_delete_is_soft(desk, other_desk, api):
    ticket = desk.assigned()
    r = api(desk.requester).post(
        f"/api/v1/tickets/{ticket.pk}/attachments",
        {"file": SimpleUploadedFile("s.png", PNG), "description": "截图"},
        format="multipart",
    )
    attachment_id = r.json()["data"]["id"]
    url = f"/api/v1/tickets/{ticket.pk}/attachments/{attachment_id}/download"
    assert api(desk.agent).get(url).status_code == 200
    assert api().get(url).status_code == 401
    assert api(other_desk.admin).get(url).status_code == 404
    assert api(desk.other_requester).get(url).status_code == 404
    detail = api(desk.requester).get(f"/api/v1/tickets/{ticket.pk}").json()["data"]
    assert detail["attachments"][0]["filename"] == "s.png" and detail["attachments"][0]["uploaded_by"] == "陈用户"
    assert api(desk.requester).delete(f"/api/v1/tickets/{ticket.pk}/attachments/{attachment_id}").status_code == 403
    assert api(desk.supervisor).delete(f"/api/v1/tickets/{ticket.pk}/attachments/{attachment_id}").status_code == 200
    assert api(desk.agent).get(url).status_code == 404
    assert TicketAttachment.all_objects.get(pk=attachment_id).is_deleted


@pytest.mark.parametrize(("name", "content"), [("photo.png", PDF), ("report.pdf", PNG), ("notes.txt", PNG)])
def test_content_that_contradicts_the_name_is_refused(desk, api, name, content):
    ticket = desk.assigned()
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    response = api(desk.agent).post("/api/upload", {"file": upload, "ticket_id": ticket.pk}, format="multipart")
    assert response.status_code == 415 and response.json()["error_code"] == "UNSUPPORTED_FILE_TYPE"
    assert not TicketAttachment.objects.exists()


def test_v1_refusals_use_the_contract_400_envelope(desk, api):
    ticket = desk.assigned()
    set_config("max_file_size", 1024, tenant=desk.tenant)
    url = f"/api/v1/tickets/{ticket.pk}/attachments"
    for upload in (SimpleUploadedFile("big.pdf", PDF + b"0" * 2000), SimpleUploadedFile("x.png", b"MZ\x90\x00")):
        response = api(desk.agent).post(url, {"file": upload}, format="multipart")
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == 400 and body["data"]["errors"][0]["field"] == "file"
    assert not TicketAttachment.objects.exists()


def test_a_download_is_saved_under_an_extension_of_its_detected_type(desk, api):
    ticket = desk.assigned()
    upload = SimpleUploadedFile("page.html", b"<p>hello</p>\n")  # text: accepted, stored as .txt
    data = api(desk.agent).post(f"/api/v1/tickets/{ticket.pk}/attachments", {"file": upload}, format="multipart")
    attachment_id = data.json()["data"]["id"]
    download = api(desk.agent).get(f"/api/v1/tickets/{ticket.pk}/attachments/{attachment_id}/download")
    assert download["Content-Type"].startswith("text/plain")
    assert 'filename="page.html.txt"' in download["Content-Disposition"]
