"""Collects each domain app's API routes: ``<app>.api.urls`` may define ``v1_urlpatterns``
(mounted under /api/v1/) and ``desk_urlpatterns`` (under /api/). Registering a route there
is all it takes to be served, documented and covered by the tenant-isolation test."""

from importlib import import_module
from importlib.util import find_spec

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from portal.api.docs import ContractSwaggerView
from portal.api.views import DeskNotFoundView, V1NotFoundView

API_APPS = [
    "portal",
    "portal.system",
    "portal.audit",
    "portal.notifications",
    "portal.sla",
    "tenants",
    "accounts",
    "tickets",
    "dispatch",
    "engineers",
    "knowledge",
]


def _collect(attribute: str) -> list:
    patterns = []
    for app in API_APPS:
        module_name = f"{app}.api.urls"
        if find_spec(f"{app}.api") is None or find_spec(module_name) is None:
            continue
        patterns += getattr(import_module(module_name), attribute, [])
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
