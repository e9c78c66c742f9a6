from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from portal import health, views

urlpatterns = [
    # Browsers and the Django admin ask for /favicon.ico whatever the page links.
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("img/favicon.svg"))),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/login/", views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("portal.api.urls")),
    path("accounts/", include("accounts.urls")),
    path("tenants/", include("tenants.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("tickets/", include("tickets.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("", include("portal.pages")),
]

handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
