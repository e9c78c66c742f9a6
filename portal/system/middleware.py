"""Pages of a module switched off for the user's tenant disappear (404). The APIs are gated in
their base class (``portal.api.views.ContractViewMixin``), after token authentication."""

from django.http import Http404
from django.utils.translation import gettext as _

from portal import modules


class ModuleGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(("/api/", "/admin/")):
            return None
        user = getattr(request, "user", None)
        enabled, module = modules.view_enabled(view_func, user)
        if not enabled:
            raise Http404(_("%(module)s is switched off for your organisation.") % {"module": module.name})
        return None
