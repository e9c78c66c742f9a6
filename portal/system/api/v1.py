"""Portal API v1 §1.5 系统配置 and §10 系统管理."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema

from portal.api.responses import ApiResponse
from portal.api.views import V1APIView
from portal.system import announcements, maintenance, selectors, services
from portal.system.api import presenters as P
from portal.system.api import serializers as S

CONFIG_KEY = OpenApiParameter("config_key", str, OpenApiParameter.PATH, description="e.g. system.login.max_attempts")


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(tags=["system"])
class V1SystemConfigView(V1APIView):
    """``config/system``: site name and logo, captcha, password policy and session timeout,
    read and written through the one settings registry (the caller's tenant, or global for the
    platform administrator)."""

    required_permissions = {"GET": "config:read", "PUT": "config:update"}

    @extend_schema(responses=S.V1SystemConfig)
    def get(self, request):
        tenant = selectors.config_scope(request.user)
        return ApiResponse(P.v1_system_config(tenant), message=_("Fetched successfully."))

    @extend_schema(request=S.V1SystemConfig, responses=S.V1SystemConfig)
    def put(self, request):
        body = _valid(S.V1SystemConfig, request.data)
        values = P.system_config_values(body)
        if values:
            services.config_update_many(by=request.user, values=values, permission="config:update")
        tenant = selectors.config_scope(request.user)
        return ApiResponse(P.v1_system_config(tenant), message=_("Settings updated."))


@extend_schema(tags=["system"])
class V1AdminConfigListView(V1APIView):
    """``GET admin/system/configs``: every registered setting with its effective value for the
    caller's tenant (``config_level`` says whether it is the tenant's override or global)."""

    required_permissions = "system:config:read"

    @extend_schema(
        parameters=[
            OpenApiParameter("config_level", str, enum=["global", "tenant"]),
            OpenApiParameter("category", str),
            OpenApiParameter("keyword", str),
            OpenApiParameter("page", int),
            OpenApiParameter("size", int),
        ],
        responses=S.V1ConfigPage,
    )
    def get(self, request):
        query = _valid(S.V1ConfigListQuery, request.query_params)
        entries = selectors.config_entries_for(
            request.user,
            category=query.get("category", ""),
            level=query.get("config_level", ""),
            keyword=query.get("keyword", ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        return paginator.get_paginated_response([P.v1_config(e) for e in page], message=_("Fetched successfully."))


@extend_schema(tags=["system"])
class V1AdminConfigDetailView(V1APIView):
    """``PUT admin/system/configs/{config_key}``: a tenant administrator sets the tenant's
    override, the platform administrator the global value. A value that breaks the key's rule is
    refused (400) and nothing changes."""

    required_permissions = "system:config:update"

    @extend_schema(request=S.V1ConfigUpdate, responses=S.V1ConfigItem, parameters=[CONFIG_KEY])
    def put(self, request, config_key: str):
        body = _valid(S.V1ConfigUpdate, request.data)
        entry = services.config_update(
            by=request.user, key=config_key, value=body["config_value"], reason=body.get("change_reason", "")
        )
        return ApiResponse(P.v1_config(entry), message=_("Setting updated."))


@extend_schema(tags=["system"])
class V1AdminConfigBatchView(V1APIView):
    """``PUT admin/system/configs/batch``: all or nothing; ``data.errors`` lists each refusal."""

    required_permissions = "system:config:update"
    pagination_class = None

    @extend_schema(request=S.V1ConfigBatch, responses=S.V1ConfigItem(many=True))
    def put(self, request):
        body = _valid(S.V1ConfigBatch, request.data)
        values = {item["config_key"]: item["config_value"] for item in body["configs"]}
        entries = services.config_update_many(by=request.user, values=values, reason=body.get("change_reason", ""))
        return ApiResponse([P.v1_config(e) for e in entries], message=_("Settings updated."))


MODULE_CODE = OpenApiParameter("module_code", str, OpenApiParameter.PATH, description="e.g. ticket_management")


@extend_schema(tags=["system"])
class V1ModuleListView(V1APIView):
    """``GET admin/system/modules``: every module with its state for the caller's tenant (the
    platform administrator: platform-wide, or ``tenant_id``'s)."""

    required_permissions = "system:module:read"
    pagination_class = None

    @extend_schema(
        parameters=[OpenApiParameter("tenant_id", int, description="Platform administrator: that tenant's states.")],
        # a tenant_id that does not exist, or is not the caller's own tenant, is a 404
        responses={200: S.V1Module(many=True), 404: None},
    )
    def get(self, request):
        query = _valid(S.V1ModuleListQuery, request.query_params)
        states = selectors.module_states_for(request.user, tenant_id=query.get("tenant_id"))
        return ApiResponse([P.v1_module(spec, row) for spec, row in states], message=_("Fetched successfully."))


@extend_schema(tags=["system"])
class V1ModuleStatusView(V1APIView):
    """``PUT admin/system/modules/{module_code}/status``: switch a module on or off; 409 when a
    dependency would break. A switched-off module's API answers 403 ``MODULE_DISABLED``, its
    pages 404, and its menu entries disappear, until it is switched back on."""

    required_permissions = "system:module:update"

    @extend_schema(request=S.V1ModuleStatusUpdate, responses={200: S.V1Module, 409: None}, parameters=[MODULE_CODE])
    def put(self, request, module_code: str):
        body = _valid(S.V1ModuleStatusUpdate, request.data)
        spec, row = services.module_set_status(
            by=request.user,
            code=module_code,
            status=body["status"],
            tenant_id=body.get("tenant_id"),
            reason=body.get("reason", ""),
            config_options=body.get("config_options"),
        )
        return ApiResponse(P.v1_module(spec, row), message=_("Module status updated."))


@extend_schema(tags=["system"])
class V1AnnouncementListView(V1APIView):
    """``GET/POST admin/system/announcements``. The platform administrator's announcements may
    target everyone, chosen tenants or roles; a tenant administrator's reach their tenant only.
    Published at ``publish_time`` (now when empty) with a notification to each targeted user,
    shown as a banner (``is_popup``: a popup) until ``expire_time`` or until dismissed."""

    required_permissions = {"GET": "system:announcement:read", "POST": "system:announcement:create"}
    paginated = True  # GET answers the contract's page ({total, page, size, items}), not an array

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=["draft", "published", "expired"]),
            OpenApiParameter("type", str, enum=["system", "maintenance", "feature"]),
            OpenApiParameter("target_audience", str, enum=["all", "tenant", "role"]),
            OpenApiParameter("page", int),
            OpenApiParameter("size", int),
        ],
        responses=S.V1Announcement(many=True),
    )
    def get(self, request):
        query = _valid(S.V1AnnouncementListQuery, request.query_params)
        rows = announcements.announcements_for(
            request.user,
            status=query.get("status", ""),
            type=query.get("type", ""),
            audience=query.get("target_audience", ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            [P.v1_announcement(a) for a in page], message=_("Fetched successfully.")
        )

    @extend_schema(request=S.V1AnnouncementCreate, responses={201: S.V1Announcement})
    def post(self, request):
        body = _valid(S.V1AnnouncementCreate, request.data)
        row = announcements.announcement_create(by=request.user, data=body)
        return ApiResponse(P.v1_announcement(row), message=_("Announcement created."), status=201)


@extend_schema(tags=["system"])
class V1MaintenanceView(V1APIView):
    """``GET/PUT admin/system/maintenance``: the caller's tenant's window (the platform
    administrator: platform-wide). While active, other users get 503 ``MAINTENANCE_MODE``
    with ``maintenance_message``; the platform admin, the tenant's admins, ``allowed_ips``,
    ``allowed_users`` and ``bypass_roles`` pass, and sign-in stays open to them."""

    required_permissions = {"GET": "system:maintenance:read", "PUT": "system:maintenance:update"}

    @extend_schema(responses=S.V1Maintenance)
    def get(self, request):
        row = maintenance.window_for(request.user)
        return ApiResponse(P.v1_maintenance(row, now=timezone.now()), message=_("Fetched successfully."))

    @extend_schema(request=S.V1MaintenanceUpdate, responses=S.V1Maintenance)
    def put(self, request):
        body = _valid(S.V1MaintenanceUpdate, request.data)
        row = maintenance.maintenance_set(by=request.user, data=body)
        return ApiResponse(P.v1_maintenance(row, now=timezone.now()), message=_("Maintenance mode updated."))
