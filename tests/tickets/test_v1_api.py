"""Portal API v1 (/api/v1/tickets…, §3.1–3.5) as documented."""

from __future__ import annotations

import pytest

from tickets import services
from tickets.models import Ticket, TicketAttachment

pytestmark = pytest.mark.django_db


def test_create_answers_as_documented(desk, api):
    payload = {
        "title": "服务器故障处理",
        "description": "CPU使用率过高",
        "category": "hardware",
        "priority": "medium",
        "customer_id": 1001,
        "customer_name": "演示公司",
        "contact_name": "张三",
        "contact_phone": "13800138000",
        "contact_email": "zhangsan@example.com",
        "custom_fields": {"server_ip": "192.168.1.100"},
        "attachments": [
            {"filename": "error_log.txt", "file_url": "https://cdn.example.com/files/error_log.txt", "file_size": 1024}
        ],
    }
    response = api(desk.requester).post("/api/v1/tickets", payload, format="json")
    body = response.json()
    assert response.status_code == 200 and body["code"] == 200, body
    data = body["data"]
    assert data["ticket_id"].startswith("T") and data["status"] == "pending" and data["priority"] == "medium"
    assert data["estimated_resolve_time"] is not None  # from the category's 4 SLA hours
    ticket = Ticket.objects.get(pk=data["id"])
    assert (ticket.priority, ticket.customer_name, ticket.customer_company) == ("normal", "张三", "演示公司")
    assert TicketAttachment.objects.get(ticket=ticket).external_url.endswith("error_log.txt")


def test_create_validation_error_shape(desk, api):
    response = api(desk.requester).post("/api/v1/tickets", {"priority": "highest"}, format="json")
    body = response.json()
    assert response.status_code == 400 and body["code"] == 400
    assert {e["field"] for e in body["data"]["errors"]} == {"title", "priority"}


def test_unknown_category_is_404(desk, api):
    response = api(desk.requester).post("/api/v1/tickets", {"title": "x", "category": "nope"}, format="json")
    assert response.status_code == 404 and not Ticket.objects.exists()


def test_list_filters_and_shape(desk, api):
    a = desk.ticket(priority="urgent", customer_id=7, category=desk.category)
    b = desk.assigned(title="网络中断 交换机")
    client = api(desk.supervisor)
    body = client.get("/api/v1/tickets?size=1").json()["data"]
    assert (body["total"], body["page"], body["size"], len(body["items"])) == (2, 1, 1, 1)
    item = client.get(f"/api/v1/tickets?keyword={a.number}").json()["data"]["items"][0]
    assert {"ticket_id", "customer_id", "customer_name", "contact_name", "assigned_name", "due_time", "tags"} <= set(
        item
    )
    assert item["category"] == "hardware" and item["customer_name"] == "甲公司"

    def ids(query):
        response = client.get(f"/api/v1/tickets?{query}")
        assert response.status_code == 200, response.json()
        return [t["id"] for t in response.json()["data"]["items"]]

    assert ids("status=pending") == [a.pk]
    assert ids("status=assigned") == [b.pk]
    assert ids("priority=medium") == [b.pk]
    assert ids("priority=normal") == [b.pk]  # both words accepted
    assert ids("category=hardware") == [a.pk]
    assert ids(f"assigned_to={desk.agent.pk}") == [b.pk]
    assert ids("customer_id=7") == [a.pk]
    assert ids("keyword=交换机") == [b.pk]
    assert ids("created_start=2000-01-01T00:00:00Z&created_end=2100-01-01T00:00:00Z&sort=created_at&order=asc") == [
        a.pk,
        b.pk,
    ]
    assert client.get("/api/v1/tickets?status=open").status_code == 400


def test_detail_sections(desk, api):
    ticket = desk.assigned(category=desk.category, customer_name="张三")
    services.ticket_accept(ticket=ticket, by=desk.agent)
    data = api(desk.agent).get(f"/api/v1/tickets/{ticket.pk}").json()["data"]
    assert data["customer_info"]["contact_name"] == "张三"
    assert data["assigned_info"]["id"] == desk.agent.pk and data["assigned_info"]["name"] == "王工程师"
    assert data["time_info"]["assigned_at"] is not None and data["time_info"]["resolved_at"] is None
    assert data["sla_info"]["resolve_sla"] == 240 and data["sla_info"]["response_sla"] == 240
    assert data["attachments"] == []


def test_workflow_actions(desk, api):
    ticket = desk.ticket()
    sup, agent, req = api(desk.supervisor), api(desk.agent), api(desk.requester)
    r = sup.post(
        f"/api/v1/tickets/{ticket.pk}/assign", {"assigned_to": desk.agent.pk, "priority": "urgent"}, format="json"
    )
    assert r.json()["data"]["status"] == "assigned"
    assert agent.post(f"/api/v1/tickets/{ticket.pk}/accept").json()["data"]["status"] == "assigned"
    assert agent.post(f"/api/v1/tickets/{ticket.pk}/accept").status_code == 400  # already accepted
    assert agent.post(f"/api/v1/tickets/{ticket.pk}/start").json()["data"]["status"] == "in_progress"
    assert agent.post(f"/api/v1/tickets/{ticket.pk}/pause").json()["data"]["status"] == "paused"
    assert agent.post(f"/api/v1/tickets/{ticket.pk}/start").json()["data"]["status"] == "in_progress"
    r = agent.post(
        f"/api/v1/tickets/{ticket.pk}/resolve",
        {"solution": "重启服务器", "resolution_type": "solved", "time_spent": 120},
        format="json",
    )
    assert r.json()["data"]["status"] == "resolved"
    assert Ticket.objects.get(pk=ticket.pk).resolution_notes == "重启服务器"
    assert req.post(f"/api/v1/tickets/{ticket.pk}/close").json()["data"]["status"] == "closed"
    r = req.post(f"/api/v1/tickets/{ticket.pk}/start")
    assert r.status_code == 403  # requester lacks ticket:process


def test_reject_sends_back_to_queue(desk, api):
    ticket = desk.assigned()
    r = api(desk.agent).post(f"/api/v1/tickets/{ticket.pk}/reject", {"reason": "工作量过大"}, format="json")
    assert r.status_code == 200 and r.json()["data"]["status"] == "pending"
    assert api(desk.agent).post(f"/api/v1/tickets/{ticket.pk}/reject", {}, format="json").status_code == 400


def test_update_and_delete(desk, api):
    ticket = desk.assigned()
    r = api(desk.agent).put(f"/api/v1/tickets/{ticket.pk}", {"title": "新标题", "priority": "high"}, format="json")
    assert r.status_code == 200 and r.json()["data"]["title"] == "新标题"
    assert api(desk.agent).delete(f"/api/v1/tickets/{ticket.pk}").status_code == 403
    assert api(desk.supervisor).delete(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    assert api(desk.supervisor).get(f"/api/v1/tickets/{ticket.pk}").status_code == 404


def test_comments_internal_vs_public(desk, api):
    ticket = desk.assigned()
    agent, req = api(desk.agent), api(desk.requester)
    r = agent.post(f"/api/v1/tickets/{ticket.pk}/comments", {"content": "内部排查", "type": "internal"}, format="json")
    assert r.status_code == 200 and r.json()["data"]["type"] == "internal"
    agent.post(f"/api/v1/tickets/{ticket.pk}/comments", {"content": "预计30分钟"}, format="json")
    assert [c["content"] for c in agent.get(f"/api/v1/tickets/{ticket.pk}/comments").json()["data"]] == [
        "内部排查",
        "预计30分钟",
    ]
    assert [c["content"] for c in req.get(f"/api/v1/tickets/{ticket.pk}/comments").json()["data"]] == ["预计30分钟"]
    refused = req.post(f"/api/v1/tickets/{ticket.pk}/comments", {"content": "x", "type": "internal"}, format="json")
    assert refused.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).comment_count == 1


def test_statistics_overview(desk, api, django_assert_max_num_queries):
    resolved = desk.resolved(priority="high", category=desk.category)
    services.ticket_rate(ticket=resolved, by=desk.requester, rating=4)
    desk.ticket()
    client = api(desk.supervisor)
    with django_assert_max_num_queries(12):
        r = client.get("/api/v1/tickets/statistics/overview?time_range=30d&group_by=assignee")
    data = r.json()["data"]
    assert data["summary"]["total"] == 2 and data["summary"]["resolved"] == 1
    assert data["summary"]["satisfaction_rate"] == 4.0
    assert len(data["trends"]) == 30 and data["trends"][-1]["created"] == 2 and data["trends"][-1]["resolved"] == 1
    assert data["distribution"]["by_priority"] == {"high": 1, "medium": 1}
    assert data["distribution"]["by_assignee"] == {desk.agent.username: 1, "unassigned": 1}
    assert client.get("/api/v1/tickets/statistics/overview?time_range=2y").status_code == 400
    assert api(desk.agent).get("/api/v1/tickets/statistics/overview").status_code == 403


@pytest.mark.parametrize("size", [1, 15])
def test_v1_list_query_count_is_fixed(desk, api, django_assert_max_num_queries, size):
    for _ in range(size):
        desk.assigned(category=desk.category)
    client = api(desk.supervisor)  # signing in is not part of the list's cost
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/tickets?size=100").json()["data"]["total"] == size
