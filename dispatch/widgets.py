"""What dispatch contributes to the workbench (discovered by ``portal.dashboard``): the
dispatch overview, read through the app's own statistics selector."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import selectors
from portal.dashboard.registry import Widget, register_widget


def _overview(user, query) -> dict:
    figures = selectors.statistics_overview(user, time_range=query.window.code)
    by_day = {row["date"]: row for row in figures["trends"]}
    dates = [day.isoformat() for day in query.window.dates()]
    summary = figures["summary"]
    return {
        "chart_data": {
            "labels": dates,
            "datasets": [
                {
                    "label": _("Dispatches"),
                    "data": [by_day.get(d, {}).get("total", 0) for d in dates],
                    "backgroundColor": "#3b82f6",
                    "borderColor": "#3b82f6",
                },
                {
                    "label": _("Successful"),
                    "data": [by_day.get(d, {}).get("success", 0) for d in dates],
                    "backgroundColor": "#16a34a",
                    "borderColor": "#16a34a",
                },
            ],
        },
        "summary": {
            "total": summary["total_dispatches"],
            "success_rate": summary["success_rate"],
            "avg_match_score": summary["avg_match_score"],
        },
    }


register_widget(
    Widget(
        code="dispatch_overview",
        name=gettext_lazy("Dispatch overview"),
        description=gettext_lazy("Dispatches per day and how many stuck with the engineer they went to."),
        data=_overview,
        chart_type="bar",
        permission="dispatch:statistics",
        module="dispatch",
        config_schema={"time_range": {"type": "select", "options": ["1d", "7d", "30d", "90d"], "default": "7d"}},
        width=8,
        default_for=frozenset({"supervisor", "admin"}),
        order=75,
    )
)
