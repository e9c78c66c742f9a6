"""The three audit operations, all reading the one audit log (``portal.audit.models.AuditLog``):
v1 §1.7 ``audit/logs``, v1 §10.7 ``admin/system/audit-logs`` and desk ``admin/audit-logs``."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema

from portal.api.responses import ApiResponse
from portal.api.views import DeskAPIView, V1APIView
from portal.audit import selectors
from portal.audit.api import presenters as P
from portal.audit.api import serializers as S
from portal.audit.models import AuditLog

DESK_MAX_LIMIT = 200


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _times(query):
    return {
        "start": selectors.parse_time(query.get("start_time", ""), "start_time"),
        "end": selectors.parse_time(query.get("end_time", ""), "end_time", end=True),
    }


class _AuditBase:
    def get_base_queryset(self):
        return AuditLog.objects.all()


TIME_PARAMETERS = [
    OpenApiParameter("start_time", str, description="RFC 3339 or YYYY-MM-DD"),
    OpenApiParameter("end_time", str, description="RFC 3339 or YYYY-MM-DD (a date includes the whole day)"),
    OpenApiParameter("user_id", int),
]


@extend_schema(tags=["audit"])
class V1AuditLogView(_AuditBase, V1APIView):
    """``GET audit/logs``: the caller's tenant's audit log (everything for the platform admin)."""

    required_permissions = "audit:read"

    @extend_schema(
        parameters=[*TIME_PARAMETERS, OpenApiParameter("action", str), OpenApiParameter("resource", str)],
        responses=S.V1AuditPage,
    )
    def get(self, request):
        query = _valid(S.V1AuditQuery, request.query_params)
        rows = selectors.filtered(
            selectors.audit_logs_for(request.user), **_times(query), user_id=query.get("user_id"),
            action=query.get("action", ""), resource=query.get("resource", ""),
        )  # fmt: skip
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([P.v1_log(r) for r in page], message=_("Fetched successfully."))


@extend_schema(tags=["system"])
class V1AdminAuditLogView(_AuditBase, V1APIView):
    """``GET admin/system/audit-logs``: the same log with old and new values and request ids."""

    required_permissions = "system:audit:read"

    @extend_schema(
        parameters=[
            *TIME_PARAMETERS,
            OpenApiParameter("action_type", str),
            OpenApiParameter("resource_type", str),
            OpenApiParameter("result", str, enum=["success", "failure"]),
        ],
        responses=S.V1AdminAuditPage,
    )
    def get(self, request):
        query = _valid(S.V1AdminAuditQuery, request.query_params)
        rows = selectors.filtered(
            selectors.audit_logs_for(request.user), **_times(query), user_id=query.get("user_id"),
            action=query.get("action_type", ""), resource=query.get("resource_type", ""),
            result=query.get("result", ""),
        )  # fmt: skip
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([P.v1_admin_log(r) for r in page], message=_("Fetched successfully."))


@extend_schema(tags=["admin"])
class DeskAuditLogView(_AuditBase, DeskAPIView):
    """``GET admin/audit-logs`` (``{code, msg, data}``): limit up to 200."""

    required_permissions = "system:audit:read"
    desk_envelope = "code_msg"
    pagination_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("limit", int, description="default 20, at most 200"),
            *TIME_PARAMETERS,
            OpenApiParameter("role", str),
            OpenApiParameter("method", str),
            OpenApiParameter("status", int),
            OpenApiParameter("keyword", str, description="user name, path or action"),
        ],
        responses=S.DeskAuditPage,
    )
    def get(self, request):
        query = _valid(S.DeskAuditQuery, request.query_params)
        rows = selectors.filtered(
            selectors.audit_logs_for(request.user), **_times(query), user_id=query.get("user_id"),
            role=query.get("role", ""), method=query.get("method", ""), status=query.get("status"),
            keyword=query.get("keyword", ""),
        )  # fmt: skip
        page, limit = query["page"], min(query["limit"], DESK_MAX_LIMIT)
        total = rows.count()
        items = list(rows[(page - 1) * limit : page * limit]) if (page - 1) * limit < total else []
        data = {"items": [P.desk_log(r) for r in items], "total": total, "page": page, "limit": limit}
        return ApiResponse(data, message=_("Audit log fetched."))
