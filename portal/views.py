from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone

from portal.api.exceptions import Problem, desk_payload, v1_payload
from portal.errors import ErrorCode
from portal.logging import get_request_id
from portal.timestamps import iso_utc


def _api_error(request, code: ErrorCode):
    """Errors raised outside DRF (Django's 404/500 handlers) still answer in the contract's
    envelope under /api/v1/ and /api/."""
    problem = Problem(code, str(code.spec.message))
    if request.path.startswith("/api/v1/") or request.path == "/api/v1":
        status, body = v1_payload(problem)
        body["timestamp"] = iso_utc(timezone.now())
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


def permission_denied(request, exception=None):
    if _is_api(request):
        return _api_error(request, ErrorCode.INSUFFICIENT_PERMISSIONS)
    reason = str(exception) if isinstance(exception, PermissionDenied) and exception.args else ""
    return render(request, "403.html", {"reason": reason}, status=403)


def server_error(request):
    if _is_api(request):
        return _api_error(request, ErrorCode.INTERNAL_ERROR)
    # No request context: context processors touch the session and the database, either of
    # which may be what just failed. The template is standalone.
    return HttpResponseServerError(loader.get_template("500.html").render())


def admin_login(request):
    """The Django admin signs people in through the portal's login, so that lockout, captcha,
    two-factor, login logs and revocable login sessions apply to operators too."""
    if request.user.is_authenticated:
        raise PermissionDenied  # signed in but not staff: the portal login would send them back
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
