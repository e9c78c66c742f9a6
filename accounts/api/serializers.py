from rest_framework import serializers

from accounts.models import Permission, Role, User


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
