"""Document attachments are real uploads, checked like ticket uploads (``portal.uploads``):
the contract's shape in create/update/detail (§5.1), downloads only for readers of the document,
refusals with the v1 400 envelope that store nothing, and removal as a soft delete."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from knowledge.models import Document, DocumentAttachment, DocumentVersion
from portal.config import set_config

pytestmark = pytest.mark.django_db

DOCS = "/api/v1/knowledge/documents"
UPLOAD = "/api/v1/knowledge/attachments"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def local(url: str) -> str:
    return url.replace("http://testserver", "")


def upload(api, user, name, content):
    return api(user).post(UPLOAD, {"file": SimpleUploadedFile(name, content)}, format="multipart")


def document_with_file(kb, api, *, published=False, **data):
    """A document of ``kb.author`` with one PDF, through the API as an integrator does it."""
    link = upload(api, kb.author, "手册.pdf", PDF).json()["data"]
    body = {"title": "VPN 连接手册", "content": "步骤", "attachments": [link], **data}
    document_id = api(kb.author).post(DOCS, body, format="json").json()["data"]["id"]
    document = Document.objects.get(pk=document_id)
    if published:
        api(kb.author).post(f"{DOCS}/{document_id}/submit-review", {}, format="json")
        api(kb.reviewer).post(f"{DOCS}/{document_id}/review", {"action": "approve"}, format="json")
    return document, DocumentAttachment.objects.get(document=document)


# --- API: the contract's shape -----------------------------------------------------------------


def test_upload_then_create_shows_the_documented_attachment_and_downloads_it(kb, api):
    response = upload(api, kb.author, "cpu_monitor.png", PNG)
    assert response.status_code == 200, response.content
    link = response.json()["data"]
    assert set(link) == {"id", "filename", "file_url", "file_size", "file_type"}
    assert (link["filename"], link["file_size"], link["file_type"]) == ("cpu_monitor.png", len(PNG), "image/png")

    body = {
        "title": "Linux服务器故障排查指南",
        "content": "# 指南",
        "attachments": [{"filename": "cpu_monitor.png", "file_url": link["file_url"], "file_size": 2048}],
    }
    created = api(kb.author).post(DOCS, body, format="json")
    assert created.status_code == 200, created.content
    detail = api(kb.author).get(f"{DOCS}/{created.json()['data']['id']}").json()["data"]
    [item] = detail["attachments"]
    # the stored size and the detected type, not what the body claimed
    assert item == {**link, "file_size": len(PNG), "file_type": "image/png"}

    download = api(kb.author).get(local(item["file_url"]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PNG
    stored = DocumentAttachment.objects.get(pk=item["id"]).file.name
    assert re.fullmatch(r"knowledge/\d+/\d{4}/\d{2}/[0-9a-f]{32}\.png", stored)


def test_update_renames_keeps_and_removes_with_a_soft_delete(kb, api):
    document, first = document_with_file(kb, api)
    second = upload(api, kb.author, "日志.txt", "连接超时\n".encode()).json()["data"]
    url = f"{DOCS}/{document.pk}"
    first_url = api(kb.author).get(url).json()["data"]["attachments"][0]["file_url"]

    body = {"title": "VPN 连接手册", "content": "步骤 2"}
    kept = api(kb.author).put(url, body, format="json").json()["data"]
    assert [a["id"] for a in kept["attachments"]] == [first.pk]  # no list: attachments unchanged

    both = {**body, "attachments": [{"filename": "VPN 手册.pdf", "file_url": first_url}, second]}
    data = api(kb.author).put(url, both, format="json").json()["data"]
    assert [a["filename"] for a in data["attachments"]] == ["VPN 手册.pdf", "日志.txt"]

    data = api(kb.author).put(url, {**body, "attachments": [second]}, format="json").json()["data"]
    assert [a["id"] for a in data["attachments"]] == [second["id"]]
    removed = DocumentAttachment.all_objects.get(pk=first.pk)
    assert removed.is_deleted and removed.deleted_at is not None and removed.file  # the file stays
    assert api(kb.author).get(local(first_url)).status_code == 404


def test_a_link_that_is_not_an_upload_of_ours_is_refused_and_nothing_is_created(kb, api):
    before = Document.all_objects.count()
    external = {
        "title": "x",
        "content": "y",
        "attachments": [{"filename": "a.png", "file_url": "https://cdn.example.com/a.png"}],
    }
    response = api(kb.author).post(DOCS, external, format="json")
    assert response.status_code == 400
    assert response.json()["data"]["errors"][0]["field"] == "attachments"
    # another author's waiting upload cannot be taken over
    theirs = upload(api, kb.other_author, "别人的.pdf", PDF).json()["data"]
    response = api(kb.author).post(DOCS, {"title": "x", "content": "y", "attachments": [theirs]}, format="json")
    assert response.status_code == 404
    assert Document.all_objects.count() == before
    assert DocumentAttachment.objects.get(pk=theirs["id"]).document_id is None


# --- refusals: the v1 400 envelope, nothing stored -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("截图.png", PDF),  # content contradicts the name's type
        ("notes.txt", PNG),
        ("photo.jpg", "纯文本而不是图片".encode()),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),  # not an allowed type at all
    ],
)
def test_content_that_does_not_match_is_refused_with_400_and_nothing_stored(kb, api, media, name, content):
    response = upload(api, kb.author, name, content)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and body["data"]["errors"][0]["field"] == "file"
    assert name in body["data"]["errors"][0]["message"]
    assert not DocumentAttachment.all_objects.exists() and stored_files(media) == []


def test_too_large_is_refused_with_400_and_nothing_stored(kb, api, media):
    set_config("max_file_size", 1024, tenant=kb.tenant)
    response = upload(api, kb.author, "big.pdf", PDF + b"0" * 2000)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and body["data"]["errors"] == [{"field": "file", "message": body["message"]}]
    assert body["data"]["max_file_size"] == 1024
    assert not DocumentAttachment.all_objects.exists() and stored_files(media) == []


def test_uploading_needs_the_create_permission(kb, other_kb, api, media):
    assert upload(api, kb.requester, "a.pdf", PDF).status_code == 403
    assert api().post(UPLOAD, {"file": SimpleUploadedFile("a.pdf", PDF)}, format="multipart").status_code == 401
    assert not DocumentAttachment.all_objects.exists() and stored_files(media) == []


# --- who may download -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        # anonymous, other tenant, requester, author, other author, reviewer
        ("draft", [401, 404, 404, 200, 404, 200]),
        ("published_internal", [401, 404, 404, 200, 200, 200]),
        ("published_public", [401, 404, 200, 200, 200, 200]),
    ],
)
def test_api_download_follows_the_document_visibility(kb, other_kb, api, state, expected):
    _document, row = document_with_file(kb, api, published=state != "draft", is_public=state == "published_public")
    url = reverse("v1-knowledge-attachment-download", kwargs={"pk": row.pk})
    actors = [None, other_kb.admin, kb.requester, kb.author, kb.other_author, kb.reviewer]
    assert [api(actor).get(url).status_code for actor in actors] == expected


def test_a_waiting_upload_is_only_for_its_uploader(kb, api):
    link = upload(api, kb.author, "a.pdf", PDF).json()["data"]
    assert api(kb.author).get(local(link["file_url"])).status_code == 200
    assert api(kb.other_author).get(local(link["file_url"])).status_code == 404
    assert api(kb.reviewer).get(local(link["file_url"])).status_code == 404


def test_a_deleted_document_takes_its_files_with_it(kb, api):
    document, row = document_with_file(kb, api, published=True, is_public=True)
    url = reverse("v1-knowledge-attachment-download", kwargs={"pk": row.pk})
    assert api(kb.requester).get(url).status_code == 200
    api(kb.reviewer).delete(f"{DOCS}/{document.pk}")
    assert api(kb.reviewer).get(url).status_code == 404


# --- pages ------------------------------------------------------------------------------------------


def test_editor_uploads_and_the_document_page_links_the_download(kb, client):
    client.force_login(kb.author)
    response = client.post(
        reverse("knowledge:create"),
        {
            "title": "打印机驱动安装",
            "content": "步骤",
            "visibility": "public",
            "difficulty_level": "beginner",
            "files": [SimpleUploadedFile("驱动说明.pdf", PDF), SimpleUploadedFile("截图.png", PNG)],
        },
    )
    assert response.status_code == 302
    document = Document.objects.get(title="打印机驱动安装")
    rows = list(DocumentAttachment.objects.filter(document=document))
    assert [(r.filename, r.file_type) for r in rows] == [("驱动说明.pdf", "application/pdf"), ("截图.png", "image/png")]
    html = client.get(reverse("knowledge:detail", args=[document.pk])).content.decode()
    link = reverse("knowledge:attachment_download", args=[rows[0].pk])
    assert f'href="{link}"' in html and "驱动说明.pdf" in html
    download = client.get(link)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


def test_page_download_is_for_readers_of_the_document_only(kb, other_kb, api, client):
    _document, row = document_with_file(kb, api)  # a draft
    link = reverse("knowledge:attachment_download", args=[row.pk])
    for user, status in ((kb.requester, 404), (kb.other_author, 404), (other_kb.admin, 404), (kb.reviewer, 200)):
        client.force_login(user)
        assert client.get(link).status_code == status, user
    client.logout()
    assert client.get(link).status_code == 302  # to the sign-in page


def test_editor_refuses_a_mismatched_file_and_saves_nothing(kb, client, media):
    client.force_login(kb.author)
    response = client.post(
        reverse("knowledge:create"),
        {
            "title": "不会保存",
            "content": "正文",
            "visibility": "public",
            "difficulty_level": "beginner",
            "files": [SimpleUploadedFile("好的.pdf", PDF), SimpleUploadedFile("伪装.png", b"MZ\x90\x00")],
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "伪装.png" in html and "不会保存" in html  # the reason, and the text is kept
    assert not Document.all_objects.filter(title="不会保存").exists()
    assert not DocumentAttachment.all_objects.exists() and stored_files(media) == []


def test_editor_removes_and_refuses_a_too_large_file_without_a_new_version(kb, api, client, media):
    document, row = document_with_file(kb, api)
    edit = reverse("knowledge:edit", args=[document.pk])
    form = {"title": document.title, "content": "步骤", "visibility": "public", "difficulty_level": "beginner"}
    form["change_type"] = "minor"
    client.force_login(kb.author)
    assert "手册.pdf" in client.get(edit).content.decode()

    set_config("max_file_size", 1024, tenant=kb.tenant)
    files_before, versions_before = stored_files(media), DocumentVersion.objects.filter(document=document).count()
    response = client.post(
        edit, {**form, "remove_attachment": [row.pk], "files": [SimpleUploadedFile("大.pdf", PDF + b"0" * 2000)]}
    )
    assert response.status_code == 200 and "大.pdf" in response.content.decode()
    assert DocumentVersion.objects.filter(document=document).count() == versions_before
    assert not DocumentAttachment.all_objects.get(pk=row.pk).is_deleted  # the removal did not happen either
    assert stored_files(media) == files_before

    response = client.post(edit, {**form, "remove_attachment": [row.pk]})
    assert response.status_code == 302
    assert DocumentAttachment.all_objects.get(pk=row.pk).is_deleted
    assert "手册.pdf" not in client.get(reverse("knowledge:detail", args=[document.pk])).content.decode()


def test_a_file_missing_from_storage_is_a_404_not_a_server_error(kb, api, client):
    _document, row = document_with_file(kb, api)
    row.file.delete(save=False)
    assert api(kb.author).get(reverse("v1-knowledge-attachment-download", kwargs={"pk": row.pk})).status_code == 404
    client.force_login(kb.author)
    assert client.get(reverse("knowledge:attachment_download", args=[row.pk])).status_code == 404
