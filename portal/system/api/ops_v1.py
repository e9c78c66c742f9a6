"""Portal API v1 §10.5 任务调度, §10.6 系统监控 and §1.6 监控告警."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema

from portal.api.responses import ApiResponse
from portal.api.views import V1APIView
from portal.system import monitoring, scheduling
from portal.system.api import ops_presenters as P
from portal.system.api import ops_serializers as S

TASK_ID = OpenApiParameter("task_id", int, OpenApiParameter.PATH)


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema(tags=["system"])
class V1ScheduledTaskListView(V1APIView):
    """``GET/POST admin/system/scheduled-tasks``: beat entries with run statistics; a new entry
    runs one of the shipped task types (``backup``, ``cleanup``) on a validated cron expression.
    Creating is the platform super admin's (the jobs act on every tenant's data)."""

    required_permissions = {"GET": "system:task:read", "POST": "system:task:create"}
    pagination_class = None

    @extend_schema(responses=S.V1Task(many=True))
    def get(self, request):
        rows = scheduling.scheduled_tasks_for(request.user)
        return ApiResponse([P.v1_task(t, s) for t, s in rows], message=_("Fetched successfully."))

    @extend_schema(request=S.V1TaskCreate, responses={201: S.V1Task})
    def post(self, request):
        body = _valid(S.V1TaskCreate, request.data)
        task = scheduling.scheduled_task_create(
            by=request.user, task_name=body["task_name"], task_type=body["task_type"],
            cron=body["cron_expression"], description=body.get("description", ""), config=body.get("config"),
            enabled=body["is_enabled"],
        )  # fmt: skip
        ((task, stats),) = scheduling.attach_stats([task])
        return ApiResponse(P.v1_task(task, stats), message=_("Scheduled task created."), status=201)


@extend_schema(tags=["system"])
class V1ScheduledTaskExecuteView(V1APIView):
    """``POST admin/system/scheduled-tasks/{task_id}/execute``: run now, recorded in the task's
    history like a scheduled run."""

    required_permissions = "system:task:execute"

    @extend_schema(request=None, responses=S.V1TaskExecuted, parameters=[TASK_ID])
    def post(self, request, task_id: int):
        task = scheduling.scheduled_task_for(request.user, int(task_id), "system:task:execute")
        outcome = scheduling.scheduled_task_execute(by=request.user, task_id=task.pk)
        return ApiResponse(P.v1_executed(task, outcome), message=_("Task started."))


@extend_schema(tags=["system"])
class V1SystemStatusView(V1APIView):
    """``GET admin/system/status``: database, Redis, celery workers and beat checked now (with
    response times), host figures and the open alerts. A tenant administrator gets the service
    states and their tenant's figures; host fields are null (``monitoring.sees_platform``)."""

    required_permissions = "system:monitor:read"

    @extend_schema(responses=S.V1Status)
    def get(self, request):
        return ApiResponse(P.v1_status(monitoring.system_status(user=request.user)), message=_("Fetched successfully."))


@extend_schema(tags=["monitor"])
class V1MonitorMetricsView(V1APIView):
    """``GET monitor/metrics``: host, request (all processes, last 5 minutes) and database
    figures. A tenant's caller gets their tenant's users, sessions and requests and no host
    figure (null); the platform admin gets everything (``monitoring.metrics_for``)."""

    required_permissions = "monitor:read"

    @extend_schema(responses=S.V1Metrics)
    def get(self, request):
        body = P.v1_metrics(*monitoring.metrics_for(request.user))
        return ApiResponse(body, message=_("Fetched successfully."))


@extend_schema(tags=["monitor"])
class V1MonitorAlertListView(V1APIView):
    """``GET monitor/alerts``: alert episodes raised from the thresholds in the settings
    (``monitor.alert.*``), newest first. They are readings of the host and of every tenant's
    traffic: a tenant's caller gets an empty page."""

    required_permissions = "monitor:read"

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=["active", "resolved"]),
                    OpenApiParameter("level", str, enum=["warning", "critical"]),
                    OpenApiParameter("page", int), OpenApiParameter("size", int)],
        responses=S.V1AlertPage,
    )  # fmt: skip
    def get(self, request):
        query = _valid(S.V1AlertQuery, request.query_params)
        rows = monitoring.alerts_for(request.user)
        if query.get("status") == "active":
            rows = rows.filter(resolved_at__isnull=True)
        elif query.get("status") == "resolved":
            rows = rows.filter(resolved_at__isnull=False)
        if query.get("level"):
            rows = rows.filter(level=query["level"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([P.v1_alert(a) for a in page], message=_("Fetched successfully."))
