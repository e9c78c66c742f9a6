"""Presenters and input validators of the v1 user/role/department/session/audit APIs."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import fields as shapes
from accounts.models import (
    Department,
    LoginLog,
    LoginSession,
    PermissionChangeLog,
    User,
    UserStatus,
    UserType,
    granted_codes,
)
from portal.api.fields import IdField, Int32Field

STATUS_ALIASES = {"1": UserStatus.ACTIVE, "0": UserStatus.INACTIVE, "2": UserStatus.INACTIVE}


@extend_schema_field(
    {"oneOf": [{"type": "string", "enum": list(UserStatus.values)}, {"type": "integer", "enum": [0, 1, 2]}]}
)
class UserStatusField(serializers.Field):
    """Status as the word (``active``…), also accepting §1.3.2's numbers (1 active, 0/2 inactive)."""

    def to_internal_value(self, data):
        value = STATUS_ALIASES.get(str(data), str(data))
        if value not in UserStatus.values:
            raise serializers.ValidationError(f"'{data}' is not a valid status.")
        return value

    def to_representation(self, value):
        return value


def department_paths(departments) -> dict[int, str]:
    """id → "公司/技术部" for every department given (one query, no per-row ancestors)."""
    nodes = {d.pk: d for d in departments}
    paths: dict[int, str] = {}

    def path(node):
        if node.pk in paths:
            return paths[node.pk]
        parent = nodes.get(node.parent_id)
        paths[node.pk] = f"{path(parent)}/{node.name}" if parent else node.name
        return paths[node.pk]

    for node in nodes.values():
        path(node)
    return paths


class _DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    path = serializers.CharField()
    manager = serializers.CharField(required=False, allow_null=True)


class _RoleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    description = serializers.CharField(required=False)
    assigned_at = serializers.DateTimeField(required=False)


class _ProfileOutSerializer(serializers.Serializer):
    job_title = serializers.CharField()
    employee_id = serializers.CharField()
    hire_date = serializers.DateField(allow_null=True)
    manager_id = serializers.IntegerField(allow_null=True)
    work_location = serializers.CharField()
    timezone = serializers.CharField()


class _SecuritySerializer(serializers.Serializer):
    password_last_changed = serializers.DateTimeField(allow_null=True)
    mfa_enabled = serializers.BooleanField()
    mfa_methods = serializers.ListField(child=serializers.CharField())
    login_attempts = serializers.IntegerField()
    locked_until = serializers.DateTimeField(allow_null=True)
    last_password_reset = serializers.DateTimeField(allow_null=True)


class _ActivitySerializer(serializers.Serializer):
    last_login_time = serializers.DateTimeField(allow_null=True)
    last_login_ip = serializers.CharField(allow_null=True)
    login_count = serializers.IntegerField()
    current_sessions = serializers.IntegerField()
    last_activity = serializers.DateTimeField(allow_null=True)


class _DeviceInfoSerializer(serializers.Serializer):
    device_id = serializers.CharField()
    device_name = serializers.CharField()
    os = serializers.CharField()
    browser = serializers.CharField()


def mask_email(address: str) -> str:
    """``zhang.san@demo.com`` → ``z***@demo.com``."""
    name, at, domain = address.partition("@")
    return f"{name[:1]}***{at}{domain}" if at else ("***" if address else "")


def mask_phone(number: str) -> str:
    """``13800138000`` → ``138****8000``."""
    if len(number) <= 4:
        return "*" * len(number)
    return f"{number[:3]}****{number[-4:]}" if len(number) > 7 else f"****{number[-4:]}"


class V1UserListSerializer(serializers.ModelSerializer):
    """§22.1.1 row (also the §1.3.1 list)."""

    user_id = serializers.IntegerField(source="id")
    tenant_name = serializers.CharField(source="tenant.name", default=None)
    department = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    last_login_time = serializers.DateTimeField(source="last_login", allow_null=True)
    status = serializers.SerializerMethodField()
    is_online = serializers.SerializerMethodField()
    session_count = serializers.IntegerField(default=0)

    class Meta:
        model = User
        fields = [
            "user_id",
            "username",
            "real_name",
            "email",
            "phone",
            "avatar",
            "user_type",
            "status",
            "tenant_id",
            "tenant_name",
            "department",
            "roles",
            "last_login_time",
            "login_count",
            "created_at",
            "is_online",
            "session_count",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        viewer = self.context.get("contact_viewer")
        if viewer is not None and instance.pk != viewer.pk and not viewer.has_contract_permission("user:update"):
            # Readers who do not manage users (agents) see who people are, not how to reach them
            # privately: the directory is not a list of e-mail addresses and phone numbers.
            data["email"] = mask_email(data.get("email") or "")
            data["phone"] = mask_phone(data.get("phone") or "")
        return data

    @extend_schema_field(_DepartmentRefSerializer(allow_null=True))
    def get_department(self, user):
        if user.department_id is None:
            return None
        paths = self.context.get("department_paths") or {}
        dept = user.department
        return {"id": dept.pk, "name": dept.name, "path": paths.get(dept.pk, dept.name)}

    @extend_schema_field(_RoleRefSerializer(many=True))
    def get_roles(self, user):
        return [{"id": r.pk, "name": r.name, "code": r.code} for r in user.roles.all()]

    @extend_schema_field(serializers.ChoiceField(choices=UserStatus.choices))
    def get_status(self, user):
        """The stored status, or ``locked`` while a sign-in lockout is running."""
        from django.utils import timezone

        if user.status == UserStatus.ACTIVE and user.locked_until and user.locked_until > timezone.now():
            return UserStatus.LOCKED.value
        return user.status

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_online(self, user):
        return bool(getattr(user, "session_count", 0))


class V1UserDetailSerializer(V1UserListSerializer):
    """§22.1.2."""

    permissions = serializers.SerializerMethodField()
    profile = serializers.SerializerMethodField()
    security = serializers.SerializerMethodField()
    activity = serializers.SerializerMethodField()

    class Meta(V1UserListSerializer.Meta):
        fields = [
            "user_id",
            "username",
            "real_name",
            "email",
            "phone",
            "avatar",
            "user_type",
            "status",
            "tenant_id",
            "tenant_name",
            "department",
            "roles",
            "permissions",
            "profile",
            "security",
            "activity",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(_DepartmentRefSerializer(allow_null=True))
    def get_department(self, user):
        data = super().get_department(user)
        if data is not None:
            manager = user.department.manager
            data["manager"] = (manager.real_name or manager.username) if manager else None
        return data

    @extend_schema_field(_RoleRefSerializer(many=True))
    def get_roles(self, user):
        grants = user.role_grants.select_related("role").order_by("id")
        return [
            {
                "id": g.role.pk,
                "name": g.role.name,
                "code": g.role.code,
                "description": g.role.description,
                "assigned_at": serializers.DateTimeField().to_representation(g.assigned_at),
            }
            for g in grants
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_permissions(self, user):
        if user.is_active:
            return sorted(user.permission_codes)
        # what the roles grant, even while the account is inactive (shown to admins)
        return granted_codes(tenant_id=user.tenant_id, role_ids=user.roles.values_list("id", flat=True))

    @extend_schema_field(_ProfileOutSerializer)
    def get_profile(self, user):
        return {
            "job_title": user.job_title,
            "employee_id": user.employee_id,
            "hire_date": user.hire_date,
            "manager_id": user.manager_id,
            "work_location": user.work_location,
            "timezone": user.time_zone,
        }

    @extend_schema_field(_SecuritySerializer)
    def get_security(self, user):
        from accounts.auth_services import mfa_enabled

        on = mfa_enabled(user)
        dt = serializers.DateTimeField()
        return {
            "password_last_changed": dt.to_representation(user.password_changed_at)
            if user.password_changed_at
            else None,
            "mfa_enabled": on,
            "mfa_methods": ["totp"] if on else [],
            "login_attempts": user.failed_login_count,
            "locked_until": dt.to_representation(user.locked_until) if user.locked_until else None,
            "last_password_reset": dt.to_representation(user.last_password_reset) if user.last_password_reset else None,
        }

    @extend_schema_field(_ActivitySerializer)
    def get_activity(self, user):
        from django.utils import timezone

        live = LoginSession.objects.filter(user=user, ended_at__isnull=True, expires_at__gt=timezone.now())
        last = LoginSession.objects.filter(user=user).order_by("-last_activity").values_list("last_activity", flat=True)
        dt = serializers.DateTimeField()
        last_activity = last.first()
        return {
            "last_login_time": dt.to_representation(user.last_login) if user.last_login else None,
            "last_login_ip": user.last_login_ip,
            "login_count": user.login_count,
            "current_sessions": live.count(),
            "last_activity": dt.to_representation(last_activity) if last_activity else None,
        }


class ProfileSerializer(serializers.Serializer):
    job_title = serializers.CharField(max_length=64, required=False, allow_blank=True)
    employee_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    hire_date = serializers.DateField(required=False, allow_null=True)
    manager_id = IdField(required=False, allow_null=True)
    work_location = serializers.CharField(max_length=128, required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False)


class V1UserWriteSerializer(serializers.Serializer):
    """§1.3.2 / §22.1.3 input (and, all optional, §1.3.3 / §22.1.4)."""

    username = serializers.RegexField(shapes.USERNAME_PATTERN)
    email = serializers.EmailField()
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    real_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    user_type = serializers.ChoiceField(choices=UserType.choices, required=False)
    department_id = IdField(required=False, allow_null=True)
    role_ids = serializers.ListField(child=IdField(), required=False)
    status = UserStatusField(required=False)
    require_password_change = serializers.BooleanField(required=False)
    profile = ProfileSerializer(required=False)
    send_welcome_email = serializers.BooleanField(required=False, default=False)


class V1UserUpdateSerializer(V1UserWriteSerializer):
    username = None
    password = None
    send_welcome_email = None
    email = serializers.EmailField(required=False)


class V1UserStatusSerializer(serializers.Serializer):
    status = UserStatusField()
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    effective_time = serializers.DateTimeField(required=False, allow_null=True)


class V1RoleCreateSerializer(serializers.Serializer):
    """§1.4.2 (``permissions``) and §22.3.2 (``permission_codes``, ``parent_role_id``)."""

    role_code = serializers.RegexField(shapes.ROLE_CODE_PATTERN)
    role_name = serializers.CharField(max_length=shapes.ROLE_NAME_MAX)
    description = serializers.CharField(
        max_length=shapes.ROLE_DESCRIPTION_MAX, required=False, allow_blank=True, default=""
    )
    role_type = serializers.ChoiceField(choices=["business", "system"], required=False, default="business")
    permission_codes = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    permissions = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    parent_role_id = IdField(required=False, allow_null=True)

    def validate_role_type(self, value):
        if value == "system":
            raise serializers.ValidationError("Built-in roles cannot be created.")
        return value


class DepartmentNodeSerializer(serializers.ModelSerializer):
    department_id = serializers.IntegerField(source="id")
    department_code = serializers.CharField(source="code")
    department_name = serializers.CharField(source="name")
    level = serializers.SerializerMethodField()
    manager_name = serializers.SerializerMethodField()
    user_count = serializers.IntegerField(default=0)

    class Meta:
        model = Department
        fields = [
            "department_id",
            "department_code",
            "department_name",
            "description",
            "parent_id",
            "level",
            "sort_order",
            "manager_id",
            "manager_name",
            "user_count",
            "is_active",
            "created_at",
        ]

    @extend_schema_field(OpenApiTypes.INT)
    def get_level(self, node):
        return node.level + 1

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_manager_name(self, node):
        return (node.manager.real_name or node.manager.username) if node.manager else None


class DepartmentCreateSerializer(serializers.Serializer):
    department_code = serializers.RegexField(shapes.DEPARTMENT_CODE_PATTERN)
    department_name = serializers.CharField(max_length=shapes.DEPARTMENT_NAME_MAX)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    parent_id = IdField(required=False, allow_null=True)
    manager_id = IdField(required=False, allow_null=True)
    sort_order = Int32Field(required=False, default=0)


class SessionSerializer(serializers.ModelSerializer):
    """§22.5.1 row."""

    session_id = serializers.CharField(source="key")
    device_info = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    login_time = serializers.DateTimeField(source="created_at")
    is_current = serializers.SerializerMethodField()
    status = serializers.CharField()

    class Meta:
        model = LoginSession
        fields = [
            "session_id",
            "user_id",
            "device_info",
            "ip_address",
            "location",
            "login_time",
            "last_activity",
            "expires_at",
            "is_current",
            "status",
            "login_method",
        ]

    @extend_schema_field(_DeviceInfoSerializer)
    def get_device_info(self, s):
        return {"device_id": s.device_id, "device_name": s.device_name, "os": s.os, "browser": s.browser}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_location(self, s):
        return None  # no IP geolocation database is shipped

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_current(self, s):
        current = self.context.get("current_session_key")
        return bool(current) and current == s.key


class LoginLogSerializer(serializers.ModelSerializer):
    """§22.6.1 row."""

    log_id = serializers.IntegerField(source="id")
    login_type = serializers.CharField(source="login_method")
    location = serializers.SerializerMethodField()
    failure_reason = serializers.SerializerMethodField()
    session_id = serializers.SerializerMethodField()
    login_time = serializers.DateTimeField(source="created_at")

    class Meta:
        model = LoginLog
        fields = [
            "log_id",
            "user_id",
            "username",
            "tenant_id",
            "login_type",
            "result",
            "ip_address",
            "user_agent",
            "device_info",
            "location",
            "failure_reason",
            "session_id",
            "login_time",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_location(self, row):
        return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_failure_reason(self, row):
        return row.failure_reason or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_session_id(self, row):
        return row.session.key if row.session_id else None


class PermissionLogSerializer(serializers.ModelSerializer):
    """§22.6.2 row."""

    log_id = serializers.IntegerField(source="id")

    class Meta:
        model = PermissionChangeLog
        fields = [
            "log_id",
            "target_user_id",
            "target_username",
            "target_role_id",
            "operator_id",
            "operator_name",
            "operation_type",
            "operation_description",
            "old_value",
            "new_value",
            "ip_address",
            "created_at",
        ]
