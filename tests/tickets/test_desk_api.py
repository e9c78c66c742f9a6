"""Ticket Desk API (/api/tickets…, /api/categories, /api/upload) as documented."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tickets import services
from tickets.models import Ticket, TicketHistory

pytestmark = pytest.mark.django_db

LIST_FIELDS = {
    "id",
    "ticket_number",
    "title",
    "description",
    "status",
    "priority",
    "type",
    "source",
    "created_by",
    "assigned_to",
    "category",
    "customer_email",
    "customer_phone",
    "customer_name",
    "created_at",
    "updated_at",
    "due_date",
    "sla_due_date",
    "is_overdue",
    "is_escalated",
    "sla_breached",
}


def test_list_envelope_fields_and_pagination(desk, api):
    for n in range(3):
        desk.ticket(title=f"工单{n}", category=desk.category, customer_name="李四")
    response = api(desk.supervisor).get("/api/tickets?limit=2&page=2")
    body = response.json()
    assert response.status_code == 200
    assert body["success"] is True
    assert body["pagination"] == {"page": 2, "limit": 2, "total": 3, "pages": 2}
    assert len(body["data"]) == 1
    item = body["data"][0]
    assert set(item) >= LIST_FIELDS
    assert item["status"] == "open"
    assert item["category"] == {"id": desk.category.pk, "name": "硬件"}
    assert set(item["created_by"]) == {"id", "username", "first_name", "last_name"}


def test_create_as_documented(desk, api):
    payload = {
        "title": "系统无法访问",
        "description": "网站显示500错误",
        "type": "incident",
        "priority": "urgent",
        "source": "web",
        "category_id": desk.category.pk,
        "assigned_to_id": desk.agent.pk,
        "customer_email": "user@example.com",
        "customer_phone": "13800138000",
        "customer_name": "张三",
        "tags": ["系统故障", "紧急"],
        "custom_fields": {"browser": "Chrome"},
        "due_date": "2030-01-02T18:00:00Z",
    }
    response = api(desk.supervisor).post("/api/tickets", payload, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["status"] == "open" and data["priority"] == "urgent"
    assert data["assigned_to"] == {"id": desk.agent.pk, "username": desk.agent.username}
    ticket = Ticket.objects.get(pk=data["id"])
    assert ticket.status == "assigned" and ticket.tags == ["系统故障", "紧急"]
    assert data["ticket_number"] == ticket.number


def test_create_refuses_bad_input_with_422_and_creates_nothing(desk, api):
    response = api(desk.requester).post("/api/tickets", {"title": "", "priority": "medium"}, format="json")
    assert response.status_code == 422
    body = response.json()
    assert body["error_code"] == "VALIDATION_FAILED" and {"title", "priority"} <= set(body["details"])
    assert not Ticket.objects.exists()


def test_requester_cannot_pick_an_assignee(desk, api):
    response = api(desk.requester).post("/api/tickets", {"title": "x", "assigned_to_id": desk.agent.pk}, format="json")
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_detail_has_comments_tags_counters_and_counts_views(desk, api):
    ticket = desk.assigned(tags=["登录"], custom_fields={"k": "v"})
    services.comment_create(ticket=ticket, by=desk.agent, content="已开始调查")
    services.comment_create(ticket=ticket, by=desk.agent, content="内部", is_internal=True)
    staff = api(desk.supervisor).get(f"/api/tickets/{ticket.pk}").json()["data"]
    assert staff["tags"] == ["登录"] and staff["custom_fields"] == {"k": "v"}
    assert [c["is_internal"] for c in staff["comments"]] == [False, True]
    assert staff["first_reply_at"] is not None and staff["comment_count"] == 1
    mine = api(desk.requester).get(f"/api/tickets/{ticket.pk}").json()["data"]
    assert [c["content"] for c in mine["comments"]] == ["已开始调查"]  # never internal notes
    assert mine["view_count"] == 2


def test_filters_search_and_sort(desk, api):
    a = desk.ticket(title="VPN 无法连接", priority="high", customer_phone="13900001111")
    b = desk.ticket(title="邮箱满了", priority="low", customer_name="王小明", type="request")
    services.ticket_assign(ticket=b, by=desk.supervisor, assignee=desk.agent)
    client = api(desk.supervisor)

    def ids(query):
        response = client.get(f"/api/tickets?{query}")
        assert response.status_code == 200, response.json()
        return [t["id"] for t in response.json()["data"]]

    assert ids("search=王小明") == [b.pk]
    assert ids("search=1390000") == [a.pk]
    assert ids(f"search={a.number}") == [a.pk]
    assert ids("search=无法连接") == [a.pk]
    assert ids("priority=high") == [a.pk]
    assert ids("type=request") == [b.pk]
    assert ids(f"assigned_to_id={desk.agent.pk}") == [b.pk]
    assert ids(f"created_by_id={desk.requester.pk}&sort=created_at&order=asc") == [a.pk, b.pk]
    assert ids("sort=priority&order=desc") == [a.pk, b.pk]
    assert ids("status=open") == [b.pk, a.pk]
    assert client.get("/api/tickets?status=bogus").status_code == 422
    assert client.get("/api/tickets?sort=bogus").status_code == 422


def test_category_filter_includes_subcategories(desk, api):
    child = services.category_create(
        tenant=desk.tenant, by=desk.admin, data={"name": "打印机", "parent": desk.category}
    )
    t = desk.ticket(category=child)
    desk.ticket()
    data = api(desk.supervisor).get(f"/api/tickets?category_id={desk.category.pk}").json()["data"]
    assert [x["id"] for x in data] == [t.pk]


def test_visibility_rules_on_the_list(desk, api):
    mine = desk.ticket()
    theirs = desk.ticket(by=desk.other_requester)
    assigned_to_other = desk.assigned(to=desk.other_agent)

    def ids(user):
        return {t["id"] for t in api(user).get("/api/tickets").json()["data"]}

    assert ids(desk.requester) == {mine.pk, assigned_to_other.pk}
    assert ids(desk.agent) == {mine.pk, theirs.pk}  # unassigned queue
    assert ids(desk.other_agent) == {mine.pk, theirs.pk, assigned_to_other.pk}
    assert ids(desk.supervisor) == {mine.pk, theirs.pk, assigned_to_other.pk}


@pytest.mark.parametrize("size", [1, 20])
def test_list_query_count_does_not_grow(desk, api, django_assert_max_num_queries, size):
    for _ in range(size):
        desk.assigned(category=desk.category)
    client = api(desk.supervisor)
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/tickets?limit=100").json()["data"]) == size
    with django_assert_max_num_queries(12):
        client.get("/api/tickets/stats")
    with django_assert_max_num_queries(12):
        client.get("/api/categories")


def test_workflow_endpoints(desk, api):
    ticket = desk.ticket()
    sup, agent = api(desk.supervisor), api(desk.agent)
    r = sup.post(
        f"/api/tickets/{ticket.pk}/assign", {"assigned_to_id": desk.agent.pk, "comment": "请处理"}, format="json"
    )
    assert r.status_code == 200 and r.json()["data"]["assigned_to_id"] == desk.agent.pk
    r = agent.post(f"/api/tickets/{ticket.pk}/status", {"status": "in_progress"}, format="json")
    assert r.json()["data"]["status"] == "in_progress"
    r = agent.post(f"/api/tickets/{ticket.pk}/status", {"status": "pending"}, format="json")
    assert r.json()["data"]["status"] == "pending"
    assert Ticket.objects.get(pk=ticket.pk).status == "paused"
    r = agent.post(
        f"/api/tickets/{ticket.pk}/transfer",
        {"assigned_to_id": desk.other_agent.pk, "transfer_reason": "需要专家"},
        format="json",
    )
    assert r.json()["data"]["previous_assignee_id"] == desk.agent.pk
    r = sup.post(
        f"/api/tickets/{ticket.pk}/escalate", {"reason": "VIP", "escalate_to_id": desk.supervisor.pk}, format="json"
    )
    data = r.json()["data"]
    assert data["is_escalated"] and data["priority"] == "urgent"
    assert data["assigned_to"]["role"] == "supervisor"
    r = sup.post(f"/api/tickets/{ticket.pk}/status", {"status": "resolved", "resolution_notes": "重启"}, format="json")
    assert r.status_code == 200 and r.json()["data"]["resolution_time"] is not None
    history = sup.get(f"/api/tickets/{ticket.pk}/history").json()
    assert history["total"] == len(history["data"]) >= 5
    assign = next(h for h in history["data"] if h["action"] == "assign")
    assert assign["field_changes"]["assigned_to_id"] == {"old": None, "new": desk.agent.pk}
    assert assign["user"] == {"id": desk.supervisor.pk, "username": desk.supervisor.username}


def test_illegal_status_change_is_refused_and_changes_nothing(desk, api):
    ticket = desk.ticket()
    response = api(desk.supervisor).post(f"/api/tickets/{ticket.pk}/status", {"status": "closed"}, format="json")
    assert response.status_code == 400
    assert response.json()["error_code"] == "INVALID_STATUS_TRANSITION"
    assert Ticket.objects.get(pk=ticket.pk).status == "new"
    assert TicketHistory.objects.filter(ticket=ticket).count() == 1


def test_put_updates_fields_status_and_requester_rating(desk, api):
    ticket = desk.in_progress()
    r = api(desk.agent).put(
        f"/api/tickets/{ticket.pk}",
        {"title": "登录问题已修复", "status": "resolved", "priority": "normal", "internal_notes": "已重置密码"},
        format="json",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["data"]["status"] == "resolved" and r.json()["data"]["resolution_time"] is not None
    r = api(desk.requester).put(f"/api/tickets/{ticket.pk}", {"rating": 5, "rating_comment": "很好"}, format="json")
    assert r.status_code == 200 and Ticket.objects.get(pk=ticket.pk).rating == 5
    r = api(desk.requester).put(f"/api/tickets/{ticket.pk}", {"title": "改标题"}, format="json")
    assert r.status_code == 403 and Ticket.objects.get(pk=ticket.pk).title == "登录问题已修复"


def test_delete_is_soft(desk, api):
    ticket = desk.ticket()
    assert api(desk.supervisor).delete(f"/api/tickets/{ticket.pk}").status_code == 200
    assert api(desk.supervisor).get(f"/api/tickets/{ticket.pk}").status_code == 404
    assert Ticket.all_objects.filter(pk=ticket.pk, is_deleted=True).exists()
    assert api(desk.supervisor).get("/api/tickets/stats").json()["data"]["total"] == 0


def test_stats_queues_overdue_and_sla_breach(desk, api):
    late = desk.assigned(category=desk.category, due_date=timezone.now() - timedelta(hours=3), priority="high")
    Ticket.objects.filter(pk=late.pk).update(sla_due_date=timezone.now() - timedelta(hours=2))
    auto = services.category_create(tenant=desk.tenant, by=desk.admin, data={"name": "桌面", "sla_hours": 8})
    Ticket.objects.filter(pk=desk.ticket(category=auto).pk)
    services.category_update(category=auto, by=desk.admin, data={"auto_assign_user": desk.agent})
    client = api(desk.supervisor)
    stats = client.get("/api/tickets/stats").json()["data"]
    assert (stats["total"], stats["open"], stats["overdue"], stats["sla_breached"], stats["unassigned"]) == (
        2,
        2,
        1,
        1,
        1,
    )
    assert stats["by_priority"]["high"] == 1 and stats["by_category"] == {"hardware": 1, "桌面": 1}
    unassigned = client.get("/api/tickets/unassigned").json()
    assert unassigned["total"] == 1 and unassigned["data"][0]["auto_assign_user_id"] == desk.agent.pk
    overdue = client.get("/api/tickets/overdue").json()
    assert overdue["total"] == 1 and overdue["data"][0]["overdue_hours"] == 3
    breach = client.get("/api/tickets/sla-breach").json()
    assert breach["data"][0]["breach_hours"] == 2 and breach["data"][0]["category"]["sla_hours"] == 4
    mine = api(desk.agent).get("/api/tickets/my-tickets?limit=1").json()
    assert mine["total"] == 1 and mine["data"][0]["id"] == late.pk


def test_bulk_endpoints_report_successes_and_failures(desk, api):
    a, b = desk.ticket(), desk.ticket()
    closed = desk.resolved()
    services.ticket_transition(ticket=closed, to="closed", by=desk.requester)
    client = api(desk.supervisor)
    r = client.post(
        "/api/tickets/bulk-assign",
        {"ticket_ids": [a.pk, b.pk, closed.pk], "assigned_to_id": desk.agent.pk},
        format="json",
    )
    data = r.json()["data"]
    assert (data["assigned_count"], data["failed_count"], data["assigned_tickets"]) == (2, 1, [a.pk, b.pk])
    assert data["failed_tickets"][0]["id"] == closed.pk and data["failed_tickets"][0]["reason"]
    r = api(desk.agent).post(
        "/api/tickets/bulk-status", {"ticket_ids": [a.pk, b.pk], "status": "in_progress"}, format="json"
    )
    assert r.json()["data"]["updated_tickets"] == [a.pk, b.pk]
    too_many = client.post(
        "/api/tickets/bulk-status", {"ticket_ids": list(range(1, 502)), "status": "closed"}, format="json"
    )
    assert too_many.status_code == 422


def test_categories_tree_and_create(desk, api):
    r = api(desk.admin).post(
        "/api/categories",
        {
            "name": "系统故障",
            "parent_id": desk.category.pk,
            "color": "#10b981",
            "sla_hours": 2,
            "auto_assign_user_id": desk.agent.pk,
        },
        format="json",
    )
    assert r.status_code == 201, r.json()
    child_id = r.json()["data"]["id"]
    desk.ticket(category_id=None)
    services.ticket_create(tenant=desk.tenant, by=desk.requester, data={"title": "x", "category": desk.category})
    from tickets.models import Category

    services.ticket_create(
        tenant=desk.tenant, by=desk.requester, data={"title": "y", "category": Category.objects.get(pk=child_id)}
    )
    tree = api(desk.supervisor).get("/api/categories").json()["data"]
    root = tree[0]
    assert root["ticket_count"] == 2 and root["subcategories"][0]["ticket_count"] == 1
    assert root["subcategories"][0]["name"] == "系统故障"
    assert api(desk.requester).post("/api/categories", {"name": "x"}, format="json").status_code == 403
