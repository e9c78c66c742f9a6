from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from portal.api.exceptions import MissingPermission
from portal.audit import recorder


def required_permission_for(view, request) -> str | None:
    """The v1 permission code a request needs: ``view.required_permissions`` is a code, or a
    mapping from viewset action or HTTP method to code (``None`` = any signed-in user)."""
    spec = getattr(view, "required_permissions", None)
    if isinstance(spec, dict):
        action = getattr(view, "action", None)
        if action and action in spec:
            return spec[action]
        return spec.get(request.method, spec.get("*"))
    return spec


class HasContractPermission(BasePermission):
    """Every contract endpoint is closed unless it says otherwise: views set ``public = True``
    to allow anonymous callers, and ``required_permissions`` to name the v1 code they need."""

    def has_permission(self, request, view) -> bool:
        if getattr(view, "public", False):
            return True
        user = request.user
        if not user or not user.is_authenticated:
            raise NotAuthenticated()
        code = required_permission_for(view, request)
        recorder.set_operation(code or "")
        if code is None:
            return True
        if not user.has_contract_permission(code):
            raise MissingPermission(code, user.permission_codes)
        return True
