from rest_framework import serializers

from portal.audit.models import AuditResult

BIG = 2**62


class V1AuditQuery(serializers.Serializer):
    start_time = serializers.CharField(required=False, allow_blank=True, max_length=40)
    end_time = serializers.CharField(required=False, allow_blank=True, max_length=40)
    user_id = serializers.IntegerField(required=False, min_value=1, max_value=BIG)
    action = serializers.CharField(required=False, allow_blank=True, max_length=100)
    resource = serializers.CharField(required=False, allow_blank=True, max_length=64)


class V1AdminAuditQuery(serializers.Serializer):
    start_time = serializers.CharField(required=False, allow_blank=True, max_length=40)
    end_time = serializers.CharField(required=False, allow_blank=True, max_length=40)
    user_id = serializers.IntegerField(required=False, min_value=1, max_value=BIG)
    action_type = serializers.CharField(required=False, allow_blank=True, max_length=100)
    resource_type = serializers.CharField(required=False, allow_blank=True, max_length=64)
    result = serializers.ChoiceField(choices=AuditResult.choices, required=False)


class DeskAuditQuery(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, max_value=BIG, default=1)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=BIG, default=20)
    user_id = serializers.IntegerField(required=False, min_value=1, max_value=BIG)
    role = serializers.CharField(required=False, allow_blank=True, max_length=50)
    method = serializers.ChoiceField(
        choices=["POST", "PUT", "PATCH", "DELETE", "post", "put", "patch", "delete"], required=False
    )
    status = serializers.IntegerField(required=False, min_value=100, max_value=599)
    keyword = serializers.CharField(required=False, allow_blank=True, max_length=100)
    start_time = serializers.CharField(required=False, allow_blank=True, max_length=40)
    end_time = serializers.CharField(required=False, allow_blank=True, max_length=40)


class V1AuditItem(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()
    action = serializers.CharField()
    resource = serializers.CharField()
    resource_id = serializers.CharField()
    details = serializers.CharField()
    ip_address = serializers.CharField(allow_null=True)
    user_agent = serializers.CharField()
    created_at = serializers.DateTimeField()


class V1AuditPage(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    size = serializers.IntegerField()
    items = V1AuditItem(many=True)


class V1AdminAuditItem(serializers.Serializer):
    log_id = serializers.IntegerField()
    user_id = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()
    tenant_id = serializers.IntegerField(allow_null=True)
    action_type = serializers.CharField()
    resource_type = serializers.CharField()
    resource_id = serializers.CharField()
    action_description = serializers.CharField()
    old_value = serializers.CharField(allow_null=True)
    new_value = serializers.CharField(allow_null=True)
    result = serializers.ChoiceField(choices=AuditResult.choices)
    method = serializers.CharField()
    path = serializers.CharField()
    status_code = serializers.IntegerField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)
    ip_address = serializers.CharField(allow_null=True)
    user_agent = serializers.CharField()
    request_id = serializers.CharField()
    created_at = serializers.DateTimeField()


class V1AdminAuditPage(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    size = serializers.IntegerField()
    items = V1AdminAuditItem(many=True)


class DeskAuditItem(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    user_id = serializers.IntegerField(allow_null=True)
    username = serializers.CharField()
    role = serializers.CharField()
    action = serializers.CharField()
    method = serializers.CharField()
    path = serializers.CharField()
    status_code = serializers.IntegerField(allow_null=True)
    client_ip = serializers.CharField(allow_null=True)
    latency_ms = serializers.IntegerField(allow_null=True)
    result = serializers.ChoiceField(choices=AuditResult.choices)


class DeskAuditPage(serializers.Serializer):
    items = DeskAuditItem(many=True)
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    limit = serializers.IntegerField()
