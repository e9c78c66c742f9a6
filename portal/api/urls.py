"""Collects each installed app's API routes, discovered by name: ``<app>.api.urls`` may define
``v1_urlpatterns`` (mounted under /api/v1/) and ``desk_urlpatterns`` (under /api/), in the order
of ``INSTALLED_APPS``. Registering a route there is all it takes to be served, documented and
covered by the tenant-isolation test; the core lists no app."""

from importlib import import_module
from importlib.util import find_spec

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from portal.api.docs import ContractSwaggerView
from portal.api.views import DeskNotFoundView, V1NotFoundView
from portal.apps import project_apps


def api_apps() -> list[str]:
    """Names of the project's apps that ship an ``api.urls`` module."""
    return [
        config.name
        for config in project_apps()
        if find_spec(f"{config.name}.api") is not None and find_spec(f"{config.name}.api.urls") is not None
    ]


def _collect(attribute: str) -> list:
    patterns = []
    for app in api_apps():
        patterns += getattr(import_module(f"{app}.api.urls"), attribute, [])
    return patterns


v1_urlpatterns = [path("api/v1/", include(_collect("v1_urlpatterns")))]
desk_urlpatterns = [path("api/", include(_collect("desk_urlpatterns")))]

# One schema per contract (title, version and description come from portal.api.schema_contract);
# Swagger UI switches between them.
schema_urlpatterns = [
    path("api/v1/schema/", SpectacularAPIView.as_view(urlconf="portal.api.urls_v1"), name="schema-v1"),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="portal.api.urls_desk"), name="schema-desk"),
    path("api/docs/", ContractSwaggerView.as_view(), name="api-docs"),
]

urlpatterns = [
    *schema_urlpatterns,
    *v1_urlpatterns,
    re_path(r"^api/v1(?:/.*)?$", V1NotFoundView.as_view()),
    *desk_urlpatterns,
    re_path(r"^api(?:/.*)?$", DeskNotFoundView.as_view()),
]
