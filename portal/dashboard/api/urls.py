from django.urls import re_path

from portal.dashboard.api import v1

# The contract writes paths without a trailing slash; accept both, as ContractRouter does.
v1_urlpatterns = [
    re_path(r"^dashboard/config/?$", v1.DashboardConfigView.as_view(), name="v1-dashboard-config"),
    re_path(
        r"^dashboard/config/(?P<pk>[0-9]{1,18})/?$",
        v1.DashboardConfigDetailView.as_view(),
        name="v1-dashboard-config-detail",
    ),
    re_path(r"^dashboard/statistics/?$", v1.DashboardStatisticsView.as_view(), name="v1-dashboard-statistics"),
    re_path(r"^dashboard/realtime/?$", v1.DashboardRealtimeView.as_view(), name="v1-dashboard-realtime"),
    re_path(r"^dashboard/tasks/?$", v1.DashboardTasksView.as_view(), name="v1-dashboard-tasks"),
    re_path(
        r"^dashboard/tasks/(?P<pk>[0-9]{1,18})/status/?$",
        v1.DashboardTaskStatusView.as_view(),
        name="v1-dashboard-task-status",
    ),
    re_path(r"^dashboard/navigation/?$", v1.DashboardNavigationView.as_view(), name="v1-dashboard-navigation"),
    re_path(r"^dashboard/search/?$", v1.DashboardSearchView.as_view(), name="v1-dashboard-search"),
    re_path(r"^dashboard/widgets/?$", v1.DashboardWidgetsView.as_view(), name="v1-dashboard-widgets"),
    re_path(
        r"^dashboard/widgets/(?P<widget_code>[a-z0-9_]{1,64})/data/?$",
        v1.DashboardWidgetDataView.as_view(),
        name="v1-dashboard-widget-data",
    ),
]
