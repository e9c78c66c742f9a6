"""Input and response serializers of v1 §2 (工作台与仪表板). Response serializers exist so that
the OpenAPI document shows the real fields; bodies are built by ``presenters``."""

from __future__ import annotations

from rest_framework import serializers

from portal.api.fields import IdField
from portal.dashboard.registry import ALERT_LEVELS, TASK_STATUSES, TIME_RANGES
from portal.dashboard.selectors import SEARCH_KINDS

TIME_RANGE_CHOICES = list(TIME_RANGES)
FREE = serializers.DictField(child=serializers.JSONField())


# --- input -----------------------------------------------------------------------------------


class ConfigQuery(serializers.Serializer):
    user_id = IdField(required=False)
    config_name = serializers.CharField(required=False, max_length=100)


class ConfigWrite(serializers.Serializer):
    config_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    layout_config = serializers.DictField(child=serializers.JSONField(), required=False)
    widget_configs = serializers.ListField(child=serializers.DictField(child=serializers.JSONField()), required=False)
    theme_config = serializers.DictField(child=serializers.JSONField(), required=False)
    is_default = serializers.BooleanField(required=False, default=False)


class StatisticsQuery(serializers.Serializer):
    time_range = serializers.CharField(required=False, help_text="1d, 7d (default), 30d or 90d.")
    metrics = serializers.CharField(required=False, help_text="Comma-separated: overview, trends, distribution.")


class TasksQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=TASK_STATUSES, required=False)
    priority = serializers.CharField(required=False, max_length=16)
    type = serializers.ChoiceField(choices=["ticket"], required=False)


class TaskStatusWrite(serializers.Serializer):
    status = serializers.ChoiceField(choices=TASK_STATUSES)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    type = serializers.ChoiceField(choices=["ticket"], required=False, default="ticket")


class SearchQuery(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Empty: no results.")
    type = serializers.ChoiceField(choices=["all", *SEARCH_KINDS], required=False, default="all")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=50, default=10)


class WidgetDataQuery(serializers.Serializer):
    time_range = serializers.CharField(required=False)
    config = serializers.CharField(required=False, max_length=2000, help_text="The widget's config as JSON text.")


# --- responses -------------------------------------------------------------------------------


class LayoutCell(serializers.Serializer):
    i = serializers.CharField()
    x = serializers.IntegerField()
    y = serializers.IntegerField()
    w = serializers.IntegerField()
    h = serializers.IntegerField()
    minW = serializers.IntegerField(required=False)
    minH = serializers.IntegerField(required=False)


class LayoutConfig(serializers.Serializer):
    grid_size = serializers.IntegerField()
    row_height = serializers.IntegerField()
    margin = serializers.ListField(child=serializers.IntegerField())
    layouts = LayoutCell(many=True)


class WidgetConfig(serializers.Serializer):
    widget_id = serializers.CharField()
    widget_code = serializers.CharField()
    widget_name = serializers.CharField()
    config = FREE


class ConfigSummary(serializers.Serializer):
    config_id = serializers.IntegerField()
    config_name = serializers.CharField()
    is_default = serializers.BooleanField()


class ConfigResponse(serializers.Serializer):
    config_id = serializers.IntegerField(allow_null=True, help_text="null: the role's default, not saved yet.")
    config_name = serializers.CharField()
    layout_config = LayoutConfig()
    widget_configs = WidgetConfig(many=True)
    theme_config = FREE
    is_default = serializers.BooleanField()
    source = serializers.ChoiceField(choices=["saved", "role_default"])
    updated_at = serializers.DateTimeField(allow_null=True)
    configs = ConfigSummary(many=True, help_text="All the caller's saved layouts.")


class Overview(serializers.Serializer):
    total_tickets = serializers.IntegerField(required=False)
    pending_tickets = serializers.IntegerField(required=False)
    completed_tickets = serializers.IntegerField(required=False)
    cancelled_tickets = serializers.IntegerField(required=False)
    avg_response_time = serializers.FloatField(allow_null=True, required=False, help_text="Hours.")
    avg_resolution_time = serializers.FloatField(allow_null=True, required=False, help_text="Hours.")
    customer_satisfaction = serializers.FloatField(allow_null=True, required=False, help_text="Average rating 1-5.")
    sla_breached = serializers.IntegerField(required=False)


class TicketTrend(serializers.Serializer):
    date = serializers.DateField()
    created = serializers.IntegerField()
    completed = serializers.IntegerField()
    pending = serializers.IntegerField()


class ResponseTimeTrend(serializers.Serializer):
    date = serializers.DateField()
    avg_time = serializers.FloatField(allow_null=True, help_text="Hours.")


class Trends(serializers.Serializer):
    ticket_trends = TicketTrend(many=True, required=False)
    response_time_trends = ResponseTimeTrend(many=True, required=False)


class Distribution(serializers.Serializer):
    ticket_by_priority = serializers.DictField(child=serializers.IntegerField(), required=False)
    ticket_by_category = serializers.DictField(child=serializers.IntegerField(), required=False)
    category_names = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="Display name of each ticket_by_category key."
    )


class StatisticsResponse(serializers.Serializer):
    time_range = serializers.ChoiceField(choices=TIME_RANGE_CHOICES)
    start_date = serializers.DateField()
    overview = Overview(required=False)
    trends = Trends(required=False)
    distribution = Distribution(required=False)
    generated_at = serializers.DateTimeField()


class SystemStatus(serializers.Serializer):
    status = serializers.ChoiceField(choices=["healthy", "warning", "critical"])
    cpu_usage = serializers.FloatField(allow_null=True, help_text="Percent; null without monitor:read.")
    memory_usage = serializers.FloatField(allow_null=True)
    active_users = serializers.IntegerField(allow_null=True)
    api_qps = serializers.FloatField(allow_null=True)


class Alert(serializers.Serializer):
    id = serializers.CharField()
    level = serializers.ChoiceField(choices=ALERT_LEVELS)
    message = serializers.CharField()
    timestamp = serializers.DateTimeField()


class Activity(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.CharField()
    description = serializers.CharField()
    user = serializers.CharField()
    url = serializers.CharField()
    timestamp = serializers.DateTimeField()


class RealtimeResponse(serializers.Serializer):
    system_status = SystemStatus()
    alerts = Alert(many=True)
    recent_activities = Activity(many=True)


class TaskItem(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    type = serializers.CharField()
    priority = serializers.CharField()
    status = serializers.ChoiceField(choices=TASK_STATUSES)
    assigned_to = serializers.CharField(allow_null=True)
    due_time = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    description = serializers.CharField()
    url = serializers.CharField()
    is_overdue = serializers.BooleanField()


class TaskSummary(serializers.Serializer):
    total = serializers.IntegerField()
    pending = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    overdue = serializers.IntegerField()


class TasksResponse(serializers.Serializer):
    summary = TaskSummary()
    tasks = TaskItem(many=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    size = serializers.IntegerField()
    items = TaskItem(many=True, help_text="The same page as tasks (the v1 page shape).")


class NavChild(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    icon = serializers.CharField()
    url = serializers.CharField()


class NavMenu(NavChild):
    children = NavChild(many=True)


class RecentVisitItem(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()
    visited_at = serializers.DateTimeField()


class NavigationResponse(serializers.Serializer):
    menus = NavMenu(many=True)
    quick_actions = NavChild(many=True)
    recent_visits = RecentVisitItem(many=True)


class SearchResultItem(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(SEARCH_KINDS))
    id = serializers.CharField()
    title = serializers.CharField()
    highlight = serializers.CharField(help_text="Escaped HTML; the only tag is <em>.")
    url = serializers.CharField()
    score = serializers.FloatField()


class SearchGroup(serializers.Serializer):
    type = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class SearchResponse(serializers.Serializer):
    total = serializers.IntegerField()
    results = SearchResultItem(many=True)
    groups = SearchGroup(many=True, help_text="Hits per kind searched (before the overall limit).")


class WidgetItem(serializers.Serializer):
    widget_code = serializers.CharField()
    widget_name = serializers.CharField()
    widget_type = serializers.ChoiceField(choices=["chart", "stat", "list"])
    chart_type = serializers.CharField(allow_null=True)
    description = serializers.CharField()
    config_schema = FREE
    min_width = serializers.IntegerField()
    min_height = serializers.IntegerField()
    default_width = serializers.IntegerField()
    default_height = serializers.IntegerField()
    preview_url = serializers.CharField(allow_null=True)


class Dataset(serializers.Serializer):
    label = serializers.CharField()
    data = serializers.ListField(child=serializers.FloatField(allow_null=True))
    backgroundColor = serializers.JSONField()
    borderColor = serializers.JSONField(required=False)


class ChartData(serializers.Serializer):
    labels = serializers.ListField(child=serializers.CharField())
    keys = serializers.ListField(child=serializers.CharField(), required=False)
    datasets = Dataset(many=True)


class WidgetDataResponse(serializers.Serializer):
    widget_code = serializers.CharField()
    time_range = serializers.CharField()
    chart_data = ChartData(allow_null=True)
    summary = FREE
    items = serializers.ListField(child=FREE, required=False, help_text="List widgets: their rows.")
