"""Workbench pages: the landing page with the user's widgets, the ticket statistics page with
its CSV/Excel export, and the global search results. They read through the same selectors as
the v1 API; the widgets load their figures from the API in the browser."""

from __future__ import annotations

import csv
import io

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from portal.dashboard import selectors
from portal.dashboard.api import presenters as P
from portal.dashboard.registry import TIME_RANGES, WIDGETS, widget_for, widgets_for
from portal.errors import DomainError
from portal.page_views import PortalPageMixin
from portal.templatetags.portal_ui import role_names

SUMMARY_LABELS = {
    "total": gettext_lazy("Total"),
    "pending": gettext_lazy("Still open"),
    "completed": gettext_lazy("Completed"),
    "open_now": gettext_lazy("Open now"),
    "overdue_now": gettext_lazy("Overdue now"),
    "avg_response_time": gettext_lazy("Avg response (h)"),
    "customer_satisfaction": gettext_lazy("Satisfaction"),
    "compliance_rate": gettext_lazy("Within SLA (%)"),
    "finished": gettext_lazy("Finished"),
    "breached": gettext_lazy("Breached"),
    "open_breached": gettext_lazy("Open past SLA"),
    "assignees": gettext_lazy("Assignees"),
    "unread": gettext_lazy("Unread"),
    "in_progress": gettext_lazy("In progress"),
    "overdue": gettext_lazy("Overdue"),
    "change": gettext_lazy("Change"),
    "success_rate": gettext_lazy("Success rate (%)"),
    "avg_match_score": gettext_lazy("Avg match score"),
    "documents": gettext_lazy("Published documents"),
    "views": gettext_lazy("Views"),
    "avg_rating": gettext_lazy("Avg rating"),
}


def range_choices() -> list[tuple[str, str]]:
    labels = {"1d": _("Today"), "7d": _("Last 7 days"), "30d": _("Last 30 days"), "90d": _("Last 90 days")}
    return [(code, labels[code]) for code in TIME_RANGES]


class WorkbenchView(PortalPageMixin, TemplateView):
    """Every user's landing page: their saved layout (or their role's default) of widgets,
    quick actions and recent visits. Users without ``dashboard:read`` get the links only."""

    template_name = "dashboard/workbench.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        nav = selectors.navigation(user=user, request=self.request)
        context = {
            "display_name": user.real_name or user.username,
            "roles": role_names(user),
            "quick_actions": nav["quick_actions"],
            "recent_visits": nav["recent_visits"][:8],
            "can_dashboard": user.has_contract_permission("dashboard:read"),
            "can_customise": user.has_contract_permission("dashboard:write"),
            "ranges": range_choices(),
        }
        if context["can_dashboard"]:
            mine = list(selectors.configs_for(user))  # a handful of rows, default first (Meta.ordering)
            config = mine[0] if mine else None
            body = P.v1_config(config, user=user, saved=[])
            placed = {cell["i"]: cell for cell in body["layout_config"]["layouts"]}
            cells = []
            for item in body["widget_configs"]:
                widget = WIDGETS.get(item["widget_code"])
                cell = placed.get(item["widget_id"])
                if widget is None or cell is None or not widget.allows(user):
                    continue  # a widget removed from the registry or no longer permitted
                cells.append({"item": item, "cell": cell, "widget": widget})
            cells.sort(key=lambda c: (c["cell"]["y"], c["cell"]["x"]))
            catalogue = [P.v1_widget(w) for w in widgets_for(user)]
            context.update(
                cells=cells,
                workbench={
                    "config_id": body["config_id"],
                    "config_name": body["config_name"] if body["config_id"] else str(_("My workbench")),
                    "grid": body["layout_config"],
                    "catalogue": catalogue,
                    "summary_labels": {key: str(label) for key, label in SUMMARY_LABELS.items()},
                },
            )
        return super().get_context_data(**context, **kwargs)


class StatisticsView(PortalPageMixin, TemplateView):
    """Ticket statistics for a time range, within the caller's visibility; charts over tables."""

    required_permission = "dashboard:read"
    template_name = "dashboard/statistics.html"

    def get_context_data(self, **kwargs):
        time_range = self.request.GET.get("time_range") or "30d"
        error = None
        try:
            figures = selectors.statistics(user=self.request.user, time_range=time_range)
        except DomainError as refused:
            error, time_range = str(refused.message), "30d"
            figures = selectors.statistics(user=self.request.user, time_range=time_range)
        return super().get_context_data(
            figures=figures,
            time_range=time_range,
            ranges=range_choices(),
            error=error,
            priority_rows=_priority_rows(figures),
            category_rows=_category_rows(figures),
            **kwargs,
        )


def _category_rows(figures) -> list[tuple[str, int]]:
    distribution = figures["distribution"]
    names = distribution.get("category_names", {})
    return [(names.get(code, code), n) for code, n in distribution.get("ticket_by_category", {}).items()]


def _priority_rows(figures) -> list[tuple[str, int]]:
    from portal.templatetags.portal_ui import priority_label

    rows = figures["distribution"].get("ticket_by_priority", {})
    return [(priority_label("normal" if word == "medium" else word), n) for word, n in rows.items()]


class StatisticsExportView(PortalPageMixin, View):
    """The statistics page's figures as CSV (UTF-8 with BOM, so Excel opens Chinese correctly)
    or as an Excel workbook (openpyxl): one sheet per section."""

    required_permission = "dashboard:read"

    def get(self, request, fmt):
        time_range = request.GET.get("time_range") or "30d"
        if time_range not in TIME_RANGES:
            return HttpResponse(_("Unknown time range."), status=400, content_type="text/plain; charset=utf-8")
        figures = selectors.statistics(user=request.user, time_range=time_range)
        sheets = export_tables(figures)
        stamp = timezone.localtime().strftime("%Y%m%d")
        name = f"ticket-statistics-{time_range}-{stamp}"
        if fmt == "xlsx":
            from openpyxl import Workbook

            book = Workbook()
            book.remove(book.active)
            for title, rows in sheets:
                sheet = book.create_sheet(title=title[:31])
                for row in rows:
                    sheet.append(row)
            out = io.BytesIO()
            book.save(out)
            response = HttpResponse(
                out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            return response
        text = io.StringIO()
        writer = csv.writer(text)
        for title, rows in sheets:
            writer.writerow([title])
            writer.writerows(rows)
            writer.writerow([])
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


def _cell(value):
    """Spreadsheet cells never start with a formula character (CSV/Excel injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_tables(figures) -> list[tuple[str, list[list]]]:
    overview = figures.get("overview", {})
    labels = {
        "total_tickets": _("Tickets created"),
        "pending_tickets": _("Still open"),
        "completed_tickets": _("Completed"),
        "cancelled_tickets": _("Cancelled"),
        "avg_response_time": _("Average response time (hours)"),
        "avg_resolution_time": _("Average resolution time (hours)"),
        "customer_satisfaction": _("Customer satisfaction (1-5)"),
        "sla_breached": _("SLA breached"),
    }
    trends = figures.get("trends", {})
    response = {row["date"]: row["avg_time"] for row in trends.get("response_time_trends", [])}
    return [
        (
            str(_("Overview")),
            [[str(_("Figure")), str(_("Value"))]] + [[str(labels[k]), overview.get(k)] for k in labels],
        ),
        (
            str(_("Daily trend")),
            [
                [
                    str(_("Date")),
                    str(_("New tickets")),
                    str(_("Completed")),
                    str(_("Still open")),
                    str(_("Avg response (h)")),
                ]
            ]
            + [
                [row["date"], row["created"], row["completed"], row["pending"], response.get(row["date"])]
                for row in trends.get("ticket_trends", [])
            ],
        ),
        (
            str(_("By priority")),
            [[str(_("Priority")), str(_("Tickets"))]] + [[str(p), n] for p, n in _priority_rows(figures)],
        ),
        (
            str(_("By category")),
            [[str(_("Category")), str(_("Tickets"))]] + [[_cell(name), n] for name, n in _category_rows(figures)],
        ),
    ]


class SearchView(PortalPageMixin, TemplateView):
    """Global search results, grouped by kind (the top bar's search box lands here)."""

    required_permission = "search:read"
    template_name = "dashboard/search.html"

    def get_context_data(self, **kwargs):
        q = (self.request.GET.get("q") or "").strip()[:100]
        groups = []
        if q:
            result = selectors.search(user=self.request.user, q=q, type="all", limit=20)
            groups = [{**group, "results": result.by_kind[group["type"]]} for group in result.groups]
        return super().get_context_data(q=q, groups=groups, total=sum(len(g["results"]) for g in groups), **kwargs)


PREVIEW_COLOURS = ("#2563eb", "#60a5fa", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6")


def preview_kind(widget) -> str:
    """What the preview draws: the chart's shape, or the widget's kind (figures, list)."""
    if widget.widget_type == "chart" and widget.chart_type in {"line", "bar", "doughnut"}:
        return widget.chart_type
    return widget.widget_type if widget.widget_type in {"stat", "list"} else "list"


class WidgetPreviewView(PortalPageMixin, View):
    """``preview_url`` of ``GET dashboard/widgets``: a schematic picture of the widget (its name
    in the reader's language and the shape of its chart, figures or list; no data), as SVG.
    Widgets the user may not see are a 404, as in the API."""

    required_permission = "dashboard:read"

    def get(self, request, widget_code: str):
        widget = widget_for(request.user, widget_code)
        if widget is None:
            raise Http404
        heights = (60, 96, 74, 112, 88, 104, 70)
        context = {
            "name": str(widget.name),
            "kind": preview_kind(widget),
            "bars": [
                {"x": 28 + 39 * i, "y": 176 - h, "h": h, "fill": PREVIEW_COLOURS[i % 2]} for i, h in enumerate(heights)
            ],
            "tiles": [{"x": 18 + 98 * i, "fill": PREVIEW_COLOURS[i * 2]} for i in range(3)],
            "rows": [{"y": 62 + 24 * i, "w": 180 - 22 * (i % 3), "fill": PREVIEW_COLOURS[i % 6]} for i in range(5)],
        }
        response = HttpResponse(
            render_to_string("dashboard/widget_preview.svg", context, request=request),
            content_type="image/svg+xml; charset=utf-8",
        )
        # a picture, never a document: nothing in it may run or load anything
        response["Content-Security-Policy"] = "default-src 'none'"
        response["Cache-Control"] = "private, max-age=3600"
        response["Vary"] = "Cookie, Accept-Language"
        return response
