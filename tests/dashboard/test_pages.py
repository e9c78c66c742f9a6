"""Workbench pages: the landing page with the user's layout, the statistics page and its
CSV/Excel export, global search results, the top-bar search box."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_landing_page_is_the_workbench_with_the_role_default(desk, client):
    client.force_login(desk.agent)
    body = client.get(reverse("portal:dashboard")).content.decode()
    assert 'data-widget-code="my_tasks"' in body and 'data-widget-code="ticket_trends"' in body
    assert 'data-widget-code="workload"' not in body  # a supervisor's widget
    assert "/static/vendor/chartjs/chart.umd.min.js" in body and "/static/js/workbench.js" in body
    assert 'id="wb-config" type="application/json"' in body
    assert "<script>" not in body and "style=" not in body  # CSP: no inline scripts or styles
    assert 'data-quick-action="create_ticket"' in body
    assert "No overview yet" not in body and "暂无概览" not in body


def test_landing_page_shows_the_saved_layout_in_its_order(desk, client, api):
    layout = {
        "layout_config": {
            "grid_size": 12,
            "layouts": [{"i": "b", "x": 0, "y": 0, "w": 12, "h": 4}, {"i": "a", "x": 0, "y": 4, "w": 4, "h": 3}],
        },
        "widget_configs": [
            {"widget_id": "a", "widget_code": "ticket_summary"},
            {"widget_id": "b", "widget_code": "backlog_priority"},
        ],
    }
    assert api(desk.requester).post("/api/v1/dashboard/config", layout, format="json").status_code == 200
    client.force_login(desk.requester)
    body = client.get("/").content.decode()
    assert body.index('data-widget-id="b"') < body.index('data-widget-id="a"')
    assert "wb-w-12 wb-h-4" in body and "wb-w-4 wb-h-3" in body
    assert 'data-widget-code="ticket_trends"' not in body


def test_user_without_dashboard_permission_still_lands(desk, make_user, client):
    nobody = make_user(desk.tenant, username="no_roles")
    nobody.roles.clear()
    client.force_login(nobody)
    response = client.get("/")
    assert response.status_code == 200
    assert "wb-grid" not in response.content.decode()


def test_statistics_page_and_exports_follow_visibility(desk, client):
    desk.ticket(title="我的")
    desk.resolved(title="已解决")
    desk.ticket(by=desk.other_requester, title="别人的")
    client.force_login(desk.requester)
    page = client.get(reverse("dashboard:statistics") + "?time_range=7d")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-st-table="trend"' in body and "<script>" not in body

    exported = client.get(reverse("dashboard:statistics-export", args=["csv"]) + "?time_range=7d")
    assert exported["Content-Type"].startswith("text/csv")
    text = exported.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert ["新建工单数", "2"] in rows or ["Tickets created", "2"] in rows  # the requester's two, not three

    xlsx = client.get(reverse("dashboard:statistics-export", args=["xlsx"]) + "?time_range=30d")
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(book.sheetnames) == 4
    first = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
    assert first[1][1] == 2

    assert client.get(reverse("dashboard:statistics") + "?time_range=1y").status_code == 200
    assert client.get(reverse("dashboard:statistics-export", args=["csv"]) + "?time_range=1y").status_code == 400


def test_export_cells_never_start_a_formula(desk, client):
    from tickets import services

    services.category_create(tenant=desk.tenant, by=desk.admin, data={"name": "=cmd|' /C calc'!A0", "code": "evil"})
    from tickets.models import Category

    desk.ticket(category=Category.objects.get(code="evil"))
    client.force_login(desk.admin)
    text = client.get(reverse("dashboard:statistics-export", args=["csv"])).content.decode()
    assert "\n=cmd" not in text and "'=cmd" in text


def test_search_page_groups_results_and_escapes(desk, make_user, client):
    desk.ticket(title="<b>打印机</b> 卡纸")
    make_user(desk.tenant, "user", username="printer_admin", real_name="打印机管理员")
    client.force_login(desk.admin)
    body = client.get(reverse("dashboard:search") + "?q=打印机").content.decode()
    assert 'data-search-group="ticket"' in body and 'data-search-group="user"' in body
    assert "&lt;b&gt;<em>打印机</em>&lt;/b&gt;" in body
    assert "<b>打印机" not in body


def test_top_bar_search_box(desk, make_user, client):
    client.force_login(desk.requester)
    body = client.get(reverse("tickets:mine")).content.decode()
    assert f'action="{reverse("dashboard:search")}"' in body and 'role="search"' in body
    nobody = make_user(desk.tenant, username="no_roles")
    nobody.roles.clear()
    client.force_login(nobody)
    assert f'action="{reverse("dashboard:search")}"' not in client.get("/").content.decode()


def test_widget_previews_are_pictures_of_what_the_user_may_add(desk, client, api):
    # Given the widget list a supervisor gets from the API
    widgets = api(desk.supervisor).get("/api/v1/dashboard/widgets").json()["data"]
    client.force_login(desk.supervisor)
    shapes = set()
    for widget in widgets:
        # Then every preview_url answers with an SVG naming the widget, in the reader's language
        response = client.get(widget["preview_url"], HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, widget["widget_code"]
        assert response["Content-Type"].startswith("image/svg+xml")
        assert response["Content-Security-Policy"] == "default-src 'none'"
        body = response.content.decode()
        assert body.startswith("<svg") and f"<title>{widget['widget_name']}</title>" in body
        assert "<script" not in body and " on" not in body.replace(" opacity", "")
        shapes.add(("polyline" in body, "circle" in body, "rect" in body))
    assert len(shapes) > 1  # line, bar, doughnut, figures and lists are drawn differently
    # And a widget the user may not add, or none at all, is a 404; signed out, the sign-in page
    client.force_login(desk.requester)
    assert client.get(reverse("dashboard:widget-preview", args=["workload"])).status_code == 404
    assert client.get(reverse("dashboard:widget-preview", args=["nope"])).status_code == 404
    client.logout()
    assert client.get(reverse("dashboard:widget-preview", args=["ticket_trends"])).status_code == 302
