"""Base classes for server-rendered pages: the same scoping and permission rules as the APIs."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

from portal.tenancy import scope_to_principal


class PortalPageMixin(LoginRequiredMixin):
    """A signed-in page. ``required_permission`` names the v1 code needed (``None``: any
    signed-in user); querysets come from ``get_base_queryset()`` and are tenant-scoped."""

    required_permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.required_permission and not request.user.has_contract_permission(self.required_permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return super().get_queryset()

    def get_queryset(self):
        return scope_to_principal(self.get_base_queryset(), self.request.user)
