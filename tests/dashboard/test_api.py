"""v1 §2 workbench endpoints: permission matrix, per-user layouts, statistics visibility per
role, task ↔ ticket state, search ranking and highlight safety, navigation and widgets."""

from __future__ import annotations

import re

import pytest

from portal.dashboard.models import DashboardConfig, RecentVisit
from portal.navigation import navigation_for
from tickets.choices import TicketStatus as S
from tickets.models import Ticket, TicketHistory

pytestmark = pytest.mark.django_db

GETS = [
    ("/api/v1/dashboard/config", "dashboard:read"),
    ("/api/v1/dashboard/statistics", "dashboard:read"),
    ("/api/v1/dashboard/realtime", "dashboard:read"),
    ("/api/v1/dashboard/tasks", "task:read"),
    ("/api/v1/dashboard/navigation", None),
    ("/api/v1/dashboard/search?q=x", "search:read"),
    ("/api/v1/dashboard/widgets", "dashboard:read"),
    ("/api/v1/dashboard/widgets/ticket_trends/data", "dashboard:read"),
]


@pytest.mark.parametrize(("path", "code"), GETS)
def test_permission_matrix_of_reads(desk, make_user, api, path, code):
    assert api().get(path).status_code == 401
    nobody = make_user(desk.tenant, username="no_roles")
    nobody.roles.clear()
    response = api(nobody).get(path)
    if code is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.json()["data"]["required_permission"] == code
    for user in (desk.requester, desk.agent, desk.supervisor, desk.admin):
        body = api(user).get(path).json()
        assert body["code"] == 200, (path, user.username, body)
        assert body["trace_id"]


def test_writes_refused_without_permission_change_nothing(desk, make_user, api):
    nobody = make_user(desk.tenant, username="no_roles")
    nobody.roles.clear()
    ticket = desk.assigned()
    assert api().post("/api/v1/dashboard/config", {}, format="json").status_code == 401
    assert api(nobody).post("/api/v1/dashboard/config", {}, format="json").status_code == 403
    assert api(nobody).put(f"/api/v1/dashboard/tasks/{ticket.pk}/status", {"status": "in_progress"}).status_code == 403
    assert not DashboardConfig.objects.exists()
    ticket.refresh_from_db()
    assert ticket.status == S.ASSIGNED


# --- layouts ---------------------------------------------------------------------------------

LAYOUT = {
    "config_name": "我的工作台",
    "layout_config": {
        "grid_size": 12,
        "row_height": 60,
        "margin": [10, 10],
        "layouts": [{"i": "a", "x": 0, "y": 0, "w": 6, "h": 4}, {"i": "b", "x": 6, "y": 0, "w": 6, "h": 4}],
    },
    "widget_configs": [
        {"widget_id": "a", "widget_code": "ticket_trends", "config": {"time_range": "30d"}},
        {"widget_id": "b", "widget_code": "backlog_priority", "config": {}},
    ],
    "theme_config": {"primary_color": "#1890ff", "theme_mode": "light"},
    "is_default": True,
}


def test_role_default_then_saved_layout_per_user(desk, api):
    default = api(desk.agent).get("/api/v1/dashboard/config").json()["data"]
    assert default["config_id"] is None and default["source"] == "role_default"
    codes = [w["widget_code"] for w in default["widget_configs"]]
    assert "my_tasks" in codes and "ticket_trends" in codes
    requester_codes = [
        w["widget_code"] for w in api(desk.requester).get("/api/v1/dashboard/config").json()["data"]["widget_configs"]
    ]
    assert "workload" not in requester_codes and "my_tasks" not in requester_codes

    saved = api(desk.agent).post("/api/v1/dashboard/config", LAYOUT, format="json").json()["data"]
    assert saved["config_id"] and saved["is_default"] and saved["source"] == "saved"
    again = api(desk.agent).get("/api/v1/dashboard/config").json()["data"]
    assert again["layout_config"]["layouts"][1] == {"i": "b", "x": 6, "y": 0, "w": 6, "h": 4}
    assert again["widget_configs"][0]["widget_name"]
    # another user of the same tenant still has their own (the role default)
    assert api(desk.other_agent).get("/api/v1/dashboard/config").json()["data"]["config_id"] is None


def test_another_users_layout_is_a_404(desk, api):
    config_id = api(desk.agent).post("/api/v1/dashboard/config", LAYOUT, format="json").json()["data"]["config_id"]
    other = api(desk.other_agent)
    assert other.get(f"/api/v1/dashboard/config?user_id={desk.agent.pk}").status_code == 404
    assert api(desk.admin).get(f"/api/v1/dashboard/config?user_id={desk.agent.pk}").status_code == 404
    assert other.delete(f"/api/v1/dashboard/config/{config_id}").status_code == 404
    assert DashboardConfig.objects.filter(pk=config_id, is_deleted=False).exists()


def test_other_tenant_layout_is_a_404(desk, other_desk, api):
    config_id = api(desk.agent).post("/api/v1/dashboard/config", LAYOUT, format="json").json()["data"]["config_id"]
    assert api(other_desk.admin).delete(f"/api/v1/dashboard/config/{config_id}").status_code == 404
    assert DashboardConfig.objects.filter(pk=config_id, is_deleted=False).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"widget_configs": [{"widget_id": "a", "widget_code": "nope"}]}, "widget_configs[0].widget_code"),
        ({"widget_configs": [{"widget_id": "a", "widget_code": "workload"}]}, "widget_configs[0].widget_code"),
        ({"layout_config": {**LAYOUT["layout_config"], "grid_size": 0}}, "layout_config.grid_size"),
        (
            {"layout_config": {**LAYOUT["layout_config"], "layouts": [{"i": "a", "x": 10, "y": 0, "w": 6, "h": 4}]}},
            "layout_config.layouts[0].x",
        ),
        ({"layout_config": {**LAYOUT["layout_config"], "layouts": [{"i": "zz"}]}}, "layout_config.layouts[0].i"),
        ({"theme_config": {"primary_color": "red;}"}}, "theme_config.primary_color"),
    ],
)
def test_invalid_layout_is_a_400_and_saves_nothing(desk, api, change, field):
    body = {**LAYOUT, **change}
    response = api(desk.requester).post("/api/v1/dashboard/config", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["data"]["errors"][0]["field"] == field
    assert not DashboardConfig.all_objects.exists()


def test_delete_is_soft_and_promotes_another_default(desk, api):
    client = api(desk.agent)
    first = client.post("/api/v1/dashboard/config", LAYOUT, format="json").json()["data"]["config_id"]
    second = client.post(
        "/api/v1/dashboard/config", {**LAYOUT, "config_name": "第二", "is_default": False}, format="json"
    ).json()["data"]["config_id"]
    assert client.delete(f"/api/v1/dashboard/config/{first}").status_code == 200
    assert DashboardConfig.all_objects.get(pk=first).is_deleted
    current = client.get("/api/v1/dashboard/config").json()["data"]
    assert current["config_id"] == second and current["is_default"]
    assert client.delete(f"/api/v1/dashboard/config/{first}").status_code == 404


# --- statistics ------------------------------------------------------------------------------


def _overview(api, user, time_range="7d"):
    response = api(user).get(f"/api/v1/dashboard/statistics?time_range={time_range}")
    assert response.status_code == 200, response.json()
    return response.json()["data"]


def test_statistics_follow_each_roles_visibility(desk, other_desk, api):
    desk.ticket(title="甲的工单")  # requester's, unassigned
    desk.assigned(to=desk.agent, priority="urgent")  # requester's, assigned to agent
    desk.resolved()  # requester's, resolved by agent
    desk.ticket(by=desk.other_requester, title="别人的")
    other_desk.ticket(title="乙租户")
    other_desk.ticket(title="乙租户2")

    assert _overview(api, desk.requester)["overview"]["total_tickets"] == 3
    assert _overview(api, desk.other_requester)["overview"]["total_tickets"] == 1
    agent = _overview(api, desk.agent)["overview"]
    assert agent["total_tickets"] == 2 and agent["completed_tickets"] == 1 and agent["pending_tickets"] == 1
    assert _overview(api, desk.other_agent)["overview"]["total_tickets"] == 0
    tenant = _overview(api, desk.supervisor)
    assert tenant["overview"]["total_tickets"] == 4
    assert _overview(api, desk.admin)["overview"]["total_tickets"] == 4
    assert _overview(api, other_desk.admin)["overview"]["total_tickets"] == 2
    assert tenant["distribution"]["ticket_by_priority"]["urgent"] == 1
    trends = tenant["trends"]["ticket_trends"]
    assert len(trends) == 7 and trends[-1]["created"] == 4 and trends[-1]["completed"] == 1
    assert len(tenant["trends"]["response_time_trends"]) == 7


@pytest.mark.parametrize("bad", ["2d", "7", "all", "7d;DROP"])
def test_unknown_time_range_is_a_400(desk, api, bad):
    response = api(desk.admin).get(f"/api/v1/dashboard/statistics?time_range={bad}")
    assert response.status_code == 400
    assert response.json()["data"]["errors"][0]["field"] == "time_range"
    assert api(desk.admin).get(f"/api/v1/dashboard/widgets/ticket_trends/data?time_range={bad}").status_code == 400


def test_metrics_select_sections(desk, api):
    data = api(desk.admin).get("/api/v1/dashboard/statistics?time_range=30d&metrics=overview").json()["data"]
    assert "overview" in data and "trends" not in data and data["time_range"] == "30d"
    assert api(desk.admin).get("/api/v1/dashboard/statistics?metrics=bogus").status_code == 400


def test_statistics_cost_a_fixed_number_of_queries(desk, api, django_assert_max_num_queries):
    for _ in range(5):
        desk.resolved()
    client = api(desk.admin)
    client.get("/api/v1/dashboard/statistics?time_range=90d")  # warm caches (permissions …)
    with django_assert_max_num_queries(12):
        client.get("/api/v1/dashboard/statistics?time_range=90d")


# --- tasks -----------------------------------------------------------------------------------


def test_tasks_are_the_assigned_tickets(desk, api):
    mine = desk.assigned(to=desk.agent, priority="urgent")
    desk.assigned(to=desk.other_agent)
    data = api(desk.agent).get("/api/v1/dashboard/tasks").json()["data"]
    assert [t["id"] for t in data["tasks"]] == [mine.pk]
    assert data["tasks"][0]["type"] == "ticket" and data["tasks"][0]["status"] == "pending"
    assert data["tasks"][0]["priority"] == "urgent"
    assert data["summary"]["pending"] == 1 and data["total"] == 1
    assert api(desk.agent).get("/api/v1/dashboard/tasks?status=bogus").status_code == 400


def test_task_status_moves_the_ticket_through_the_state_machine(
    desk, api, captured_events, django_capture_on_commit_callbacks
):
    from portal.notifications.models import Notification

    ticket = desk.assigned(to=desk.agent)
    client = api(desk.agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.put(
            f"/api/v1/dashboard/tasks/{ticket.pk}/status",
            {"status": "in_progress", "comment": "开始处理"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert response.json()["data"]["status"] == "in_progress"
    ticket.refresh_from_db()
    assert ticket.status == S.IN_PROGRESS and ticket.started_at is not None
    row = TicketHistory.objects.filter(ticket=ticket, field="status").order_by("-id").first()
    assert (row.old_value, row.new_value, row.note) == ("assigned", "in_progress", "开始处理")
    # the ticket's own event went out, and with it the requester's notification
    assert [e["event"] for e in captured_events] == ["status_changed"]
    assert Notification.objects.filter(recipient=desk.requester, ticket_id=ticket.pk).exists()

    done = client.put(f"/api/v1/dashboard/tasks/{ticket.pk}/status", {"status": "completed", "comment": "换了硒鼓"})
    assert done.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == S.RESOLVED and ticket.resolution_notes == "换了硒鼓"


def test_refused_task_changes_change_nothing(desk, other_desk, api):
    ticket = desk.assigned(to=desk.agent)
    history = TicketHistory.objects.count()
    # not the ticket's assignee: not their task
    assert (
        api(desk.other_agent).put(f"/api/v1/dashboard/tasks/{ticket.pk}/status", {"status": "in_progress"}).status_code
        == 404
    )
    assert (
        api(other_desk.agent).put(f"/api/v1/dashboard/tasks/{ticket.pk}/status", {"status": "in_progress"}).status_code
        == 404
    )
    # the state machine refuses assigned -> paused
    refused = api(desk.agent).put(f"/api/v1/dashboard/tasks/{ticket.pk}/status", {"status": "pending"})
    assert refused.status_code == 400
    assert api(desk.agent).put(f"/api/v1/dashboard/tasks/{ticket.pk}/status", {"status": "done"}).status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == S.ASSIGNED and TicketHistory.objects.count() == history


# --- search ----------------------------------------------------------------------------------


def test_search_ranks_across_kinds_and_applies_visibility(desk, other_desk, make_user, api):
    in_description = desk.ticket(title="电脑问题", description="机房服务器故障，需要排查")
    prefix = desk.ticket(title="服务器故障处理")
    exact_number = desk.ticket(title="其它")
    desk.ticket(by=desk.other_requester, title="服务器故障 别人的")
    other_desk.ticket(title="服务器故障 乙租户")
    make_user(desk.tenant, "user", username="fuwuqi", real_name="服务器管理员")

    data = api(desk.admin).get("/api/v1/dashboard/search?q=服务器故障").json()["data"]
    titles = [r["title"] for r in data["results"]]
    assert titles.index(f"{prefix.number} 服务器故障处理") < titles.index(f"{in_description.number} 电脑问题")
    assert all("乙租户" not in t for t in titles)
    assert {r["type"] for r in data["results"]} == {"ticket"}
    desc_hit = next(r for r in data["results"] if r["id"] == str(in_description.pk))
    assert "<em>服务器故障</em>" in desc_hit["highlight"]

    people = api(desk.admin).get("/api/v1/dashboard/search?q=服务器").json()["data"]
    assert "user" in {r["type"] for r in people["results"]}
    # the requester sees only their own tickets and no people (no user:read)
    mine = api(desk.requester).get("/api/v1/dashboard/search?q=服务器").json()["data"]
    assert {r["type"] for r in mine["results"]} == {"ticket"}
    assert all("别人的" not in r["title"] for r in mine["results"])
    number = api(desk.admin).get(f"/api/v1/dashboard/search?q={exact_number.number}&type=ticket").json()["data"]
    assert number["results"][0]["id"] == str(exact_number.pk) and number["results"][0]["score"] == 1.0


def test_search_highlight_is_escaped_with_only_em(desk, api):
    desk.ticket(title='<script>alert("x")</script> 故障 <b>粗</b>')
    result = api(desk.admin).get("/api/v1/dashboard/search?q=故障").json()["data"]["results"][0]
    html = result["highlight"]
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "<em>故障</em>" in html
    import re

    assert set(re.findall(r"</?([a-zA-Z]+)", html)) <= {"em"}
    hostile = api(desk.admin).get("/api/v1/dashboard/search", {"q": "<em>"}).json()["data"]
    for row in hostile["results"]:
        assert "<em><em>" not in row["highlight"]


def test_search_input_errors(desk, api):
    empty = api(desk.admin).get("/api/v1/dashboard/search").json()["data"]
    assert empty == {"total": 0, "results": [], "groups": []}
    assert api(desk.admin).get("/api/v1/dashboard/search", {"q": "x" * 101}).status_code == 400
    assert api(desk.admin).get("/api/v1/dashboard/search?q=x&type=files").status_code == 400
    assert api(desk.admin).get("/api/v1/dashboard/search?q=x&limit=0").status_code == 400


# --- navigation, widgets -----------------------------------------------------------------------


def test_navigation_is_the_sidebar_serialised_with_recent_visits(desk, api, client):
    data = api(desk.requester).get("/api/v1/dashboard/navigation").json()["data"]
    sidebar = navigation_for(desk.requester)
    assert [m["id"] for m in data["menus"]] == [s.key for s in sidebar]
    assert [c["url"] for m in data["menus"] for c in m["children"]] == [i.url for s in sidebar for i in s.items]
    assert "accounts:users" not in {c["id"] for m in data["menus"] for c in m["children"]}
    assert {a["id"] for a in data["quick_actions"]} == {"create_ticket"}
    admin_actions = {
        a["id"] for a in api(desk.admin).get("/api/v1/dashboard/navigation").json()["data"]["quick_actions"]
    }
    assert {"create_ticket", "unassigned_tickets"} <= admin_actions

    ticket = desk.ticket(title="打印机")
    client.force_login(desk.requester)
    assert client.get(f"/tickets/{ticket.pk}/").status_code == 200
    assert client.get("/tickets/mine/").status_code == 200
    visits = api(desk.requester).get("/api/v1/dashboard/navigation").json()["data"]["recent_visits"]
    assert visits[0]["url"] == "/tickets/mine/" and visits[1]["url"] == f"/tickets/{ticket.pk}/"
    assert visits[1]["name"] == f"{ticket.number} 打印机"
    assert RecentVisit.objects.filter(user=desk.requester).count() == 2
    assert api(desk.agent).get("/api/v1/dashboard/navigation").json()["data"]["recent_visits"] == []


def test_widgets_follow_permissions_and_serve_data(desk, api):
    desk.resolved()
    requester = {w["widget_code"] for w in api(desk.requester).get("/api/v1/dashboard/widgets").json()["data"]}
    supervisor = {w["widget_code"] for w in api(desk.supervisor).get("/api/v1/dashboard/widgets").json()["data"]}
    assert {"ticket_summary", "ticket_trends", "sla_compliance", "notifications"} <= requester
    assert "workload" not in requester and "workload" in supervisor
    assert api(desk.requester).get("/api/v1/dashboard/widgets/workload/data").status_code == 404
    assert api(desk.requester).get("/api/v1/dashboard/widgets/nope/data").status_code == 404
    trends = api(desk.supervisor).get("/api/v1/dashboard/widgets/ticket_trends/data?time_range=30d").json()["data"]
    assert len(trends["chart_data"]["labels"]) == 30
    assert sum(trends["chart_data"]["datasets"][0]["data"]) == 1
    workload = api(desk.supervisor).get("/api/v1/dashboard/widgets/workload/data").json()["data"]
    assert workload["summary"]["total"] == 0  # the one ticket is resolved: no open workload
    for code in supervisor:
        body = api(desk.supervisor).get(f"/api/v1/dashboard/widgets/{code}/data").json()
        assert body["code"] == 200, (code, body)
    bad = api(desk.supervisor).get("/api/v1/dashboard/widgets/ticket_trends/data", {"config": "[1]"})
    assert bad.status_code == 400


def test_realtime_hides_system_figures_from_non_monitors(desk, api):
    desk.assigned()
    requester = api(desk.requester).get("/api/v1/dashboard/realtime").json()["data"]
    assert requester["system_status"]["cpu_usage"] is None
    assert requester["recent_activities"][0]["type"].startswith("ticket_")
    supervisor = api(desk.supervisor).get("/api/v1/dashboard/realtime").json()["data"]
    # host figures are the platform operator's (docs/security.md "System status")
    assert supervisor["system_status"]["cpu_usage"] is None
    assert supervisor["system_status"]["active_users"] is not None
    assert supervisor["system_status"]["api_qps"] is not None
    assert Ticket.objects.count() == 1


def test_dispatch_contributes_its_widget_to_those_who_may_see_dispatch_figures(desk, api):
    supervisor = {w["widget_code"] for w in api(desk.supervisor).get("/api/v1/dashboard/widgets").json()["data"]}
    agent = {w["widget_code"] for w in api(desk.agent).get("/api/v1/dashboard/widgets").json()["data"]}
    assert "dispatch_overview" in supervisor and "dispatch_overview" not in agent
    data = api(desk.supervisor).get("/api/v1/dashboard/widgets/dispatch_overview/data?time_range=30d").json()["data"]
    assert len(data["chart_data"]["labels"]) == 30 and data["summary"]["total"] == 0
    assert api(desk.agent).get("/api/v1/dashboard/widgets/dispatch_overview/data").status_code == 404


def test_a_module_switched_off_for_the_tenant_contributes_nothing(desk, other_desk, api):
    from portal.system.services import module_set_status

    desk.assigned(to=desk.agent, title="打印机")
    from portal import modules

    for spec in sorted(modules.MODULES.values(), key=lambda m: "ticket_management" in m.dependencies, reverse=True):
        if "ticket_management" in spec.dependencies:  # what needs tickets goes off first
            module_set_status(by=desk.admin, code=spec.code, status="disabled", tenant_id=desk.tenant.pk)
    module_set_status(by=desk.admin, code="ticket_management", status="disabled", tenant_id=desk.tenant.pk)
    widgets = {w["widget_code"] for w in api(desk.supervisor).get("/api/v1/dashboard/widgets").json()["data"]}
    assert not {"ticket_trends", "ticket_summary", "sla_compliance"} & widgets and "notifications" in widgets
    assert api(desk.supervisor).get("/api/v1/dashboard/widgets/ticket_trends/data").status_code == 404
    assert api(desk.supervisor).get("/api/v1/dashboard/statistics").json()["data"]["overview"] == {}
    assert api(desk.admin).get("/api/v1/dashboard/search?q=打印机").json()["data"]["total"] == 0
    assert api(desk.agent).get("/api/v1/dashboard/tasks").json()["data"]["total"] == 0
    # another tenant keeps its tickets module
    assert "ticket_trends" in {
        w["widget_code"] for w in api(other_desk.supervisor).get("/api/v1/dashboard/widgets").json()["data"]
    }


def test_search_with_short_queries_keeps_visibility_and_safe_highlight(desk, other_desk, api):
    """One- and two-character queries (the gram-index path on PostgreSQL) find the same tickets
    for the same people, and a query made of markup is highlighted as escaped text."""
    mine = desk.ticket(title="网络 <b>断开</b> & 重连", description="无")
    desk.ticket(by=desk.other_requester, title="网络 别人的", description="无")
    other_desk.ticket(title="网络 乙租户", description="无")

    own = api(desk.requester).get("/api/v1/dashboard/search?q=网络").json()["data"]
    assert [r["id"] for r in own["results"]] == [str(mine.pk)]
    assert own["results"][0]["highlight"] == f"{mine.number} <em>网络</em> &lt;b&gt;断开&lt;/b&gt; &amp; 重连"
    everyone = api(desk.admin).get("/api/v1/dashboard/search?q=网络&type=ticket").json()["data"]
    assert len(everyone["results"]) == 2 and all("乙租户" not in r["title"] for r in everyone["results"])

    for q, marked in (("<", "<em>&lt;</em>"), ("&", "<em>&amp;</em>")):
        row = api(desk.requester).get("/api/v1/dashboard/search", {"q": q}).json()["data"]["results"][0]
        assert row["id"] == str(mine.pk) and marked in row["highlight"]
        assert set(re.findall(r"</?([a-zA-Z]+)", row["highlight"])) == {"em"}
