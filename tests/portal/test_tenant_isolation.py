"""Walks every GET route of both contracts and proves that a user of tenant B never sees a row
of tenant A: lists never contain A's marker, and A's objects are 404 (or 403) to B."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver

from portal.api.urls import desk_urlpatterns, v1_urlpatterns
from portal.api.views import ContractViewMixin, DeskNotFoundView, V1NotFoundView
from tests.isolation import MARKER, load_makers

MAKERS = load_makers()


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + _route_text(pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def _route_text(pattern) -> str:
    text = str(pattern.pattern)
    return text.lstrip("^").rstrip("$").replace("/?", "/").replace("\\", "")


def get_routes():
    routes = []
    for route, pattern in _walk(v1_urlpatterns + desk_urlpatterns):
        view = getattr(pattern.callback, "cls", None)
        if view is None or not issubclass(view, ContractViewMixin) or view in (V1NotFoundView, DeskNotFoundView):
            continue
        actions = getattr(pattern.callback, "actions", None)
        if actions is not None:
            if "get" not in actions:
                continue
            action = actions["get"]
        else:
            if not hasattr(view, "get"):
                continue
            action = None
        routes.append((route, view, action))
    return routes


def _model_of(view, action):
    instance = view()
    instance.action = action
    instance.kwargs = {}
    instance.request = None
    instance.format_kwarg = None
    try:
        return instance.get_base_queryset().model
    except Exception:  # noqa: BLE001 - views without a queryset (aggregates) are checked by body only
        return None


ROUTES = get_routes()
KWARG = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def test_routes_were_found():
    assert ROUTES, "no contract GET routes found"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "view", "action"), ROUTES, ids=[r[0] for r in ROUTES])
def test_tenant_b_never_sees_tenant_a(route, view, action, tenant_a, tenant_b, make_user, api):
    model = _model_of(view, action)
    obj = None
    if model is not None:
        label = model._meta.label
        assert label in MAKERS, f"register an isolation maker for {label} (tests/isolation.py)"
        obj = MAKERS[label](tenant_a)
    b_admin = make_user(tenant_b, "admin")
    path = "/" + KWARG.sub(lambda m: str(obj.pk if obj is not None else 1), route)
    response = api(b_admin).get(path)
    assert response.status_code in (200, 403, 404), (path, response.status_code, response.content[:300])
    assert MARKER not in response.content.decode(), f"{path} leaked tenant A's data to tenant B"
    if KWARG.search(route) and obj is not None and getattr(model, "tenant", None) is not None:
        assert response.status_code in (403, 404), f"{path} served tenant A's object to tenant B"
