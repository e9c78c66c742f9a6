"""Sign-in, tokens, two-factor, trusted devices and login history — both contracts.

Thin adapters: validate, call ``accounts.auth_services``, present."""

from __future__ import annotations

import base64

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from accounts import auth_services as auth
from accounts.api import schema_serializers as out
from accounts.api.serializers import DeskMeSerializer, TrustedDeviceSerializer, user_info
from accounts.models import LoginLog, LoginSession, SessionEndReason, TrustedDevice
from portal.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, _positive_int
from portal.api.responses import ApiResponse
from portal.api.throttling import SignInRateThrottle
from portal.api.views import DeskAPIView, V1APIView
from portal.errors import DomainError, ErrorCode
from portal.inputs import parse_moment
from portal.timestamps import iso_utc


class _PublicAuth:
    public = True
    authentication_classes: list = []
    throttle_classes = [SignInRateThrottle]


def _current_session(request) -> LoginSession | None:
    return getattr(request, "_login_session", None) or getattr(request.user, "_login_session", None)


# --- v1 -----------------------------------------------------------------------------------------


class V1LoginSerializer(serializers.Serializer):
    tenant_code = serializers.CharField(max_length=64)
    username = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    auth_type = serializers.ChoiceField(choices=["password"], required=False, default="password")
    remember_me = serializers.BooleanField(required=False, default=False)
    captcha_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
    captcha_key = serializers.CharField(max_length=64, required=False, allow_blank=True)
    device_info = serializers.DictField(required=False)
    device_token = serializers.CharField(max_length=128, required=False, allow_blank=True)


def _v1_token_payload(outcome: auth.LoginOutcome) -> dict:
    data = {**outcome.tokens}
    data.pop("token_type", None)
    data["user_info"] = user_info(outcome.user)
    if outcome.trusted_device_token:
        data["trusted_device_token"] = outcome.trusted_device_token
    return data


@extend_schema(tags=["auth"], request=V1LoginSerializer, responses=out.V1LoginResultSerializer)
class V1LoginView(_PublicAuth, V1APIView):
    """§1.1.1 / §22.2.1. A user with two-factor on (and no trusted ``device_token``) gets
    ``{"mfa_required": true, "mfa_token": …}`` and finishes with ``POST auth/mfa/verify``."""

    def post(self, request):
        s = V1LoginSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        info = auth.client_info(request, d.get("device_info"))
        user = auth.authenticate_password(
            tenant_code=d["tenant_code"],
            username=d["username"],
            password=d["password"],
            info=info,
            captcha_key=d.get("captcha_key"),
            captcha_code=d.get("captcha_code"),
        )
        outcome = auth.login_complete(
            user=user, info=info, device_token=d.get("device_token"), defer_mfa=True, remember_me=d["remember_me"]
        )
        if outcome.mfa_token:
            return ApiResponse(
                {
                    "mfa_required": True,
                    "mfa_token": outcome.mfa_token,
                    "mfa_type": "totp",
                    "expires_in": auth.MFA_TOKEN_TTL,
                },
                message=_("A one-time code is required."),
            )
        return ApiResponse(_v1_token_payload(outcome), message=_("Signed in."))


class MfaVerifySerializer(serializers.Serializer):
    mfa_token = serializers.CharField(max_length=128)
    mfa_type = serializers.ChoiceField(
        choices=["totp", "recovery_code"],
        required=False,
        default="totp",
        help_text="Informational: the code's shape decides (6 digits: TOTP; xxxxx-xxxxx: a recovery code).",
    )
    code = serializers.CharField(
        max_length=16, help_text="The authenticator's 6-digit code, or an unused recovery code (single use)."
    )
    device_trust = serializers.BooleanField(required=False, default=False)
    device_name = serializers.CharField(max_length=128, required=False, allow_blank=True)


@extend_schema(tags=["auth"], request=MfaVerifySerializer, responses=out.V1LoginResultSerializer)
class V1MfaVerifyView(_PublicAuth, V1APIView):
    """§22.2.2: second step; ``device_trust`` returns a ``trusted_device_token``."""

    def post(self, request):
        s = MfaVerifySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        info = auth.client_info(request, device_name=d.get("device_name", ""))
        user, state = auth.mfa_challenge_verify(raw=d["mfa_token"], code=d["code"], info=info)
        outcome = auth.login_finish(
            user=user,
            info=info,
            method=state["method"],
            remember_device=d["device_trust"],
            remember_me=bool(state.get("remember_me")),
            device_name=d.get("device_name", ""),
        )
        return ApiResponse(_v1_token_payload(outcome), message=_("Signed in."))


class V1RefreshSerializer(serializers.Serializer):
    refresh_token = serializers.CharField(max_length=2048)


@extend_schema(tags=["auth"], request=V1RefreshSerializer, responses=out.V1TokensSerializer)
class V1RefreshView(_PublicAuth, V1APIView):
    """§1.1.2: rotates; the used refresh token is refused afterwards."""

    def post(self, request):
        s = V1RefreshSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        tokens = auth.refresh_rotate(raw=s.validated_data["refresh_token"])
        tokens.pop("token_type", None)
        return ApiResponse(tokens, message=_("Token refreshed."))


@extend_schema(tags=["auth"], request=None, responses={200: None})
class V1LogoutView(V1APIView):
    """§1.1.3: ends this session; its tokens are refused from the next request on."""

    def post(self, request):
        session = _current_session(request)
        if session is not None:
            auth.session_end(session=session, reason=SessionEndReason.LOGOUT)
        return ApiResponse(None, message=_("Signed out."))


@extend_schema(tags=["auth"], responses=out.UserInfoSerializer)
class V1MeView(V1APIView):
    """§1.1.4: ``user_info`` with role codes and effective permissions."""

    def get(self, request):
        return ApiResponse(user_info(request.user))


class PasswordResetSerializer(serializers.Serializer):
    tenant_code = serializers.CharField(max_length=64, required=False, allow_blank=True)
    email = serializers.EmailField()
    reset_type = serializers.ChoiceField(choices=["email"], required=False, default="email")
    captcha_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
    captcha_key = serializers.CharField(max_length=64, required=False, allow_blank=True)


@extend_schema(tags=["auth"], request=PasswordResetSerializer, responses={200: None})
class V1PasswordResetView(_PublicAuth, V1APIView):
    """§22.2.3: emails a single-use link valid 30 minutes; the same answer whether or not the
    address exists."""

    def post(self, request):
        from portal.config import get_config
        from tenants.models import Tenant

        s = PasswordResetSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        tenant = Tenant.objects.filter(code=d.get("tenant_code") or "").first()
        if get_config("login_captcha_enabled", tenant=tenant) and not auth.captcha_check(
            key=d.get("captcha_key"), code=d.get("captcha_code")
        ):
            raise DomainError(ErrorCode.CAPTCHA_INVALID)
        reset_url = request.build_absolute_uri("/accounts/password/reset/confirm/")
        auth.password_reset_request(email=d["email"], tenant_code=d.get("tenant_code"), reset_url=reset_url)
        return ApiResponse(None, message=_("If the address is registered, a reset link has been sent."))


class PasswordResetConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(max_length=256, trim_whitespace=False)


@extend_schema(tags=["auth"], request=PasswordResetConfirmSerializer, responses={200: None})
class V1PasswordResetConfirmView(_PublicAuth, V1APIView):
    def post(self, request):
        s = PasswordResetConfirmSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        auth.password_reset_confirm(raw=s.validated_data["token"], new_password=s.validated_data["new_password"])
        return ApiResponse(None, message=_("Password changed. Sign in with the new password."))


@extend_schema(tags=["auth"], request=None, responses=out.MfaSetupResultSerializer)
class V1MfaSetupView(V1APIView):
    """Starts TOTP enrolment: ``{secret, otpauth_uri, qr_svg}`` (the secret is shown once)."""

    def post(self, request):
        return ApiResponse(auth.mfa_setup(user=request.user))


class MfaCodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16)


@extend_schema(tags=["auth"], request=MfaCodeSerializer, responses=out.MfaEnableResultSerializer)
class V1MfaEnableView(V1APIView):
    """Confirms enrolment; the answer carries the first recovery codes, shown this once (only
    their hashes are stored)."""

    def post(self, request):
        s = MfaCodeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        codes = auth.mfa_enable(user=request.user, code=s.validated_data["code"])
        return ApiResponse(
            {"mfa_enabled": True, "recovery_codes": codes}, message=_("Two-factor authentication enabled.")
        )


class MfaDisableSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    code = serializers.CharField(max_length=16)


@extend_schema(tags=["auth"], request=MfaDisableSerializer, responses=out.MfaStateSerializer)
class V1MfaDisableView(V1APIView):
    def post(self, request):
        s = MfaDisableSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        auth.mfa_disable(user=request.user, password=s.validated_data["password"], code=s.validated_data["code"])
        return ApiResponse({"mfa_enabled": False}, message=_("Two-factor authentication disabled."))


@extend_schema(tags=["auth"], responses=out.CaptchaSerializer)
class V1CaptchaView(V1APIView):
    """``{captcha_key, image}``: an SVG rendered here (data URI), answer kept hashed 5 minutes."""

    public = True
    authentication_classes: list = []
    throttle_classes = [SignInRateThrottle]

    def get(self, request):
        from portal.config import get_config

        key, svg = auth.captcha_create()
        image = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        return ApiResponse(
            {
                "captcha_key": key,
                "image": image,
                "expires_in": auth.CAPTCHA_TTL,
                "enabled": bool(get_config("login_captcha_enabled")),
            }
        )


# --- Desk -----------------------------------------------------------------------------------------


class DeskLoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)  # looked up, not validated: any stored address signs in
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp_code = serializers.CharField(
        max_length=16,
        required=False,
        allow_blank=True,
        help_text="The authenticator's 6-digit code, or an unused recovery code in its place (single use).",
    )
    device_token = serializers.CharField(max_length=128, required=False, allow_blank=True)
    remember_device = serializers.BooleanField(required=False, default=False)
    device_name = serializers.CharField(max_length=128, required=False, allow_blank=True)
    captcha_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
    captcha_key = serializers.CharField(max_length=64, required=False, allow_blank=True)


def _desk_user(user) -> dict:
    return {"id": user.pk, "username": user.username, "email": user.email, "role": user.primary_role}


@extend_schema(tags=["auth"], request=DeskLoginSerializer, responses=out.DeskLoginResultSerializer)
class DeskLoginView(_PublicAuth, DeskAPIView):
    """用户登录: ``otp_code`` when two-factor is on, or a ``device_token`` from an earlier
    ``remember_device``."""

    desk_envelope = "code_msg"

    def post(self, request):
        s = DeskLoginSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        info = auth.client_info(request, device_name=d.get("device_name", ""))
        user = auth.authenticate_password(
            email=d["email"],
            password=d["password"],
            info=info,
            captcha_key=d.get("captcha_key"),
            captcha_code=d.get("captcha_code"),
        )
        outcome = auth.login_complete(
            user=user,
            info=info,
            otp_code=d.get("otp_code"),
            device_token=d.get("device_token"),
            remember_device=d["remember_device"],
            device_name=d.get("device_name", ""),
        )
        data = {"user": _desk_user(user), **outcome.tokens}
        if outcome.trusted_device_token:
            data["trusted_device_token"] = outcome.trusted_device_token
        return ApiResponse(data, message="Login successful")


@extend_schema(
    tags=["auth"],
    request=V1RefreshSerializer,
    responses=out.DeskTokensSerializer,
    description="The refresh token in `Authorization: Bearer` (as documented) or as `refresh_token` in the body.",
)
class DeskRefreshView(_PublicAuth, DeskAPIView):
    """刷新Token: the refresh token in ``Authorization: Bearer`` (documented) or the body."""

    desk_envelope = "code_msg"

    def post(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        kind, _sep, raw = header.partition(" ")
        raw = raw.strip() if kind.lower() == "bearer" else ""
        if not raw:
            raw = str(request.data.get("refresh_token") or "")
        if not raw:
            raise DomainError(ErrorCode.AUTHENTICATION_REQUIRED)
        return ApiResponse(auth.refresh_rotate(raw=raw), message="Refresh token successful")


@extend_schema(tags=["auth"], responses=DeskMeSerializer)
class DeskMeView(DeskAPIView):
    def get(self, request):
        return ApiResponse(DeskMeSerializer(request.user).data)


@extend_schema(tags=["auth"], request=None, responses={200: None})
class DeskLogoutView(DeskAPIView):
    def post(self, request):
        session = _current_session(request)
        if session is not None:
            auth.session_end(session=session, reason=SessionEndReason.LOGOUT)
        return ApiResponse(None, message=_("Signed out."))


class DeskRegisterSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=64)
    email = serializers.EmailField()
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    first_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)


@extend_schema(tags=["auth"], request=DeskRegisterSerializer, responses={201: out.DeskRegisterResultSerializer})
class DeskRegisterView(_PublicAuth, DeskAPIView):
    """用户注册: self-registration into the tenant named by ``system.register.tenant_code``
    (off when empty). New users get the ``user`` role."""

    def post(self, request):
        from accounts.services import user_register

        s = DeskRegisterSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        info = auth.client_info(request)
        user = user_register(**s.validated_data)
        outcome = auth.login_finish(user=user, info=info, method=auth.LoginMethod.PASSWORD)
        session = outcome.session
        return ApiResponse(
            {
                "user": DeskMeSerializer(user).data,
                "token": outcome.tokens["access_token"],
                "refresh_token": outcome.tokens["refresh_token"],
                "expires_at": _access_expiry(outcome.tokens["access_token"]) or session.expires_at,
            },
            message=_("Registered."),
            status=201,
        )


def _access_expiry(raw: str):
    from datetime import UTC, datetime

    from rest_framework_simplejwt.tokens import AccessToken

    return iso_utc(datetime.fromtimestamp(AccessToken(raw)["exp"], tz=UTC))


@extend_schema(tags=["auth"], responses=TrustedDeviceSerializer(many=True))
class DeskTrustedDeviceListView(DeskAPIView):
    """查询可信设备: the caller's own devices (revoked ones included, flagged)."""

    desk_envelope = "code_msg"

    def get(self, request):
        devices = TrustedDevice.objects.filter(user=request.user).order_by("-created_at", "-id")
        return ApiResponse(TrustedDeviceSerializer(devices, many=True).data, message=_("Trusted devices loaded."))


@extend_schema(tags=["auth"], request=None, responses={200: None})
class DeskTrustedDeviceDetailView(DeskAPIView):
    desk_envelope = "code_msg"

    def delete(self, request, pk: int):
        device = get_object_or_404(TrustedDevice, pk=pk, user=request.user)
        auth.trusted_device_revoke(device=device)
        return ApiResponse(None, message=_("Trusted device revoked."))


def _bool(raw):
    if raw is None or raw == "":
        return None
    return str(raw).lower() in {"1", "true", "yes"}


def _date_bound(raw, *, end: bool, name: str = ""):
    """A date (whole day, local time) or a full ISO datetime; bad input is a 400/422."""
    if not raw:
        return None
    value = parse_moment(raw, end_of_day=end)
    if value is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, field=name or ("end_date" if end else "start_date"))
    return value


def _ip_address(raw: str) -> str:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_ipv46_address

    try:
        validate_ipv46_address(raw)
    except ValidationError:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, _("Enter a valid IPv4 or IPv6 address."), field="ip_address"
        ) from None
    return raw


def login_history_queryset(user, params):
    """The caller's sign-ins with the documented filters."""
    from django.utils import timezone

    qs = LoginLog.objects.filter(user=user).select_related("session")
    if params.get("ip_address"):
        qs = qs.filter(ip_address=_ip_address(params["ip_address"]))
    if params.get("device_type"):
        qs = qs.filter(device_type=params["device_type"])
    if params.get("login_method"):
        qs = qs.filter(login_method=params["login_method"])
    if params.get("session_id"):
        qs = qs.filter(session__key=params["session_id"])
    if params.get("status"):
        qs = qs.filter(result=params["status"])
    active = _bool(params.get("is_active"))
    now = timezone.now()
    live = Q(session__ended_at__isnull=True, session__expires_at__gt=now)
    if active is True:
        qs = qs.filter(live)
    elif active is False:
        qs = qs.exclude(live)
    start = _date_bound(params.get("start_date"), end=False)
    end = _date_bound(params.get("end_date"), end=True)
    if start:
        qs = qs.filter(created_at__gte=start)
    if end:
        qs = qs.filter(created_at__lte=end)
    return qs.order_by("-created_at", "-id")


LOGIN_HISTORY_PARAMETERS = [
    OpenApiParameter(name, str, required=False)
    for name in ("ip_address", "device_type", "login_method", "session_id", "status", "start_date", "end_date")
] + [
    OpenApiParameter("is_active", bool, required=False),
    OpenApiParameter("page", int, required=False),
    OpenApiParameter("page_size", int, required=False),
]


@extend_schema(tags=["auth"], responses=out.LoginHistorySerializer, parameters=LOGIN_HISTORY_PARAMETERS)
class DeskLoginHistoryView(DeskAPIView):
    """查询登录历史: ``data = {items, pagination: {page, page_size, total}}`` as documented."""

    desk_envelope = "code_msg"

    def get(self, request):
        params = request.query_params
        page = _positive_int(request, "page", 1)
        size_name = "page_size" if "page_size" in params else "limit"
        size = _positive_int(request, size_name, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        qs = login_history_queryset(request.user, params)
        total = qs.count()
        rows = list(qs[(page - 1) * size : page * size])
        items = [
            {
                "id": row.pk,
                "login_time": row.created_at,
                "ip_address": row.ip_address,
                "device_info": " - ".join(p for p in (row.device_type, (row.device_info or {}).get("os", "")) if p),
                "login_method": row.login_method,
                "status": row.result,
                "failure_reason": row.failure_reason or None,
                "session_id": row.session.key if row.session else None,
                "is_active": bool(row.session and row.session.is_active),
            }
            for row in rows
        ]
        for item in items:
            item["login_time"] = serializers.DateTimeField().to_representation(item["login_time"])
        return ApiResponse(
            {"items": items, "pagination": {"page": page, "page_size": size, "total": total}},
            message=_("Login history loaded."),
        )
