"""A URLconf for the shell tests: the real one plus throwaway pages under the URL names the
navigation registry plans for (``accounts:users``, ``tenants:list``) and a page that needs a
permission, so visibility rules can be tested before the real pages exist."""

from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import View

from accounts import urls as accounts_urls
from portal import urls as portal_urls
from portal.page_views import PortalPageMixin


class _Page(PortalPageMixin, View):
    def get(self, request):
        return HttpResponse("ok")


class _UsersPage(_Page):
    required_permission = "user:read"


accounts_patterns = [
    *accounts_urls.urlpatterns,
    path("users/", _UsersPage.as_view(), name="users"),
]

urlpatterns = [
    path("accounts/", include((accounts_patterns, "accounts"))),
    path("tenants/", include(([path("", _Page.as_view(), name="list")], "tenants"))),
    *[p for p in portal_urls.urlpatterns if getattr(p, "pattern", None) and str(p.pattern) != "accounts/"],
]

handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
