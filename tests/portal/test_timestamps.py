"""One way to write a moment for clients (issue 8): ``portal.timestamps.iso_utc``. Parsed, so
that a new copy of the formatting (``.isoformat()`` patched to ``Z``, or a datetime put into a
client payload with a bare ``.isoformat()``) fails here instead of drifting."""

from __future__ import annotations

import ast
import datetime
from pathlib import Path

from django.utils import timezone

from portal.apps import project_apps
from portal.timestamps import iso_utc

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "portal" / "timestamps.py"


def _app_sources():
    for config in project_apps():
        for source in sorted(Path(config.path).rglob("*.py")):
            if "migrations" not in source.parts:
                yield source


def _copies(tree: ast.AST):
    """``<x>.isoformat().replace("+00:00", "Z")`` and ``<x>.astimezone(...).isoformat()``."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        inner = node.func.value
        patched_z = (
            node.func.attr == "replace"
            and isinstance(inner, ast.Call)
            and getattr(inner.func, "attr", "") == "isoformat"
            and any(isinstance(a, ast.Constant) and a.value == "+00:00" for a in node.args)
        )
        to_utc = (
            node.func.attr == "isoformat"
            and isinstance(inner, ast.Call)
            and getattr(inner.func, "attr", "") == "astimezone"
        )
        if patched_z or to_utc:
            yield node.lineno


def test_no_app_formats_timestamps_itself():
    offenders = [
        f"{source.relative_to(ROOT)}:{line}"
        for source in _app_sources()
        if source != HOME
        for line in _copies(ast.parse(source.read_text(encoding="utf-8"), filename=str(source)))
    ]
    assert offenders == []


def test_iso_utc_writes_utc_with_z():
    moment = datetime.datetime(2026, 11, 30, 16, 15, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    assert iso_utc(moment) == "2026-11-30T08:15:00Z"
    assert iso_utc(None) is None
    assert iso_utc(timezone.now()).endswith("Z")
