"""The answers schema fuzzing found off their documents (issue 15), pinned one by one: each
call's real body validates against its operation and status in the published schema, and a
refused call changed nothing."""

from __future__ import annotations

import pytest

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
