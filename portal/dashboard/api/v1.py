"""Portal API v1 §2 工作台与仪表板 (§2.5 notifications live in ``portal.notifications``)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema

from portal.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, _positive_int
from portal.api.parsers import loads_bounded
from portal.api.responses import ApiResponse
from portal.api.views import V1APIView, V1GenericAPIView
from portal.dashboard import selectors, services
from portal.dashboard.api import presenters as P
from portal.dashboard.api import serializers as S
from portal.dashboard.models import DashboardConfig, RecentVisit
from portal.dashboard.registry import widgets_for
from portal.errors import DomainError, ErrorCode

TAGS = ["dashboard"]


def _query(serializer_class, request):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _body(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class DashboardConfigView(V1GenericAPIView):
    """§2.1.1 / §2.1.2: the caller's workbench layout (another user's does not exist for them)."""

    required_permissions = {"GET": "dashboard:read", "POST": "dashboard:write"}
    not_found_code = ErrorCode.NOT_FOUND
    pagination_class = None

    def get_base_queryset(self):
        request = getattr(self, "request", None)
        if request is None:  # introspection
            return DashboardConfig.objects.all()
        return selectors.configs_for(request.user)

    def _present(self, config):
        saved = list(self.get_queryset().only("id", "config_name", "is_default"))
        return P.v1_config(config, user=self.request.user, saved=saved)

    @extend_schema(tags=TAGS, parameters=[S.ConfigQuery], responses=S.ConfigResponse)
    def get(self, request):
        query = _query(S.ConfigQuery, request)
        if query.get("user_id") not in (None, request.user.pk):
            raise DomainError(ErrorCode.NOT_FOUND)
        mine = self.get_queryset()
        if query.get("config_name"):
            config = get_object_or_404(mine, config_name=query["config_name"])
        else:
            config = mine.filter(is_default=True).first() or mine.first()
        return ApiResponse(self._present(config), message=_("Fetched successfully."))

    @extend_schema(tags=TAGS, request=S.ConfigWrite, responses=S.ConfigResponse)
    def post(self, request):
        data = _body(S.ConfigWrite, request)
        config = services.config_save(user=request.user, data=data)
        return ApiResponse(self._present(config), message=_("Saved."))


class DashboardConfigDetailView(V1GenericAPIView):
    """§2.1.3: delete one of the caller's layouts (soft)."""

    required_permissions = {"DELETE": "dashboard:delete"}
    pagination_class = None

    def get_base_queryset(self):
        request = getattr(self, "request", None)
        if request is None:
            return DashboardConfig.objects.all()
        return selectors.configs_for(request.user)

    @extend_schema(tags=TAGS, request=None, responses={200: None}, parameters=[OpenApiParameter("id", int, "path")])
    def delete(self, request, pk):
        config = get_object_or_404(self.get_queryset(), pk=pk)
        services.config_delete(user=request.user, config=config)
        return ApiResponse(None, message=_("Deleted."))


class DashboardStatisticsView(V1APIView):
    """§2.2.1: overview, trends and distributions over the caller's visible tickets."""

    required_permissions = "dashboard:read"

    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("time_range", str, enum=list(S.TIME_RANGE_CHOICES), description="Default 7d."),
            OpenApiParameter("metrics", str, description="Comma-separated: overview, trends, distribution."),
        ],
        responses=S.StatisticsResponse,
    )
    def get(self, request):
        query = _query(S.StatisticsQuery, request)
        body = selectors.statistics(user=request.user, time_range=query.get("time_range"), metrics=query.get("metrics"))
        return ApiResponse(body, message=_("Fetched successfully."))


class DashboardRealtimeView(V1APIView):
    """§2.2.2: system status, alerts and recent activity."""

    required_permissions = "dashboard:read"

    @extend_schema(tags=TAGS, responses=S.RealtimeResponse)
    def get(self, request):
        return ApiResponse(selectors.realtime(user=request.user), message=_("Fetched successfully."))


class DashboardTasksView(V1APIView):
    """§2.3.1: the caller's to-dos (tickets assigned to them), with a summary."""

    required_permissions = "task:read"

    @extend_schema(
        tags=TAGS,
        parameters=[
            S.TasksQuery,
            OpenApiParameter("page", int),
            OpenApiParameter("size", int, description=f"At most {MAX_PAGE_SIZE}."),
        ],
        responses=S.TasksResponse,
    )
    def get(self, request):
        query = _query(S.TasksQuery, request)
        page = _positive_int(request, "page", 1)
        size = _positive_int(request, "size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        summary, tasks, total = selectors.tasks(
            user=request.user,
            status=query.get("status"),
            priority=query.get("priority"),
            type=query.get("type"),
            page=page,
            size=size,
        )
        rows = [P.v1_task(t) for t in tasks]
        body = {"summary": summary, "tasks": rows, "total": total, "page": page, "size": size, "items": rows}
        return ApiResponse(body, message=_("Fetched successfully."))


class DashboardTaskStatusView(V1APIView):
    """§2.3.2: a ticket task's status change is the ticket's own transition."""

    required_permissions = "task:update"
    not_found_code = ErrorCode.NOT_FOUND

    @extend_schema(
        tags=TAGS,
        request=S.TaskStatusWrite,
        responses=S.TaskItem,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    def put(self, request, pk):
        data = _body(S.TaskStatusWrite, request)
        task = services.task_set_status(
            user=request.user, task_id=pk, status=data["status"], comment=data.get("comment", ""), type=data["type"]
        )
        return ApiResponse(P.v1_task(task), message=_("Updated."))


class DashboardNavigationView(V1GenericAPIView):
    """§2.4.1: the portal's navigation registry (the sidebar) serialised, quick actions and the
    caller's recent visits."""

    required_permissions = None  # 需要认证: any signed-in user
    pagination_class = None

    def get_base_queryset(self):
        request = getattr(self, "request", None)
        if request is None:
            return RecentVisit.objects.all()
        return selectors.visits_for(request.user)

    @extend_schema(tags=TAGS, responses=S.NavigationResponse)
    def get(self, request):
        return ApiResponse(selectors.navigation(user=request.user, request=request), message=_("Fetched successfully."))


class DashboardSearchView(V1APIView):
    """§2.4.2: tickets, people and knowledge in one ranked list, each with its own visibility."""

    required_permissions = "search:read"

    @extend_schema(tags=TAGS, parameters=[S.SearchQuery], responses=S.SearchResponse)
    def get(self, request):
        query = _query(S.SearchQuery, request)
        result = selectors.search(user=request.user, q=query.get("q", ""), type=query["type"], limit=query["limit"])
        body = {"total": result.total, "results": result.results, "groups": result.groups}
        return ApiResponse(body, message=_("Search finished."))


class DashboardWidgetsView(V1APIView):
    """§2.6.1: the widgets the caller may place (``data`` is the list, as documented)."""

    required_permissions = "dashboard:read"
    pagination_class = None

    @extend_schema(tags=TAGS, responses=S.WidgetItem(many=True))
    def get(self, request):
        return ApiResponse([P.v1_widget(w) for w in widgets_for(request.user)], message=_("Fetched successfully."))


class DashboardWidgetDataView(V1APIView):
    """§2.6.2: one widget's figures, for the caller's visibility."""

    required_permissions = "dashboard:read"
    not_found_code = ErrorCode.NOT_FOUND

    @extend_schema(
        tags=TAGS,
        parameters=[OpenApiParameter("widget_code", str, OpenApiParameter.PATH), S.WidgetDataQuery],
        responses=S.WidgetDataResponse,
    )
    def get(self, request, widget_code):
        query = _query(S.WidgetDataQuery, request)
        config = {}
        if query.get("config"):
            try:
                config = loads_bounded(query["config"])
            except ValueError:
                config = None
            if not isinstance(config, dict):
                raise DomainError(ErrorCode.VALIDATION_FAILED, _("Must be a JSON object."), field="config")
        body = selectors.widget_data(
            user=request.user, code=widget_code, time_range=query.get("time_range"), config=config
        )
        return ApiResponse(body, message=_("Fetched successfully."))
