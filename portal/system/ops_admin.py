"""Django admin for task runs and monitoring alerts (registered from ``ops_ready``; the beat
entries themselves are django-celery-beat's own admin). Both are records: read-only."""

from django.contrib import admin

from portal.system.ops_models import MonitorAlert, TaskRun


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TaskRun)
class TaskRunAdmin(_ReadOnly):
    list_display = ["started_at", "periodic_task_name", "trigger", "status", "duration_ms", "triggered_by"]
    list_filter = ["status", "trigger", "periodic_task_name"]
    search_fields = ["periodic_task_name", "task", "celery_task_id", "error"]
    date_hierarchy = "started_at"
    list_select_related = ["triggered_by"]


@admin.register(MonitorAlert)
class MonitorAlertAdmin(_ReadOnly):
    list_display = ["raised_at", "metric", "level", "message", "peak", "threshold", "resolved_at", "notified_at"]
    list_filter = ["metric", "level"]
    date_hierarchy = "raised_at"
