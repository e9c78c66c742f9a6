"""The core does not import the apps: apps register with it (URLs, navigation, visibility
rules, demo data, isolation makers) and it discovers them by name. Parsed, not grepped, so
imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import portal

APPS = {"accounts", "tickets", "tenants", "engineers", "dispatch", "knowledge"}
CORE = Path(portal.__file__).resolve().parent


def _is_dynamic_import(node: ast.Call) -> bool:
    name = getattr(node.func, "attr", getattr(node.func, "id", ""))
    literal = bool(node.args) and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
    return name in {"import_module", "import_string", "__import__"} and literal


def _imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            yield node.lineno, node.args[0].value


def test_nothing_under_portal_imports_an_app():
    offenders = []
    for source in sorted(CORE.rglob("*.py")):
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        for line, module in _imports(tree):
            if module.split(".")[0] in APPS:
                offenders.append(f"{source.relative_to(CORE.parent)}:{line} imports {module}")
    assert offenders == []


def test_the_check_sees_imports_inside_functions():
    tree = ast.parse("def f():\n    from tickets.policy import is_manager\n    import_module('knowledge.demo')\n")
    assert [module for _line, module in _imports(tree)] == ["tickets.policy", "knowledge.demo"]
