"""The answers schema fuzzing found off their documents (issue 15), pinned one by one: each
call's real body validates against its operation and status in the published schema, and a
refused call changed nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from knowledge.models import Document
from portal.models import SystemConfig
from portal.system.models import ModuleState
from tests.portal.test_openapi import SCHEMAS, validate_body

pytestmark = pytest.mark.django_db


def check(route: str, method: str, response, status: int):
    assert response.status_code == status, response.content[:500]
    validate_body(SCHEMAS["v1"], SCHEMAS["v1"]["paths"][route][method], status, response.json())
    return response.json()


def test_module_list_naming_a_tenant_that_is_not_the_callers_is_a_documented_404(api, tenant_a, tenant_b, make_user):
    admin = api(make_user(tenant_a, "admin"))
    route = "/api/v1/admin/system/modules"
    for tenant_id in (tenant_b.pk, 987654321):
        body = check(route, "get", admin.get(route, {"tenant_id": tenant_id}), 404)
        assert body["code"] == 404
    own = check(route, "get", admin.get(route, {"tenant_id": tenant_a.pk}), 200)
    assert own["data"] and not ModuleState.objects.exists()


def test_system_config_refusing_several_values_answers_documented_field_errors(api, tenant_a, make_user):
    admin = api(make_user(tenant_a, "admin"))
    route = "/api/v1/config/system"
    body = {"site_name": "好名字", "session_timeout": 10, "password_policy": {"min_length": 1}}
    refused = check(route, "put", admin.put(route, body, format="json"), 400)
    errors = refused["data"]["errors"]
    assert {e["field"] for e in errors} == {e["config_key"] for e in errors} >= {"system.session.timeout"}
    assert not SystemConfig.objects.exists()


def test_knowledge_document_creation_answers_the_documented_200(api, tenant_a, make_user):
    author = api(make_user(tenant_a, "agent"))
    route = "/api/v1/knowledge/documents"
    body = check(route, "post", author.post(route, {"title": "打印机卡纸", "content": "先关机"}, format="json"), 200)
    assert Document.objects.get(pk=body["data"]["id"]).title == "打印机卡纸"


def test_announcement_list_answers_the_documented_page(api, tenant_a, make_user):
    admin = api(make_user(tenant_a, "admin"))
    route = "/api/v1/admin/system/announcements"
    body = check(route, "get", admin.get(route), 200)
    assert body["data"]["items"] == [] and body["data"]["total"] == 0


def documented_media(contract: str, route: str, method: str, status: int, content_type: str) -> bool:
    """Whether the response's content type is one the schema documents for ``status`` (a
    range such as ``*/*`` or ``text/*`` included, as schemathesis matches them)."""
    content = SCHEMAS[contract]["paths"][route][method]["responses"][str(status)]["content"]
    main, sub = content_type.split(";")[0].strip().split("/")
    return any(media in ("*/*", f"{main}/*", f"{main}/{sub}") for media in content)


@pytest.mark.parametrize(("contract", "route"), [("v1", "/api/v1/tickets/{id}"), ("desk", "/api/tickets/{id}")])
def test_ticket_deletion_answers_the_documented_null_data(desk, api, contract, route):
    ticket = desk.ticket()
    response = api(desk.admin).delete(route.format(id=ticket.pk))
    assert response.status_code == 200, response.content[:500]
    assert response.json()["data"] is None
    operation = SCHEMAS[contract]["paths"][route]["delete"]
    validate_body(SCHEMAS[contract], operation, 200, response.json())
    assert api(desk.admin).get(route.format(id=ticket.pk)).status_code == 404


def test_recommendations_for_an_unknown_category_are_a_documented_404(desk, api):
    route = "/api/v1/knowledge/recommendations"
    response = api(desk.agent).get(route, {"context": "category", "category_id": 987654321})
    assert check(route, "get", response, 404)["code"] == 404


TEXT = "错误: 连接超时\n".encode()


def test_a_ticket_attachment_download_has_a_documented_content_type(desk, api):
    ticket = desk.assigned()
    upload = SimpleUploadedFile("app.log", TEXT)
    stored = api(desk.agent).post(f"/api/v1/tickets/{ticket.pk}/attachments", {"file": upload}, format="multipart")
    assert stored.status_code == 200, stored.content[:500]
    route = "/api/v1/tickets/{id}/attachments/{attachment_id}/download"
    response = api(desk.agent).get(route.format(id=ticket.pk, attachment_id=stored.json()["data"]["id"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert b"".join(response.streaming_content) == TEXT
    assert documented_media("v1", route, "get", 200, response["Content-Type"])


def test_a_desk_upload_download_has_a_documented_content_type(desk, api):
    stored = api(desk.agent).post("/api/upload", {"file": SimpleUploadedFile("app.log", TEXT)}, format="multipart")
    assert stored.status_code in (200, 201), stored.content[:500]
    route = "/api/uploads/{id}/download"
    response = api(desk.agent).get(route.format(id=stored.json()["data"]["id"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert documented_media("desk", route, "get", 200, response["Content-Type"])


def test_a_knowledge_attachment_download_has_a_documented_content_type(desk, api):
    stored = api(desk.agent).post(
        "/api/v1/knowledge/attachments", {"file": SimpleUploadedFile("app.log", TEXT)}, format="multipart"
    )
    assert stored.status_code == 200, stored.content[:500]
    route = "/api/v1/knowledge/attachments/{id}/download"
    response = api(desk.agent).get(route.format(id=stored.json()["data"]["id"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert documented_media("v1", route, "get", 200, response["Content-Type"])
