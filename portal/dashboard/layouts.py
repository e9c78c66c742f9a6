"""Workbench layouts: the default per role, built from the widget registry, and the checks a
saved layout must pass."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from portal.dashboard.registry import TIME_RANGES, widget_for, widgets_for
from portal.errors import DomainError, ErrorCode

GRID = 12
ROW_HEIGHT = 60
MARGIN = [10, 10]
MAX_WIDGETS = 30
THEME_MODES = ("light", "dark")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def role_default(user) -> dict:
    """The layout a user sees before saving one: the widgets their primary role is given,
    packed left to right in rows of ``GRID`` columns."""
    role = getattr(user, "primary_role", "user")
    chosen = [w for w in widgets_for(user) if role in w.default_for] or widgets_for(user)[:4]
    # first fit: each widget goes into the first row with room, so rows come out full and the
    # order on the page (row by row) is the order of the saved cells
    rows: list[list] = []
    for widget in chosen:
        row = next((r for r in rows if sum(w.width for w in r) + widget.width <= GRID), None)
        if row is None:
            rows.append([widget])
        else:
            row.append(widget)
    layouts, configs = [], []
    y = 0
    for row in rows:
        x = 0
        for widget in row:
            widget_id = f"w_{widget.code}"
            layouts.append(
                {
                    "i": widget_id,
                    "x": x,
                    "y": y,
                    "w": widget.width,
                    "h": widget.height,
                    "minW": widget.min_width,
                    "minH": widget.min_height,
                }
            )
            configs.append({"widget_id": widget_id, "widget_code": widget.code, "config": {}})
            x += widget.width
        y += max(w.height for w in row)
    return {
        "config_name": str(_("Default workbench")),
        "layout_config": {"grid_size": GRID, "row_height": ROW_HEIGHT, "margin": MARGIN, "layouts": layouts},
        "widget_configs": configs,
        "theme_config": {"primary_color": "#2563eb", "theme_mode": "light"},
    }


def _refuse(field: str, message) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_FAILED, str(message), field=field)


def _int(value, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _refuse(field, _("Must be a whole number from %(low)s to %(high)s.") % {"low": low, "high": high})
    return value


def clean_layout(user, *, layout_config: dict, widget_configs: list, theme_config: dict | None) -> tuple:
    """The saved form of a layout, or a 400 naming the first wrong field. Every widget must
    exist and be one the user may see; every placed cell must name a configured widget."""
    if not isinstance(layout_config, dict):
        raise _refuse("layout_config", _("Must be an object."))
    if not isinstance(widget_configs, list) or len(widget_configs) > MAX_WIDGETS:
        raise _refuse("widget_configs", _("Must be a list of at most %(n)s widgets.") % {"n": MAX_WIDGETS})
    grid = _int(layout_config.get("grid_size", GRID), "layout_config.grid_size", 1, 24)
    row_height = _int(layout_config.get("row_height", ROW_HEIGHT), "layout_config.row_height", 10, 400)
    margin = layout_config.get("margin", MARGIN)
    if not (isinstance(margin, list) and len(margin) == 2):
        raise _refuse("layout_config.margin", _("Must be two numbers."))
    margin = [_int(m, "layout_config.margin", 0, 100) for m in margin]

    widgets, seen = [], set()
    for n, item in enumerate(widget_configs):
        field = f"widget_configs[{n}]"
        if not isinstance(item, dict):
            raise _refuse(field, _("Must be an object."))
        widget_id, code = item.get("widget_id"), item.get("widget_code")
        if not isinstance(widget_id, str) or not 0 < len(widget_id) <= 64 or widget_id in seen:
            raise _refuse(f"{field}.widget_id", _("Must be a unique text of up to 64 characters."))
        if not isinstance(code, str) or widget_for(user, code) is None:
            raise _refuse(f"{field}.widget_code", _("Unknown widget: %(code)s") % {"code": code})
        config = item.get("config", {}) or {}
        if not isinstance(config, dict) or len(str(config)) > 2000:
            raise _refuse(f"{field}.config", _("Must be an object."))
        if "time_range" in config and config["time_range"] not in TIME_RANGES:
            raise _refuse(f"{field}.config.time_range", _("Unknown time range."))
        seen.add(widget_id)
        widgets.append({"widget_id": widget_id, "widget_code": code, "config": config})

    layouts, placed = [], set()
    raw_layouts = layout_config.get("layouts", [])
    if not isinstance(raw_layouts, list):
        raise _refuse("layout_config.layouts", _("Must be a list."))
    for n, cell in enumerate(raw_layouts):
        field = f"layout_config.layouts[{n}]"
        if not isinstance(cell, dict):
            raise _refuse(field, _("Must be an object."))
        if cell.get("i") not in seen or cell.get("i") in placed:
            raise _refuse(f"{field}.i", _("Must name a configured widget once."))
        w = _int(cell.get("w"), f"{field}.w", 1, grid)
        x = _int(cell.get("x"), f"{field}.x", 0, grid - w)
        out = {
            "i": cell["i"],
            "x": x,
            "y": _int(cell.get("y"), f"{field}.y", 0, 1000),
            "w": w,
            "h": _int(cell.get("h"), f"{field}.h", 1, 40),
        }
        for key in ("minW", "minH"):
            if key in cell:
                out[key] = _int(cell[key], f"{field}.{key}", 1, 40)
        placed.add(cell["i"])
        layouts.append(out)

    theme = theme_config or {}
    if not isinstance(theme, dict):
        raise _refuse("theme_config", _("Must be an object."))
    clean_theme = {}
    if "primary_color" in theme:
        if not isinstance(theme["primary_color"], str) or not COLOR.match(theme["primary_color"]):
            raise _refuse("theme_config.primary_color", _("Must be a colour like #1890ff."))
        clean_theme["primary_color"] = theme["primary_color"]
    if "theme_mode" in theme:
        if theme["theme_mode"] not in THEME_MODES:
            raise _refuse("theme_config.theme_mode", _("Must be light or dark."))
        clean_theme["theme_mode"] = theme["theme_mode"]
    layout = {"grid_size": grid, "row_height": row_height, "margin": margin, "layouts": layouts}
    return layout, widgets, clean_theme
