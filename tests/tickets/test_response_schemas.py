"""Every ticket response body, writes included, is exactly what the OpenAPI document of its
contract says (response serializers paired with the presenters): each call below is validated
against the schema of its operation and status."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.portal.test_openapi import SCHEMAS, validate_body
from tickets import services

pytestmark = pytest.mark.django_db


def check(contract: str, route: str, method: str, response, status: int = 200):
    assert response.status_code == status, response.content[:500]
    operation = SCHEMAS[contract]["paths"][route][method]
    validate_body(SCHEMAS[contract], operation, status, response.json())
    return response.json()


def test_desk_ticket_calls_answer_their_documented_shapes(desk, api):
    sup, agent = api(desk.supervisor), api(desk.agent)
    # create (201), detail, update
    body = check(
        "desk",
        "/api/tickets",
        "post",
        sup.post("/api/tickets", {"title": "服务器宕机", "category_id": desk.category.pk}, format="json"),
        201,
    )
    pk = body["data"]["id"]
    services.comment_create(ticket=services.Ticket.objects.get(pk=pk), by=desk.supervisor, content="先看日志")
    check("desk", "/api/tickets/{id}", "get", sup.get(f"/api/tickets/{pk}"))
    check("desk", "/api/tickets/{id}", "put", sup.put(f"/api/tickets/{pk}", {"priority": "high"}, format="json"))
    # workflow
    route = "/api/tickets/{id}/"
    check("desk", route + "assign", "post", sup.post(f"/api/tickets/{pk}/assign", {"assigned_to_id": desk.agent.pk}))
    check(
        "desk",
        route + "transfer",
        "post",
        sup.post(f"/api/tickets/{pk}/transfer", {"assigned_to_id": desk.other_agent.pk}),
    )
    check("desk", route + "escalate", "post", sup.post(f"/api/tickets/{pk}/escalate", {"reason": "客户投诉"}))
    other_agent = api(desk.other_agent)
    check("desk", route + "status", "post", other_agent.post(f"/api/tickets/{pk}/status", {"status": "in_progress"}))
    check("desk", route + "history", "get", sup.get(f"/api/tickets/{pk}/history"))
    # queues and bulk work
    desk.ticket()
    for path in ("my-tickets", "unassigned", "overdue", "sla-breach"):
        check("desk", f"/api/tickets/{path}", "get", sup.get(f"/api/tickets/{path}"))
    check("desk", "/api/tickets/my-tickets", "get", agent.get("/api/tickets/my-tickets"))
    check(
        "desk",
        "/api/tickets/bulk-assign",
        "post",
        sup.post("/api/tickets/bulk-assign", {"ticket_ids": [pk, 999999], "assigned_to_id": desk.agent.pk}),
    )
    check(
        "desk",
        "/api/tickets/bulk-status",
        "post",
        sup.post("/api/tickets/bulk-status", {"ticket_ids": [pk], "status": "closed"}, format="json"),
    )
    # categories and uploads
    admin = api(desk.admin)
    check("desk", "/api/categories", "post", admin.post("/api/categories", {"name": "网络"}, format="json"), 201)
    check("desk", "/api/categories", "get", admin.get("/api/categories"))
    upload = SimpleUploadedFile("log.txt", b"disk full\n", content_type="text/plain")
    check("desk", "/api/upload", "post", sup.post("/api/upload", {"file": upload}, format="multipart"), 201)


def test_v1_ticket_calls_answer_their_documented_shapes(desk, api):
    sup, agent = api(desk.supervisor), api(desk.agent)
    body = check("v1", "/api/v1/tickets", "post", sup.post("/api/v1/tickets", {"title": "VPN 无法连接"}, format="json"))
    pk = body["data"]["id"]
    route = "/api/v1/tickets/{id}"
    check("v1", route, "get", sup.get(f"/api/v1/tickets/{pk}"))
    check("v1", route, "put", sup.put(f"/api/v1/tickets/{pk}", {"priority": "high"}, format="json"))
    check("v1", route + "/assign", "post", sup.post(f"/api/v1/tickets/{pk}/assign", {"assigned_to": desk.agent.pk}))
    check("v1", route + "/accept", "post", agent.post(f"/api/v1/tickets/{pk}/accept"))
    check("v1", route + "/start", "post", agent.post(f"/api/v1/tickets/{pk}/start", {}))
    check("v1", route + "/pause", "post", agent.post(f"/api/v1/tickets/{pk}/pause", {"reason": "等备件"}))
    check("v1", route + "/start", "post", agent.post(f"/api/v1/tickets/{pk}/start", {}))
    check(
        "v1",
        route + "/comments",
        "post",
        agent.post(f"/api/v1/tickets/{pk}/comments", {"content": "已更换网线"}, format="json"),
    )
    check("v1", route + "/comments", "get", agent.get(f"/api/v1/tickets/{pk}/comments"))
    upload = SimpleUploadedFile("photo.txt", b"cable\n", content_type="text/plain")
    check(
        "v1",
        route + "/attachments",
        "post",
        agent.post(f"/api/v1/tickets/{pk}/attachments", {"file": upload}, format="multipart"),
    )
    check(
        "v1",
        route + "/resolve",
        "post",
        agent.post(f"/api/v1/tickets/{pk}/resolve", {"solution": "更换网线"}, format="json"),
    )
    check("v1", route + "/close", "post", sup.post(f"/api/v1/tickets/{pk}/close", {}))
    other = desk.assigned()
    check(
        "v1",
        route + "/reject",
        "post",
        agent.post(f"/api/v1/tickets/{other.pk}/reject", {"reason": "不属于本组"}, format="json"),
    )
    check("v1", "/api/v1/tickets", "get", sup.get("/api/v1/tickets"))
