from rest_framework import serializers

from accounts.models import Permission, Role, TrustedDevice, User


class PermissionSerializer(serializers.ModelSerializer):
    """v1 §22.3.3 permission row."""

    permission_code = serializers.CharField(source="code")
    permission_name = serializers.CharField(source="display_name")

    class Meta:
        model = Permission
        fields = ["id", "permission_code", "permission_name", "description", "resource_type", "action_type",
                  "module", "is_system", "created_at"]  # fmt: skip


class RolePermissionSerializer(serializers.ModelSerializer):
    permission_code = serializers.CharField(source="code")
    permission_name = serializers.CharField(source="display_name")

    class Meta:
        model = Permission
        fields = ["permission_code", "permission_name", "resource_type"]


class RoleSerializer(serializers.ModelSerializer):
    """v1 role row (§1.4.1 / §22.3.1)."""

    role_id = serializers.IntegerField(source="id")
    role_code = serializers.CharField(source="code")
    role_name = serializers.CharField(source="name")
    parent_role_id = serializers.IntegerField(source="parent_id", allow_null=True)
    user_count = serializers.IntegerField()
    permissions = RolePermissionSerializer(many=True)

    class Meta:
        model = Role
        fields = ["role_id", "role_code", "role_name", "description", "role_type", "is_system", "is_active",
                  "parent_role_id", "user_count", "permissions", "created_at", "updated_at"]  # fmt: skip


class DeskUserSerializer(serializers.ModelSerializer):
    """Desk contract user row (用户模型)."""

    role = serializers.CharField(source="primary_role")
    avatar_url = serializers.CharField(source="avatar")
    last_login_at = serializers.DateTimeField(source="last_login", allow_null=True)

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "phone", "avatar_url", "role", "status",
                  "last_login_at", "login_count", "created_at", "updated_at"]  # fmt: skip


def user_info(user) -> dict:
    """v1 ``user_info`` (§1.1.1 / §1.1.4)."""
    tenant = user.tenant
    return {
        "id": user.pk,
        "username": user.username,
        "real_name": user.real_name,
        "email": user.email,
        "avatar_url": user.avatar or None,
        "tenant_id": user.tenant_id,
        "tenant_name": tenant.name if tenant else None,
        "tenant_code": tenant.code if tenant else None,
        "roles": list(user.role_codes),
        "permissions": sorted(user.permission_codes),
        "mfa_enabled": _mfa_enabled(user),
        "require_password_change": user.require_password_change,
    }


def _mfa_enabled(user) -> bool:
    from accounts.auth_services import mfa_enabled

    return mfa_enabled(user)


class DeskMeSerializer(serializers.ModelSerializer):
    """Desk ``auth/me`` / register user."""

    role = serializers.CharField(source="primary_role")

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "role", "status", "created_at", "updated_at"]


class TrustedDeviceSerializer(serializers.ModelSerializer):
    """Desk 查询可信设备 row. The token itself is never shown again."""

    revoked = serializers.BooleanField()

    class Meta:
        model = TrustedDevice
        fields = ["id", "device_name", "last_used_at", "last_ip", "user_agent", "expires_at", "revoked",
                  "created_at", "updated_at"]  # fmt: skip
