from django.urls import re_path

from portal.system.api import desk, ops_v1, v1

KEY = r"(?P<config_key>[A-Za-z0-9_.\-]{1,128})"

# The contracts write paths without a trailing slash; accept both.
v1_urlpatterns = [
    re_path(r"^config/system/?$", v1.V1SystemConfigView.as_view(), name="v1-config-system"),
    re_path(r"^admin/system/configs/?$", v1.V1AdminConfigListView.as_view(), name="v1-system-configs"),
    re_path(r"^admin/system/configs/batch/?$", v1.V1AdminConfigBatchView.as_view(), name="v1-system-configs-batch"),
    re_path(rf"^admin/system/configs/{KEY}/?$", v1.V1AdminConfigDetailView.as_view(), name="v1-system-config"),
    re_path(r"^admin/system/modules/?$", v1.V1ModuleListView.as_view(), name="v1-system-modules"),
    re_path(
        r"^admin/system/modules/(?P<module_code>[a-z0-9_]{1,64})/status/?$",
        v1.V1ModuleStatusView.as_view(),
        name="v1-system-module-status",
    ),
    re_path(r"^admin/system/announcements/?$", v1.V1AnnouncementListView.as_view(), name="v1-system-announcements"),
    re_path(r"^admin/system/maintenance/?$", v1.V1MaintenanceView.as_view(), name="v1-system-maintenance"),
    # scheduled tasks, status, metrics and alerts (ops_v1)
    re_path(r"^admin/system/scheduled-tasks/?$", ops_v1.V1ScheduledTaskListView.as_view(), name="v1-system-tasks"),
    re_path(
        r"^admin/system/scheduled-tasks/(?P<task_id>[0-9]{1,18})/execute/?$",
        ops_v1.V1ScheduledTaskExecuteView.as_view(),
        name="v1-system-task-execute",
    ),
    re_path(r"^admin/system/status/?$", ops_v1.V1SystemStatusView.as_view(), name="v1-system-status"),
    re_path(r"^monitor/metrics/?$", ops_v1.V1MonitorMetricsView.as_view(), name="v1-monitor-metrics"),
    re_path(r"^monitor/alerts/?$", ops_v1.V1MonitorAlertListView.as_view(), name="v1-monitor-alerts"),
]
desk_urlpatterns = [
    re_path(r"^admin/configs/?$", desk.DeskConfigListView.as_view(), name="desk-configs"),
    re_path(r"^admin/configs/(?P<key>[A-Za-z0-9_.\-]{1,128})/?$", desk.DeskConfigDetailView.as_view(),
            name="desk-config"),
]  # fmt: skip
