"""Base classes for every API view of both contracts.

A contract view gets, from its base class alone: its envelope (renderer), its error format
(exception handler), its pagination, the permission check on v1 codes, the tenant check, and
tenant scoping of every queryset it serves. Views provide ``queryset`` (or
``get_base_queryset()``); they never override ``get_queryset`` (a system check enforces it),
so a forgotten scope filter cannot happen.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import generics, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from portal import modules
from portal.api.exceptions import desk_exception_handler, v1_exception_handler
from portal.api.pagination import DeskPagination, V1Pagination
from portal.api.renderers import DeskRenderer, V1Renderer
from portal.client import client_ip
from portal.errors import DomainError, ErrorCode
from portal.system import maintenance
from portal.tenancy import principal_tenant, scope_to_principal


class ContractViewMixin:
    api_contract: str = ""
    #: ``True`` lets anonymous callers in (login, captcha, …).
    public = False
    #: v1 permission code, or {action/method: code}; ``None`` = any signed-in user.
    required_permissions: str | dict | None = None
    #: ErrorCode used when an object lookup fails (e.g. ``ErrorCode.TICKET_NOT_FOUND``).
    not_found_code: ErrorCode | None = None

    def check_permissions(self, request):
        user = request.user
        request.tenant = principal_tenant(user)
        if user is not None and user.is_authenticated and user.tenant_id and not user.tenant.is_usable:
            raise DomainError(ErrorCode.TENANT_UNAVAILABLE)
        if not self.public:  # sign-in and the other public calls stay open (the sign-in service decides)
            maintenance.raise_if_closed(user, client_ip(request))
        enabled, module = modules.view_enabled(type(self), user)
        if not enabled:
            raise DomainError(
                ErrorCode.MODULE_DISABLED,
                _("%(module)s is switched off for your organisation; ask your administrator.")
                % {"module": module.name},
            )
        super().check_permissions(request)

    def get_base_queryset(self):
        return super().get_queryset()

    def get_queryset(self):
        return scope_to_principal(self.get_base_queryset(), self.request.user)


class V1ContractMixin(ContractViewMixin):
    api_contract = "v1"
    renderer_classes = [V1Renderer]
    pagination_class = V1Pagination

    def get_exception_handler(self):
        return v1_exception_handler


class DeskContractMixin(ContractViewMixin):
    api_contract = "desk"
    renderer_classes = [DeskRenderer]
    pagination_class = DeskPagination
    #: "code_msg" for the calls the desk contract documents as {code, msg, data}.
    desk_envelope = ""

    def get_exception_handler(self):
        return desk_exception_handler


class V1APIView(V1ContractMixin, APIView):
    pass


class V1GenericAPIView(V1ContractMixin, generics.GenericAPIView):
    pass


class V1ViewSet(V1ContractMixin, viewsets.GenericViewSet):
    pass


class DeskAPIView(DeskContractMixin, APIView):
    pass


class DeskGenericAPIView(DeskContractMixin, generics.GenericAPIView):
    pass


class DeskViewSet(DeskContractMixin, viewsets.GenericViewSet):
    pass


class _NotFoundMixin:
    public = True

    def _not_found(self, request, *args, **kwargs):
        raise NotFound()

    get = post = put = patch = delete = _not_found


class V1NotFoundView(_NotFoundMixin, V1APIView):
    """Any unknown path under /api/v1/: a 404 in the v1 envelope."""

    schema = None


class DeskNotFoundView(_NotFoundMixin, DeskAPIView):
    """Any unknown path under /api/: a 404 in the desk envelope. It carries the ``{code, msg}``
    fields too, because the unknown path may be an id route of a call documented in that shape
    (``/api/user/trusted-devices/null``)."""

    schema = None
    desk_envelope = "code_msg"
