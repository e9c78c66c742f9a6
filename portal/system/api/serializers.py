"""Request and response shapes of system administration (both contracts)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api.fields import IdField
from portal.config import CATEGORIES
from portal.system.models import (
    AnnouncementAudience,
    AnnouncementPriority,
    AnnouncementStatus,
    AnnouncementType,
    ModuleStatus,
)


@extend_schema_field(OpenApiTypes.ANY)
class AnyValueField(serializers.Field):
    """A config value: the contracts send strings, clients also send numbers, booleans, JSON."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


# --- configs: requests --------------------------------------------------------------------------


class V1ConfigListQuery(serializers.Serializer):
    config_level = serializers.ChoiceField(choices=["global", "tenant"], required=False)
    category = serializers.ChoiceField(choices=list(CATEGORIES), required=False)
    keyword = serializers.CharField(required=False, allow_blank=True, max_length=100)


class V1ConfigUpdate(serializers.Serializer):
    config_value = AnyValueField()
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    change_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class V1ConfigBatchItem(serializers.Serializer):
    config_key = serializers.CharField(max_length=128)
    config_value = AnyValueField()


class V1ConfigBatch(serializers.Serializer):
    configs = V1ConfigBatchItem(many=True, allow_empty=False, max_length=200)
    change_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def validate_configs(self, value):
        keys = [item["config_key"] for item in value]
        if len(keys) != len(set(keys)):
            raise serializers.ValidationError("Each config_key may appear once.")
        return value


class PasswordPolicy(serializers.Serializer):
    min_length = serializers.IntegerField(required=False)
    require_uppercase = serializers.BooleanField(required=False)
    require_lowercase = serializers.BooleanField(required=False)
    require_number = serializers.BooleanField(required=False)
    require_special = serializers.BooleanField(required=False)


class V1SystemConfig(serializers.Serializer):
    """``GET/PUT config/system``: the documented subset of the registry, typed."""

    site_name = serializers.CharField(required=False, allow_blank=True)
    site_logo = serializers.CharField(required=False, allow_blank=True)
    login_captcha_enabled = serializers.BooleanField(required=False)
    password_policy = PasswordPolicy(required=False)
    session_timeout = serializers.IntegerField(required=False)


class DeskConfigUpdate(serializers.Serializer):
    value = AnyValueField()
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    change_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


# --- configs: responses -------------------------------------------------------------------------


class UserRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    avatar = serializers.CharField(allow_null=True)


class V1ConfigItem(serializers.Serializer):
    config_id = serializers.IntegerField(allow_null=True, help_text="The stored row; null while the default applies.")
    config_key = serializers.CharField()
    config_value = serializers.CharField(help_text="Text form; sensitive values are masked as ******.")
    config_level = serializers.ChoiceField(choices=["global", "tenant"])
    category = serializers.ChoiceField(choices=list(CATEGORIES))
    description = serializers.CharField()
    data_type = serializers.ChoiceField(choices=["string", "integer", "float", "boolean", "json"])
    validation_rule = serializers.CharField()
    is_sensitive = serializers.BooleanField()
    default_value = serializers.CharField()
    tenant_overridable = serializers.BooleanField()
    updated_by = UserRef(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class V1ConfigPage(serializers.Serializer):
    total = serializers.IntegerField()
    page = serializers.IntegerField()
    size = serializers.IntegerField()
    items = V1ConfigItem(many=True)


class DeskConfigItem(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField()
    description = serializers.CharField()
    type = serializers.CharField()
    is_public = serializers.BooleanField()


class DeskConfigUpdated(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)


# --- modules ----------------------------------------------------------------------------------


class V1ModuleListQuery(serializers.Serializer):
    tenant_id = serializers.IntegerField(required=False, min_value=1, max_value=2**62)


class V1ModuleStatusUpdate(serializers.Serializer):
    status = serializers.ChoiceField(choices=ModuleStatus.choices)
    tenant_id = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**62)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    config_options = serializers.DictField(required=False)


class V1Module(serializers.Serializer):
    module_code = serializers.CharField()
    module_name = serializers.CharField()
    module_version = serializers.CharField()
    status = serializers.ChoiceField(choices=ModuleStatus.choices)
    tenant_id = serializers.IntegerField(allow_null=True)
    description = serializers.CharField()
    dependencies = serializers.ListField(child=serializers.CharField())
    can_disable = serializers.BooleanField()
    config_options = serializers.DictField()
    last_updated = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)


# --- announcements ------------------------------------------------------------------------------


class V1AnnouncementListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=AnnouncementStatus.choices, required=False)
    type = serializers.ChoiceField(choices=AnnouncementType.choices, required=False)
    target_audience = serializers.ChoiceField(choices=AnnouncementAudience.choices, required=False)


class V1AnnouncementCreate(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=5000)
    type = serializers.ChoiceField(choices=AnnouncementType.choices, required=False)
    priority = serializers.ChoiceField(choices=AnnouncementPriority.choices, required=False)
    target_audience = serializers.ChoiceField(choices=AnnouncementAudience.choices, required=False)
    target_tenants = serializers.ListField(child=IdField(), required=False, max_length=1000)
    target_roles = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=100)
    publish_time = serializers.DateTimeField(required=False, allow_null=True, help_text="Empty: publish now.")
    expire_time = serializers.DateTimeField(required=False, allow_null=True)
    is_popup = serializers.BooleanField(required=False)
    is_email_notify = serializers.BooleanField(required=False)


class CreatorRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class V1Announcement(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    content = serializers.CharField()
    type = serializers.ChoiceField(choices=AnnouncementType.choices)
    priority = serializers.ChoiceField(choices=AnnouncementPriority.choices)
    status = serializers.ChoiceField(choices=AnnouncementStatus.choices)
    target_audience = serializers.ChoiceField(choices=AnnouncementAudience.choices)
    target_tenants = serializers.ListField(child=serializers.IntegerField())
    target_roles = serializers.ListField(child=serializers.CharField())
    publish_time = serializers.DateTimeField()
    expire_time = serializers.DateTimeField(allow_null=True)
    is_popup = serializers.BooleanField()
    is_email_notify = serializers.BooleanField()
    tenant_id = serializers.IntegerField(allow_null=True, help_text="Owner: null for the platform's announcements.")
    created_by = CreatorRef(allow_null=True)
    created_at = serializers.DateTimeField()


# --- maintenance mode ---------------------------------------------------------------------------


class V1MaintenanceUpdate(serializers.Serializer):
    is_maintenance = serializers.BooleanField(required=False)
    maintenance_message = serializers.CharField(required=False, allow_blank=True, max_length=500)
    start_time = serializers.DateTimeField(required=False, allow_null=True)
    end_time = serializers.DateTimeField(required=False, allow_null=True)
    allowed_ips = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=200)
    allowed_users = serializers.ListField(child=IdField(), required=False, max_length=1000)
    bypass_roles = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=50)
    notify_users = serializers.BooleanField(required=False, help_text="Announce the window now (switch on only).")


class V1Maintenance(serializers.Serializer):
    is_maintenance = serializers.BooleanField(help_text="The switch (within start/end when they are set).")
    is_active = serializers.BooleanField(help_text="Whether the window shuts users out right now.")
    maintenance_message = serializers.CharField()
    start_time = serializers.DateTimeField(allow_null=True)
    end_time = serializers.DateTimeField(allow_null=True)
    allowed_ips = serializers.ListField(child=serializers.CharField())
    allowed_users = serializers.ListField(child=serializers.IntegerField())
    bypass_roles = serializers.ListField(child=serializers.CharField())
    tenant_id = serializers.IntegerField(allow_null=True, help_text="null: platform-wide.")
    announcement_id = serializers.IntegerField(allow_null=True)
    last_updated = serializers.DateTimeField(allow_null=True)
