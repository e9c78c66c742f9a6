"""How the workbench looks in the v1 contract (§2). Plain functions over loaded objects."""

from __future__ import annotations

from django.urls import reverse

from portal.dashboard import layouts
from portal.dashboard.registry import WIDGETS, Task, Widget


def _widget_configs(items: list) -> list[dict]:
    out = []
    for item in items:
        widget = WIDGETS.get(item.get("widget_code"))
        out.append({**item, "widget_name": str(widget.name) if widget else item.get("widget_code", "")})
    return out


def v1_config(config, *, user, saved: list) -> dict:
    """A saved layout, or (``config`` None) the role's default that the user has not saved."""
    summaries = [{"config_id": c.pk, "config_name": c.config_name, "is_default": c.is_default} for c in saved]
    if config is None:
        default = layouts.role_default(user)
        return {
            "config_id": None,
            **default,
            "widget_configs": _widget_configs(default["widget_configs"]),
            "is_default": True,
            "source": "role_default",
            "updated_at": None,
            "configs": summaries,
        }
    return {
        "config_id": config.pk,
        "config_name": config.config_name,
        "layout_config": config.layout_config,
        "widget_configs": _widget_configs(config.widget_configs),
        "theme_config": config.theme_config,
        "is_default": config.is_default,
        "source": "saved",
        "updated_at": config.updated_at,
        "configs": summaries,
    }


def v1_task(task: Task) -> dict:
    return {
        "id": task.id,
        "title": task.title,
        "type": task.type,
        "priority": task.priority,
        "status": task.status,
        "assigned_to": task.assigned_to,
        "due_time": task.due_time,
        "created_at": task.created_at,
        "description": task.description,
        "url": task.url,
        "is_overdue": task.is_overdue,
    }


def v1_widget(widget: Widget) -> dict:
    return {
        "widget_code": widget.code,
        "widget_name": str(widget.name),
        "widget_type": widget.widget_type,
        "chart_type": widget.chart_type,
        "description": str(widget.description),
        "config_schema": widget.config_schema,
        "min_width": widget.min_width,
        "min_height": widget.min_height,
        "default_width": widget.width,
        "default_height": widget.height,
        "preview_url": reverse("dashboard:widget-preview", args=[widget.code]),
    }
