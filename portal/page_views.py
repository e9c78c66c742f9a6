"""Base classes for server-rendered pages: the same scoping and permission rules as the APIs."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from portal.tenancy import scope_to_principal


class PortalPageMixin(LoginRequiredMixin):
    """A signed-in page. ``required_permissions`` names the v1 code needed, as in the API base
    classes: one code for every method, or a map per HTTP method (``{"get": "user:read",
    "post": "user:create"}``; a method left out needs no code); ``None``: any signed-in user.
    Where one form posts several actions (a hidden ``action`` field, ``action_field``), a
    method's entry may itself be a map per action, ``"*"`` for any other (or none):
    ``{"post": {"status": "user:update", "*": "user:create"}}``.
    ``required_permission`` (one code) is the older spelling of the same. ``tenant_required``
    pages are work inside a tenant: platform principals get a clear 403 instead of a page
    that cannot work for them; ``platform_only`` pages (the installation's operations) refuse
    everyone but the platform administrator the same way. Querysets come from ``get_base_queryset()`` and are
    tenant-scoped. Views never raise ``PermissionDenied`` themselves."""

    required_permissions: str | dict | None = None
    required_permission: str | None = None
    tenant_required = False
    platform_only = False
    action_field = "action"

    def permission_for(self, method: str, action=None) -> str | None:
        """The code ``method`` needs; ``action`` (a callable giving the posted action) is read
        only when the method's entry is a per-action map."""
        codes = self.required_permissions if self.required_permissions is not None else self.required_permission
        if isinstance(codes, dict):
            method = method.lower()
            # HEAD is answered by ``get``: it needs what GET needs unless named itself.
            codes = codes.get(method, codes.get("get")) if method == "head" else codes.get(method)
        if isinstance(codes, dict):
            posted = action() if action is not None else None
            codes = codes.get(posted, codes.get("*"))
        return codes

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.tenant_required and request.user.tenant_id is None:
            raise PermissionDenied(
                _("Platform accounts belong to no tenant: sign in with a tenant account to use this page.")
            )
        if self.platform_only and not request.user.is_platform_admin:
            raise PermissionDenied(_("Only the platform administrator uses this page."))
        code = self.permission_for(request.method, lambda: request.POST.get(self.action_field))
        if code and not request.user.has_contract_permission(code):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return super().get_queryset()

    def get_queryset(self):
        return scope_to_principal(self.get_base_queryset(), self.request.user)
