"""Output shapes of the identity calls, for the OpenAPI documents (the views build plain dicts)."""

from __future__ import annotations

from rest_framework import serializers


class UserInfoSerializer(serializers.Serializer):
    """v1 ``user_info``."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    real_name = serializers.CharField()
    email = serializers.CharField()
    avatar_url = serializers.CharField(allow_null=True)
    tenant_id = serializers.IntegerField(allow_null=True)
    tenant_name = serializers.CharField(allow_null=True)
    tenant_code = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())
    permissions = serializers.ListField(child=serializers.CharField())
    mfa_enabled = serializers.BooleanField()
    require_password_change = serializers.BooleanField()


class V1LoginResultSerializer(serializers.Serializer):
    """Either the tokens, or — for a user with two-factor on — ``mfa_required`` + ``mfa_token``."""

    access_token = serializers.CharField(required=False)
    refresh_token = serializers.CharField(required=False)
    expires_in = serializers.IntegerField(required=False)
    user_info = UserInfoSerializer(required=False)
    trusted_device_token = serializers.CharField(required=False)
    mfa_required = serializers.BooleanField(required=False)
    mfa_token = serializers.CharField(required=False)
    mfa_type = serializers.CharField(required=False)


class V1TokensSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    expires_in = serializers.IntegerField()


class DeskTokensSerializer(V1TokensSerializer):
    token_type = serializers.CharField()


class DeskLoginUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    role = serializers.CharField()


class DeskLoginResultSerializer(DeskTokensSerializer):
    user = DeskLoginUserSerializer()
    trusted_device_token = serializers.CharField(required=False)


class MfaSetupResultSerializer(serializers.Serializer):
    secret = serializers.CharField()
    otpauth_uri = serializers.CharField()
    qr_svg = serializers.CharField()


class MfaStateSerializer(serializers.Serializer):
    mfa_enabled = serializers.BooleanField()


class MfaEnableResultSerializer(MfaStateSerializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        help_text="One-time recovery codes (xxxxx-xxxxx), returned this once; each replaces a TOTP code once.",
    )


class CaptchaSerializer(serializers.Serializer):
    captcha_key = serializers.CharField()
    image = serializers.CharField(help_text="data:image/svg+xml;base64,…")
    expires_in = serializers.IntegerField()
    enabled = serializers.BooleanField()


class LoginHistoryItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    login_time = serializers.DateTimeField()
    ip_address = serializers.CharField(allow_null=True)
    device_info = serializers.CharField()
    login_method = serializers.CharField()
    status = serializers.CharField()
    failure_reason = serializers.CharField(allow_null=True)
    session_id = serializers.CharField(allow_null=True)
    is_active = serializers.BooleanField()


class LoginHistoryPaginationSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    total = serializers.IntegerField()


class LoginHistorySerializer(serializers.Serializer):
    items = LoginHistoryItemSerializer(many=True)
    pagination = LoginHistoryPaginationSerializer()


class DeskRegisterResultSerializer(serializers.Serializer):
    user = serializers.DictField()
    token = serializers.CharField()
    refresh_token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class DeskUserCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()
    role = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class UserStatusResultSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    status = serializers.CharField()
    scheduled = serializers.BooleanField()
    scheduled_status = serializers.CharField(required=False)
    effective_time = serializers.DateTimeField(required=False)


class ResetPasswordResultSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    reset_type = serializers.ChoiceField(choices=["password", "email"])


class DepartmentTreeSerializer(serializers.Serializer):
    department_id = serializers.IntegerField()
    department_code = serializers.CharField()
    department_name = serializers.CharField()
    description = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    level = serializers.IntegerField()
    sort_order = serializers.IntegerField()
    manager_id = serializers.IntegerField(allow_null=True)
    manager_name = serializers.CharField(allow_null=True)
    user_count = serializers.IntegerField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    children = serializers.ListField(child=serializers.DictField(), help_text="nodes of the same shape")
