"""Ticket desk contract: 系统管理接口 (``admin/configs``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema

from portal.api.responses import ApiResponse
from portal.api.views import DeskAPIView
from portal.system import selectors, services
from portal.system.api import presenters as P
from portal.system.api import serializers as S


@extend_schema(tags=["admin"])
class DeskConfigListView(DeskAPIView):
    """``GET admin/configs``: the same settings and values as v1 ``admin/system/configs``."""

    required_permissions = "system:config:read"
    pagination_class = None  # documented as the bare list

    @extend_schema(responses=S.DeskConfigItem(many=True))
    def get(self, request):
        return ApiResponse([P.desk_config(e) for e in selectors.config_entries_for(request.user)])


@extend_schema(tags=["admin"])
class DeskConfigDetailView(DeskAPIView):
    """``PUT admin/configs/{key}``: validated by the registry; 422 with the reason when refused."""

    required_permissions = "system:config:update"

    @extend_schema(
        request=S.DeskConfigUpdate,
        responses=S.DeskConfigUpdated,
        parameters=[OpenApiParameter("key", str, OpenApiParameter.PATH)],
    )
    def put(self, request, key: str):
        body = S.DeskConfigUpdate(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.config_update(
            by=request.user, key=key, value=body.validated_data["value"],
            reason=body.validated_data.get("change_reason", ""),
        )  # fmt: skip
        return ApiResponse(P.desk_config_updated(entry), message=_("Setting updated."))
