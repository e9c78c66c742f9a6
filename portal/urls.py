from importlib import import_module
from importlib.util import find_spec

from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from portal import health, views
from portal.apps import project_apps
from portal.system import views_ops as system_views


def app_pages() -> list:
    """Each project app's pages, discovered by name: an ``<app>.urls`` module whose ``app_name``
    is the app's label is mounted under ``/<label>/`` (``tickets:list`` → ``/tickets/``)."""
    patterns = []
    for config in project_apps():
        module = f"{config.name}.urls"
        if config.name == "portal" or find_spec(module) is None:
            continue
        if getattr(import_module(module), "app_name", None) == config.label:
            patterns.append(path(f"{config.label}/", include(module)))
    return patterns


urlpatterns = [
    # Browsers and the Django admin ask for /favicon.ico whatever the page links.
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("img/favicon.svg"))),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", system_views.prometheus_metrics, name="prometheus-metrics"),
    path("admin/login/", views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("portal.api.urls")),
    *app_pages(),
    path("", include("portal.pages")),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
