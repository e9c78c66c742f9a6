"""The pages' twin of the tenant-isolation walk (issue 8): every page URL that names an object by
id, called by tenant B's administrator with the id of tenant A's object, answers 404 (or 403) to
GET and to POST, never shows A's marker, and changes nothing.

Page id routes are found by walking the URL configuration; each app declares which model the id
names (``page_object`` in ``tests/<app label>/isolation.py``), and a route that declares none
fails here, so a new page cannot skip the check."""

from __future__ import annotations

import itertools

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.apps import project_apps
from tests.isolation import MAKERS, MARKER, PAGE_OBJECTS, load_makers

load_makers()

#: Rows a refused request may add without changing anything a user owns: the request log.
LOGS = {"audit.AuditLog"}


def _is_id(name: str) -> bool:
    return name in ("pk", "id") or name.endswith(("_pk", "_id"))


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern


def page_id_routes() -> list[tuple[str, list[str], list[str]]]:
    """(URL name, argument names, methods it serves) of every page, outside the APIs and the
    Django admin, that takes an object id."""
    pages = {config.label for config in project_apps()}
    routes = []
    for name, pattern in _walk(get_resolver().url_patterns):
        arguments = list(getattr(pattern.pattern, "converters", {})) or list(pattern.pattern.regex.groupindex)
        if name.split(":")[0] in pages and any(_is_id(a) for a in arguments):
            view = getattr(pattern.callback, "view_class", None)
            methods = [m for m in ("get", "post") if view is None or hasattr(view, m)]
            routes.append((name, arguments, methods))
    return sorted(routes)


ROUTES = page_id_routes()


def test_every_page_id_route_declares_its_object():
    assert ROUTES, "no page routes with an object id found"
    missing = [name for name, *_ in ROUTES if name not in PAGE_OBJECTS]
    assert missing == [], "declare page_object(name, model) in tests/<app>/isolation.py"
    for name, *_ in ROUTES:
        assert PAGE_OBJECTS[name][0] in MAKERS, f"register an isolation maker for {PAGE_OBJECTS[name][0]}"


def snapshot():
    """Every row of every project model except the request log, as values."""
    models = [m for config in project_apps() for m in config.get_models() if m._meta.label not in LOGS]
    return {m._meta.label: list(m._base_manager.order_by("pk").values()) for m in models}


def _urls(name, arguments, obj):
    _, samples = PAGE_OBJECTS[name]
    others = [a for a in arguments if not _is_id(a)]
    for values in itertools.product(*(samples.get(a, ("x",)) for a in others)):
        kwargs = dict(zip(others, values, strict=True))
        kwargs.update({a: obj.pk for a in arguments if _is_id(a)})
        yield reverse(name, kwargs=kwargs)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "arguments", "methods"), ROUTES, ids=[r[0] for r in ROUTES])
def test_tenant_b_cannot_reach_tenant_as_object_through_a_page(
    name, arguments, methods, client, tenant_a, tenant_b, make_user
):
    model_label, _ = PAGE_OBJECTS[name]
    obj = MAKERS[model_label](tenant_a)
    assert apps.get_model(model_label)._base_manager.filter(pk=obj.pk).exists()
    client.force_login(make_user(tenant_b, "admin"))
    before = snapshot()
    for url in _urls(name, arguments, obj):
        for method in methods:
            response = getattr(client, method)(url, {"note": "x", "rating": 5, "action": "approve"})
            assert response.status_code in (403, 404), (method, url, response.status_code)
            assert MARKER not in response.content.decode(errors="replace"), f"{url} leaked tenant A's object"
    assert snapshot() == before, f"{name}: a refused call changed data"
