from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import TemplateView

from portal.api.errors import ErrorCode
from portal.api.exceptions import Problem, desk_payload, v1_payload
from portal.logging import get_request_id
from portal.page_views import PortalPageMixin


class DashboardView(PortalPageMixin, TemplateView):
    template_name = "portal/dashboard.html"


def _api_error(request, code: ErrorCode):
    """Errors raised outside DRF (Django's 404/500 handlers) still answer in the contract's
    envelope under /api/v1/ and /api/."""
    problem = Problem(code, str(code.spec.message))
    if request.path.startswith("/api/v1/") or request.path == "/api/v1":
        status, body = v1_payload(problem)
        body["timestamp"] = timezone.now().isoformat().replace("+00:00", "Z")
        body["trace_id"] = getattr(request, "id", None) or get_request_id()
    else:
        status, body = desk_payload(problem)
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _is_api(request) -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _is_api(request):
        return _api_error(request, ErrorCode.NOT_FOUND)
    return render(request, "404.html", status=404)


def server_error(request):
    if _is_api(request):
        return _api_error(request, ErrorCode.INTERNAL_ERROR)
    return render(request, "500.html", status=500)
