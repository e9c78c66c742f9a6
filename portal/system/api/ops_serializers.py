"""Request and response shapes of scheduled tasks, status, metrics and alerts (v1 §1.6, §10.5, §10.6)."""

from rest_framework import serializers


class V1TaskCreate(serializers.Serializer):
    task_name = serializers.CharField(max_length=200)
    task_type = serializers.CharField(max_length=32)
    cron_expression = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    config = serializers.DictField(required=False)
    is_enabled = serializers.BooleanField(required=False, default=True)


class V1TaskRun(serializers.Serializer):
    run_id = serializers.IntegerField()
    celery_task_id = serializers.CharField()
    trigger = serializers.ChoiceField(choices=["schedule", "manual"])
    status = serializers.ChoiceField(choices=["running", "success", "failure"])
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    duration = serializers.FloatField(allow_null=True, help_text="Seconds.")
    result = serializers.CharField(allow_blank=True)
    error = serializers.CharField(allow_blank=True)


class V1Task(serializers.Serializer):
    task_id = serializers.IntegerField()
    task_name = serializers.CharField()
    task_type = serializers.CharField()
    task = serializers.CharField(help_text="The celery task name.")
    cron_expression = serializers.CharField(allow_null=True, help_text="Null for interval schedules.")
    interval_seconds = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=["running", "stopped"])
    description = serializers.CharField(allow_blank=True)
    last_run_time = serializers.DateTimeField(allow_null=True)
    next_run_time = serializers.DateTimeField(allow_null=True)
    last_run_status = serializers.CharField(allow_null=True)
    last_run_duration = serializers.FloatField(allow_null=True, help_text="Seconds.")
    run_count = serializers.IntegerField()
    success_count = serializers.IntegerField()
    failure_count = serializers.IntegerField()
    config = serializers.DictField()
    created_at = serializers.DateTimeField(
        allow_null=True,
        help_text="The celery beat entry keeps no creation time: when the schedule was created or last changed.",
    )


class V1TaskExecuted(serializers.Serializer):
    task_id = serializers.IntegerField()
    celery_task_id = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=["queued", "running", "success", "failure"])
    run = V1TaskRun(allow_null=True)


class V1Service(serializers.Serializer):
    service_name = serializers.CharField()
    status = serializers.ChoiceField(choices=["healthy", "unhealthy", "not_configured"])
    response_time = serializers.FloatField(allow_null=True, help_text="Milliseconds.")
    last_check = serializers.DateTimeField()
    error = serializers.CharField(allow_null=True)
    detail = serializers.CharField(allow_null=True, required=False)


HOST_ONLY = "Null unless the caller is the platform administrator (host figure)."


class V1StatusMetrics(serializers.Serializer):
    cpu_usage = serializers.FloatField(allow_null=True, help_text=HOST_ONLY)
    memory_usage = serializers.FloatField(allow_null=True, help_text=HOST_ONLY)
    disk_usage = serializers.FloatField(allow_null=True, help_text=HOST_ONLY)
    load_average = serializers.ListField(child=serializers.FloatField(), allow_null=True, help_text=HOST_ONLY)
    active_users = serializers.IntegerField(help_text="The caller's tenant's, or every tenant's (platform admin).")
    api_requests_per_minute = serializers.FloatField(help_text="The caller's tenant's requests, or all of them.")
    p50_ms = serializers.FloatField(allow_null=True)
    p95_ms = serializers.FloatField(allow_null=True)
    p99_ms = serializers.FloatField(allow_null=True)
    error_rate = serializers.FloatField()


class V1StatusAlert(serializers.Serializer):
    level = serializers.CharField()
    message = serializers.CharField()
    timestamp = serializers.DateTimeField()


class V1Status(serializers.Serializer):
    system_health = serializers.ChoiceField(choices=["healthy", "degraded", "unhealthy"])
    uptime = serializers.IntegerField(allow_null=True, help_text="Seconds this server process has run. " + HOST_ONLY)
    host_uptime = serializers.IntegerField(allow_null=True, help_text=HOST_ONLY)
    version = serializers.CharField()
    environment = serializers.CharField()
    services = V1Service(many=True)
    metrics = V1StatusMetrics()
    alerts = V1StatusAlert(many=True)


class V1MetricsSystem(serializers.Serializer):
    cpu_usage = serializers.FloatField(allow_null=True, help_text=HOST_ONLY)
    memory_usage = serializers.FloatField(allow_null=True, help_text=HOST_ONLY)
    disk_usage = serializers.FloatField(allow_null=True, help_text=HOST_ONLY)
    network_in = serializers.IntegerField(allow_null=True, help_text=HOST_ONLY)
    network_out = serializers.IntegerField(allow_null=True, help_text=HOST_ONLY)
    load_average = serializers.ListField(child=serializers.FloatField(), allow_null=True, help_text=HOST_ONLY)


class V1MetricsApplication(serializers.Serializer):
    active_users = serializers.IntegerField()
    api_qps = serializers.FloatField()
    avg_response_time = serializers.FloatField(allow_null=True)
    p50_response_time = serializers.FloatField(allow_null=True)
    p95_response_time = serializers.FloatField(allow_null=True)
    p99_response_time = serializers.FloatField(allow_null=True)
    error_rate = serializers.FloatField()
    active_sessions = serializers.IntegerField()


class V1MetricsDatabase(serializers.Serializer):
    vendor = serializers.CharField(allow_null=True, help_text=HOST_ONLY)
    response_time = serializers.FloatField(allow_null=True)
    status = serializers.CharField()
    connections = serializers.IntegerField(allow_null=True, help_text=HOST_ONLY + " Sessions on this database.")
    max_connections = serializers.IntegerField(allow_null=True, help_text=HOST_ONLY)
    slow_queries = serializers.IntegerField(
        allow_null=True, help_text=HOST_ONLY + " Statements running longer than 1 s right now."
    )
    cache_hit_rate = serializers.FloatField(allow_null=True, help_text=HOST_ONLY + " Buffer cache hits, %.")
    query_per_second = serializers.FloatField(
        allow_null=True, help_text=HOST_ONLY + " Transactions per second since the previous reading."
    )


class V1Metrics(serializers.Serializer):
    system = V1MetricsSystem()
    application = V1MetricsApplication()
    database = V1MetricsDatabase()


class V1Alert(serializers.Serializer):
    alert_id = serializers.IntegerField()
    metric = serializers.CharField()
    level = serializers.ChoiceField(choices=["warning", "critical"])
    message = serializers.CharField()
    value = serializers.FloatField()
    peak = serializers.FloatField()
    threshold = serializers.FloatField()
    status = serializers.ChoiceField(choices=["active", "resolved"])
    raised_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    notified_at = serializers.DateTimeField(allow_null=True)


class V1AlertPage(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    size = serializers.IntegerField()
    items = V1Alert(many=True)


class V1AlertQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=["active", "resolved"], required=False)
    level = serializers.ChoiceField(choices=["warning", "critical"], required=False)
