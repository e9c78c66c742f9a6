"""Sign-in, sessions, tokens, two-factor, trusted devices, captcha and password changes.

Login is deliberately *not* one transaction: the lockout counter and the login log must be
written even when the attempt is refused. Every other write is atomic where it stands.

Measured races this module closes (see shared/NOTES.md):
- lockout: the per-account counter is reserved with one conditional UPDATE *before* the
  password check, so 50 parallel wrong passwords cannot overrun ``system.login.max_attempts``;
- refresh rotation: the ``BlacklistedToken`` insert (unique per token) is the arbiter, so one
  refresh token sent by 8 clients at once rotates exactly once;
- TOTP: the device row is locked (``select_for_update``) around verification, so a code is
  accepted once even when two requests race with it;
- recovery codes: spent by one conditional ``UPDATE … WHERE used_at IS NULL``, so of two
  requests racing with the same code one signs in.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import random
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import (
    LoginLog,
    LoginMethod,
    LoginResult,
    LoginSession,
    SessionEndReason,
    TrustedDevice,
    User,
    UserStatus,
)
from portal.client import client_ip
from portal.config import get_config
from portal.errors import DomainError, ErrorCode
from portal.system import maintenance
from tenants.models import Tenant

logger = logging.getLogger("accounts.auth")

MFA_TOKEN_TTL = 300  # seconds a password-verified sign-in may wait for its one-time code
MFA_TOKEN_MAX_ATTEMPTS = 5
CAPTCHA_TTL = 300
SESSION_TOUCH_INTERVAL = 60  # seconds between last-activity writes of one session


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- Client description ------------------------------------------------------------------------


@dataclass
class ClientInfo:
    """Where a sign-in comes from. ``ip_address`` is the socket peer, never a client claim."""

    ip_address: str | None = None
    user_agent: str = ""
    device_id: str = ""
    device_name: str = ""
    device_type: str = "desktop"
    os: str = ""
    browser: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def device_info(self) -> dict:
        return {"device_id": self.device_id, "device_name": self.device_name, "os": self.os, "browser": self.browser}

    @property
    def device_summary(self) -> str:
        return " - ".join(part for part in (self.device_type, self.os) if part)


def _parse_user_agent(ua: str) -> tuple[str, str, str]:
    text = ua or ""
    if "iPad" in text or "Tablet" in text:
        device_type = "tablet"
    elif any(word in text for word in ("Mobile", "Android", "iPhone")):
        device_type = "mobile"
    else:
        device_type = "desktop"
    os_name = ""
    for needle, name in (
        ("Windows", "Windows"),
        ("iPhone", "iOS"),
        ("iPad", "iOS"),
        ("Mac OS X", "macOS"),
        ("Android", "Android"),
        ("Linux", "Linux"),
    ):
        if needle in text:
            os_name = name
            break
    browser = ""
    for needle, name in (("Edg/", "Edge"), ("Chrome/", "Chrome"), ("Firefox/", "Firefox"), ("Safari/", "Safari")):
        if needle in text:
            browser = name
            break
    return device_type, os_name, browser


def client_info(request, device_info: dict | None = None, device_name: str = "") -> ClientInfo:
    meta = getattr(request, "META", {}) or {}
    ua = (meta.get("HTTP_USER_AGENT") or "")[:512]
    device_type, os_name, browser = _parse_user_agent(ua)
    given = device_info if isinstance(device_info, dict) else {}
    return ClientInfo(
        ip_address=client_ip(request),
        user_agent=ua,
        device_id=str(given.get("device_id") or "")[:128],
        device_name=str(given.get("device_name") or device_name or browser or "")[:128],
        device_type=device_type,
        os=str(given.get("os") or os_name)[:64],
        browser=str(given.get("browser") or browser)[:64],
    )


# --- Login log ----------------------------------------------------------------------------------


def record_login(
    *,
    result: str,
    info: ClientInfo,
    user: User | None = None,
    username: str = "",
    tenant: Tenant | None = None,
    method: str = "",
    reason: str = "",
    session: LoginSession | None = None,
) -> LoginLog:
    return LoginLog.objects.create(
        tenant=tenant if tenant is not None else (user.tenant if user is not None else None),
        user=user,
        username=(user.username if user is not None else username)[:254],
        result=result,
        login_method=method,
        failure_reason=reason,
        ip_address=info.ip_address,
        user_agent=info.user_agent,
        device_type=info.device_type,
        device_info=info.device_info,
        session=session,
    )


def _refuse(
    code: ErrorCode, *, info, reason, user=None, username="", tenant=None, method="", message=None, details=None
):
    record_login(
        result=LoginResult.FAILURE, info=info, user=user, username=username, tenant=tenant, method=method, reason=reason
    )
    raise DomainError(code, message, details=details)


# --- Captcha ------------------------------------------------------------------------------------

_CAPTCHA_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def captcha_create() -> tuple[str, str]:
    """A new captcha: (key, SVG image). Only a keyed hash of the answer is kept, for 5 minutes."""
    rng = random.SystemRandom()
    answer = "".join(rng.choice(_CAPTCHA_ALPHABET) for _ in range(4))
    key = secrets.token_urlsafe(16)
    cache.set(f"captcha:{key}", _captcha_digest(key, answer), timeout=CAPTCHA_TTL)
    return key, _captcha_svg(answer, rng)


def _captcha_digest(key: str, answer: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{key}:{answer.upper()}".encode(), hashlib.sha256).hexdigest()


def _captcha_svg(answer: str, rng) -> str:
    width, height = 120, 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="#f3f4f6"/>'
    ]
    for _i in range(6):
        x1, y1, x2, y2 = (rng.randint(0, width), rng.randint(0, height), rng.randint(0, width), rng.randint(0, height))
        colour = f"#{rng.randint(0x888888, 0xCCCCCC):06x}"
        parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{colour}" stroke-width="1"/>')
    for index, char in enumerate(answer):
        x = 14 + index * 26 + rng.randint(-3, 3)
        y = 28 + rng.randint(-4, 4)
        angle = rng.randint(-25, 25)
        colour = f"#{rng.randint(0x202020, 0x606060):06x}"
        parts.append(
            f'<text x="{x}" y="{y}" font-family="monospace" font-size="24" font-weight="bold" '
            f'fill="{colour}" transform="rotate({angle} {x} {y})">{char}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def captcha_check(*, key: str | None, code: str | None) -> bool:
    """Single use: the stored answer is deleted by the first check, right or wrong."""
    if not key or not code:
        return False
    stored = cache.get(f"captcha:{key}")
    if stored is None or not cache.delete(f"captcha:{key}"):
        return False
    return hmac.compare_digest(stored, _captcha_digest(key, code.strip()))


# --- Password sign-in with lockout ------------------------------------------------------------------


def _lockout_settings(tenant) -> tuple[int, int]:
    return (
        int(get_config("system.login.max_attempts", tenant=tenant)),
        int(get_config("system.login.lockout_minutes", tenant=tenant)),
    )


#: How long a sign-in waits for the account's in-flight attempts to finish before answering
#: "try again" (a password check costs ~250 ms; a burst of parallel sign-ins queues here).
RESERVE_WAIT_SECONDS = 10
RESERVE_POLL_SECONDS = 0.05


def _reserve_attempt(user: User, *, max_attempts: int, lockout_minutes: int) -> bool:
    """Take one of the account's allowed attempts, atomically. False: the account is locked.

    The counter is reserved *before* the password check, so 50 parallel wrong passwords cannot
    overrun ``max_attempts``. When the allowance is taken by attempts still in flight (no lock
    set yet), this waits for them instead of calling the account locked: a failure that reaches
    the limit locks the account (then this answers "locked"), a success resets the counter
    (then this attempt proceeds). So a correct password is told "locked" only when it is."""
    import time

    deadline = time.monotonic() + RESERVE_WAIT_SECONDS
    locked_until = user.locked_until
    while True:
        now = timezone.now()
        if locked_until is not None:
            if locked_until > now:
                return False
            # The lock ran out: start counting afresh (only one caller wins this reset).
            User.objects.filter(pk=user.pk, locked_until=locked_until).update(locked_until=None, failed_login_count=0)
        taken = User.objects.filter(pk=user.pk, failed_login_count__lt=max_attempts, locked_until__isnull=True).update(
            failed_login_count=F("failed_login_count") + 1
        )
        if taken:
            return True
        if time.monotonic() >= deadline:
            raise DomainError(ErrorCode.RATE_LIMIT_EXCEEDED, details={"retry_after": 1})
        time.sleep(RESERVE_POLL_SECONDS)
        locked_until = User.objects.filter(pk=user.pk).values_list("locked_until", flat=True).first()


def _lockout_explained(user: User) -> dict:
    """The lockout refusal's message: how long is left (or that an administrator has to
    unlock a user set to "locked")."""
    import math

    until = User.objects.filter(pk=user.pk).values_list("locked_until", flat=True).first()
    if user.status == UserStatus.LOCKED or until is None:
        return {"message": _("The account is locked. Ask your administrator to unlock it.")}
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return {"message": _("The account is locked. Try again in %(minutes)d minutes.") % {"minutes": minutes}}


def authenticate_password(
    *,
    password: str,
    info: ClientInfo,
    tenant_code: str | None = None,
    username: str | None = None,
    email: str | None = None,
    captcha_key: str | None = None,
    captcha_code: str | None = None,
) -> User:
    """Check a password sign-in (v1: tenant code + username; desk: email). Records every
    refusal in the login log and raises the contract's error; returns the user on success."""
    login_name = (username or email or "").strip()
    from portal.ratelimit import signin_account_hit

    # Bounds the password checks spent on one account name (known or not) from all addresses;
    # per-address limits are the callers' (API throttle, portal login page).
    verdict = signin_account_hit(f"{tenant_code or ''}/{login_name}")
    if not verdict.allowed:
        _refuse(
            ErrorCode.RATE_LIMIT_EXCEEDED, info=info, username=login_name, reason="rate_limited",
            details={"retry_after": verdict.retry_after},
        )  # fmt: skip
    tenant = None
    if tenant_code:
        tenant = Tenant.objects.filter(code=tenant_code.strip()).first()
        if tenant is None or not tenant.is_usable:
            _refuse(
                ErrorCode.TENANT_UNAVAILABLE, info=info, username=login_name, tenant=tenant, reason="tenant_unavailable"
            )
    if get_config("login_captcha_enabled", tenant=tenant) and not captcha_check(key=captcha_key, code=captcha_code):
        _refuse(ErrorCode.CAPTCHA_INVALID, info=info, username=login_name, tenant=tenant, reason="captcha_invalid")
    users = User.objects.select_related("tenant")
    if tenant is not None:
        user = users.filter(tenant=tenant, username__iexact=login_name).first()
    else:
        user = users.filter(email=login_name.lower()).first()
    if user is None:
        User().set_password(password)  # same cost as a real check: no enumeration by timing
        _refuse(ErrorCode.INVALID_CREDENTIALS, info=info, username=login_name, tenant=tenant, reason="unknown_user")
    if user.tenant_id is not None and not user.tenant.is_usable:
        _refuse(ErrorCode.TENANT_UNAVAILABLE, info=info, user=user, reason="tenant_unavailable")
    max_attempts, lockout_minutes = _lockout_settings(user.tenant)
    if user.status == UserStatus.LOCKED or not _reserve_attempt(
        user, max_attempts=max_attempts, lockout_minutes=lockout_minutes
    ):
        _refuse(ErrorCode.ACCOUNT_LOCKED, info=info, user=user, reason="account_locked", **_lockout_explained(user))
    if not user.check_password(password):
        User.objects.filter(pk=user.pk, failed_login_count__gte=max_attempts).update(
            locked_until=timezone.now() + timedelta(minutes=lockout_minutes)
        )
        _refuse(ErrorCode.INVALID_CREDENTIALS, info=info, user=user, reason="wrong_password")
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    if not user.is_active:
        _refuse(ErrorCode.INVALID_CREDENTIALS, info=info, user=user, reason=f"user_{user.status}")
    return user


# --- Sessions and tokens ----------------------------------------------------------------------------


def _session_timeout(tenant, remember_me: bool = False) -> timedelta:
    idle = timedelta(seconds=int(get_config("system.session.timeout", tenant=tenant)))
    return max(idle, jwt_settings.REFRESH_TOKEN_LIFETIME) if remember_me else idle


@transaction.atomic
def session_open(
    *, user: User, method: str, info: ClientInfo, channel: str = "api", remember_me: bool = False
) -> LoginSession:
    """Open the session of a successful sign-in and record it in the login log."""
    now = timezone.now()
    session = LoginSession.objects.create(
        tenant=user.tenant,
        user=user,
        key=secrets.token_urlsafe(24),
        login_method=method,
        channel=channel,
        remember_me=remember_me,
        device_id=info.device_id,
        device_name=info.device_name,
        device_type=info.device_type,
        os=info.os,
        browser=info.browser,
        ip_address=info.ip_address,
        user_agent=info.user_agent,
        created_at=now,
        last_activity=now,
        expires_at=now + _session_timeout(user.tenant, remember_me),
    )
    User.objects.filter(pk=user.pk).update(
        last_login=now, last_login_ip=info.ip_address, login_count=F("login_count") + 1
    )
    record_login(result=LoginResult.SUCCESS, info=info, user=user, method=method, session=session)
    return session


def _new_refresh(session: LoginSession) -> RefreshToken:
    token = RefreshToken()
    token[jwt_settings.USER_ID_CLAIM] = session.user_id
    token["sid"] = session.key
    OutstandingToken.objects.create(
        user_id=session.user_id,
        jti=token[jwt_settings.JTI_CLAIM],
        token=str(token),
        created_at=token.current_time,
        expires_at=datetime.fromtimestamp(token["exp"], tz=UTC),
    )
    return token


def tokens_for_session(session: LoginSession) -> dict:
    refresh = _new_refresh(session)
    return {
        "access_token": str(refresh.access_token),
        "refresh_token": str(refresh),
        "expires_in": int(jwt_settings.ACCESS_TOKEN_LIFETIME.total_seconds()),
        "token_type": "Bearer",
    }


def tokens_for_user(user: User, *, method: str = LoginMethod.PASSWORD, info: ClientInfo | None = None) -> dict:
    """Open a login session for ``user`` and return its token pair — for scripts and tests
    that need a real token (a bare ``AccessToken.for_user`` carries no session and is refused)."""
    session = session_open(user=user, method=method, info=info or ClientInfo(ip_address="127.0.0.1"))
    return tokens_for_session(session)


def session_is_usable(session: LoginSession | None, *, user_id=None, issued_at: int | None = None) -> bool:
    if session is None or not session.is_active:
        return False
    user = session.user
    if user_id is not None and str(session.user_id) != str(user_id):
        return False
    # A disabled tenant is refused by the API base classes with its own code (40003).
    if not user.is_active:
        return False
    changed = user.password_changed_at
    return not (issued_at is not None and changed is not None and issued_at < int(changed.timestamp()))


def session_touch(session: LoginSession) -> None:
    """Slide the session's expiry on activity (written at most once a minute)."""
    now = timezone.now()
    if (now - session.last_activity).total_seconds() < SESSION_TOUCH_INTERVAL:
        return
    expires = now + _session_timeout(session.user.tenant, session.remember_me)
    LoginSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(last_activity=now, expires_at=expires)


def refresh_rotate(*, raw: str) -> dict:
    """Exchange a refresh token for a new pair. The blacklist insert decides: of N parallel
    uses of one refresh token exactly one commits it, the others get an integrity error."""
    try:
        old = RefreshToken(raw)
    except TokenError:
        raise DomainError(ErrorCode.INVALID_TOKEN) from None
    with transaction.atomic():
        outstanding = OutstandingToken.objects.filter(jti=old[jwt_settings.JTI_CLAIM]).first()
        if outstanding is None:
            raise DomainError(ErrorCode.INVALID_TOKEN)
        try:
            with transaction.atomic():
                BlacklistedToken.objects.create(token=outstanding)
        except IntegrityError:
            raise DomainError(ErrorCode.INVALID_TOKEN) from None
        session = LoginSession.objects.select_related("user__tenant").filter(key=old.get("sid") or "").first()
        if not session_is_usable(session, user_id=old.get(jwt_settings.USER_ID_CLAIM), issued_at=old.get("iat")):
            raise DomainError(ErrorCode.INVALID_TOKEN)
        if session.user.tenant_id is not None and not session.user.tenant.is_usable:
            raise DomainError(ErrorCode.TENANT_UNAVAILABLE)
        session.last_activity = timezone.now() - timedelta(seconds=SESSION_TOUCH_INTERVAL)
        session_touch(session)
        return tokens_for_session(session)


def _disconnect_sockets_on_commit(group: str) -> None:
    """Close the live sockets of ``group`` after commit; their owners reconnect and are refused
    if their session ended (portal.realtime.disconnect). If the channel layer is down the close
    is kept and resent, so a socket of an ended session does not stay open."""
    from portal import realtime

    transaction.on_commit(lambda: realtime.disconnect(group, keep=True))


@transaction.atomic
def session_end(*, session: LoginSession, reason: str = SessionEndReason.LOGOUT) -> bool:
    ended = LoginSession.objects.filter(pk=session.pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=reason
    )
    if ended:
        from accounts import authz
        from portal.realtime import session_group, user_group

        authz.invalidate_user(session.user_id)  # the cached permission set is recomputed on next use
        _blacklist_session_tokens(session.key, session.user_id)
        # A plain logout closes the sockets of this session only; the user's other sessions
        # keep theirs. Any other end (forced logout, …) closes all the user's sockets, which
        # reconnect if their own session still holds.
        group = session_group(session.key) if reason == SessionEndReason.LOGOUT else user_group(session.user_id)
        _disconnect_sockets_on_commit(group)
    return bool(ended)


def _blacklist_session_tokens(key: str, user_id) -> None:
    # The session check already refuses these; blacklisting keeps simplejwt's own view consistent.
    outstanding = OutstandingToken.objects.filter(user_id=user_id, token__isnull=False, blacklistedtoken__isnull=True)
    for row in outstanding.only("id", "token"):
        try:
            if RefreshToken(row.token, verify=False).get("sid") == key:
                BlacklistedToken.objects.get_or_create(token=row)
        except TokenError:
            continue


@transaction.atomic
def sessions_end_for_user(*, user: User, reason: str, keep: LoginSession | None = None) -> int:
    from portal.realtime import user_group

    sessions = LoginSession.objects.filter(user=user, ended_at__isnull=True)
    if keep is not None:
        sessions = sessions.exclude(pk=keep.pk)
    ended = sessions.update(ended_at=timezone.now(), end_reason=reason)
    from accounts import authz

    authz.invalidate_user(user.pk)
    _disconnect_sockets_on_commit(user_group(user.pk))
    return ended


# --- Two-factor (TOTP) ------------------------------------------------------------------------------


def mfa_enabled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_verify(*, user: User, code: str, confirmed: bool = True) -> bool:
    """Verify a one-time code with the device row locked: a code is accepted once, and wrong
    codes are throttled (django-otp's exponential delay)."""
    code = (code or "").strip()
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=confirmed).order_by("-id").first()
        if device is None:
            return False
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            raise DomainError(ErrorCode.OTP_THROTTLED)
        if not code.isdigit():
            device.throttle_increment(commit=True)
            return False
        return bool(device.verify_token(code))


def _qr_svg(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@transaction.atomic
def mfa_setup(*, user: User) -> dict:
    """Start enrolment: a fresh unconfirmed device. The secret is returned here, once."""
    if mfa_enabled(user):
        raise DomainError(ErrorCode.CONFLICT, _("Two-factor authentication is already enabled."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    from base64 import b32encode

    uri = device.config_url
    return {"secret": b32encode(device.bin_key).decode(), "otpauth_uri": uri, "qr_svg": _qr_svg(uri)}


def mfa_pending_setup(*, user: User) -> dict | None:
    """The enrolment in progress (same secret and QR code as ``mfa_setup`` showed), so a wrong
    code does not throw the scanned QR code away; ``None`` when none is pending."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None or mfa_enabled(user):
        return None
    from base64 import b32encode

    uri = device.config_url
    return {"secret": b32encode(device.bin_key).decode(), "otpauth_uri": uri, "qr_svg": _qr_svg(uri)}


def mfa_enable(*, user: User, code: str) -> list[str]:
    """Confirm enrolment with a code; returns the first set of recovery codes (shown once)."""
    if mfa_enabled(user):
        raise DomainError(ErrorCode.CONFLICT, _("Two-factor authentication is already enabled."))
    if not TOTPDevice.objects.filter(user=user, confirmed=False).exists():
        raise DomainError(ErrorCode.BAD_REQUEST, _("Start two-factor setup first."))
    if not totp_verify(user=user, code=code, confirmed=False):
        raise DomainError(ErrorCode.INVALID_OTP, field="code")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).update(confirmed=True)
        return recovery_codes_generate(user=user)


# --- Recovery codes ---------------------------------------------------------------------------------

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def _recovery_hash(user_id, code: str) -> str:
    normalised = "".join(c for c in (code or "").lower() if c.isalnum())
    return hmac.new(
        settings.SECRET_KEY.encode(), f"recovery:{user_id}:{normalised}".encode(), hashlib.sha256
    ).hexdigest()


@transaction.atomic
def recovery_codes_generate(*, user: User) -> list[str]:
    """A fresh set of one-time recovery codes; the previous set stops working. The codes are
    returned here, once: only their keyed hashes are stored."""
    from accounts.models import RecoveryCode

    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _j in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_recovery_hash(user.pk, c)) for c in codes])
    return codes


def recovery_code_use(*, user: User, code: str) -> bool:
    """Spend one recovery code: true once per code (a conditional update, so two requests with
    the same code cannot both pass)."""
    from accounts.models import RecoveryCode

    return bool(
        RecoveryCode.objects.filter(user=user, code_hash=_recovery_hash(user.pk, code), used_at__isnull=True).update(
            used_at=timezone.now()
        )
    )


def recovery_codes_left(user: User) -> int:
    from accounts.models import RecoveryCode

    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def looks_like_recovery_code(code: str) -> bool:
    code = (code or "").strip()
    return len(code) > 8 or not code.isdigit()


def second_factor_verify(*, user: User, code: str, info: ClientInfo) -> str | None:
    """Check the code typed at a two-factor step: a TOTP code, or an unused recovery code in its
    place (lost phone). Returns the sign-in method it proves (``password+otp`` or
    ``password+recovery``), or None. Both are single use under concurrency: the TOTP device row
    is locked, and a recovery code is spent by one conditional UPDATE that only one of two racing
    requests can match. Spending a recovery code tells the account's owner (a security notice,
    which nobody can mute)."""
    if not looks_like_recovery_code(code):
        return LoginMethod.PASSWORD_OTP if totp_verify(user=user, code=code) else None
    if not recovery_code_use(user=user, code=code):
        return None
    _tell_recovery_code_used(user=user, info=info)
    return LoginMethod.PASSWORD_RECOVERY


def second_factor_method_of(code: str) -> str:
    """The method a refused second-factor attempt is logged under."""
    return LoginMethod.PASSWORD_RECOVERY if looks_like_recovery_code(code) else LoginMethod.PASSWORD_OTP


def _tell_recovery_code_used(*, user: User, info: ClientInfo) -> None:
    from portal.notifications.models import NotificationType
    from portal.notifications.services import notify

    left = recovery_codes_left(user)
    notify(
        recipient=user,
        type=NotificationType.SECURITY,
        title=_("Signed in with a recovery code"),
        message=_(
            "A recovery code was used to sign in to your account from %(ip)s; %(left)d recovery codes are left. "
            "If this was not you, change your password and sign out your other sessions."
        )
        % {"ip": info.ip_address or "?", "left": left},
        data={"action_url": "/accounts/mfa/"},
    )


def mfa_disable(*, user: User, password: str, code: str) -> None:
    if not mfa_enabled(user):
        raise DomainError(ErrorCode.BAD_REQUEST, _("Two-factor authentication is not enabled."))
    if not user.check_password(password or ""):
        raise DomainError(ErrorCode.INVALID_CREDENTIALS, field="password")
    if not totp_verify(user=user, code=code):
        raise DomainError(ErrorCode.INVALID_OTP, field="code")
    with transaction.atomic():
        from accounts.models import RecoveryCode

        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        trusted_devices_revoke_all(user=user)


# --- Trusted devices --------------------------------------------------------------------------------


@transaction.atomic
def trusted_device_create(*, user: User, info: ClientInfo, device_name: str = "") -> str:
    """Remember this device for ``system.trusted_device.days``; returns the raw token (once)."""
    raw = secrets.token_urlsafe(32)
    days = int(get_config("system.trusted_device.days", tenant=user.tenant))
    TrustedDevice.objects.create(
        tenant=user.tenant,
        user=user,
        token_hash=token_hash(raw),
        device_name=(device_name or info.device_name or "")[:128],
        last_used_at=timezone.now(),
        last_ip=info.ip_address,
        user_agent=info.user_agent,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return raw


def trusted_device_check(*, user: User, raw: str | None, info: ClientInfo) -> bool:
    if not raw:
        return False
    now = timezone.now()
    return bool(
        TrustedDevice.objects.filter(
            user=user, token_hash=token_hash(raw), revoked_at__isnull=True, expires_at__gt=now
        ).update(last_used_at=now, last_ip=info.ip_address, user_agent=info.user_agent)
    )


def trusted_device_revoke(*, device: TrustedDevice) -> None:
    TrustedDevice.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def trusted_devices_revoke_all(*, user: User) -> int:
    return TrustedDevice.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- The second step of a two-factor sign-in ---------------------------------------------------------------


def mfa_challenge_create(*, user: User, info: ClientInfo, extra: dict | None = None) -> str:
    """A short-lived, single-use token proving the password step passed (v1 ``mfa_token``)."""
    raw = secrets.token_urlsafe(32)
    cache.set(f"mfa:{token_hash(raw)}", {"user_id": user.pk, "attempts": 0, **(extra or {})}, timeout=MFA_TOKEN_TTL)
    return raw


def mfa_challenge_verify(*, raw: str, code: str, info: ClientInfo) -> tuple[User, dict]:
    key = f"mfa:{token_hash(raw or '')}"
    state = cache.get(key)
    if state is None:
        raise DomainError(ErrorCode.INVALID_TOKEN, _("The two-factor sign-in has expired; sign in again."))
    user = User.objects.select_related("tenant").filter(pk=state["user_id"]).first()
    if user is None or not user.is_active or (user.tenant_id and not user.tenant.is_usable):
        cache.delete(key)
        raise DomainError(ErrorCode.INVALID_TOKEN)
    # A recovery code stands in for the authenticator (lost phone); it works once.
    method = second_factor_verify(user=user, code=code, info=info)
    if method is None:
        state["attempts"] += 1
        if state["attempts"] >= MFA_TOKEN_MAX_ATTEMPTS:
            cache.delete(key)
        else:
            cache.set(key, state, timeout=MFA_TOKEN_TTL)
        _refuse(ErrorCode.INVALID_OTP, info=info, user=user, method=second_factor_method_of(code), reason="invalid_otp")
    if not cache.delete(key):  # single use, even if two requests raced past the code check
        raise DomainError(ErrorCode.INVALID_TOKEN)
    # ``method``: what the caller records for the session (password+otp or password+recovery).
    return user, {**state, "method": method}


# --- Passwords ------------------------------------------------------------------------------------------


def password_policy_errors(password: str, *, tenant=None) -> list[str]:
    errors = []
    min_length = int(get_config("system.password.min_length", tenant=tenant))
    if len(password or "") < min_length:
        errors.append(_("The password must be at least %(n)d characters long.") % {"n": min_length})
    password = password or ""
    if get_config("system.password.require_uppercase", tenant=tenant) and not any(c.isupper() for c in password):
        errors.append(_("The password must contain an upper-case letter."))
    if get_config("system.password.require_lowercase", tenant=tenant) and not any(c.islower() for c in password):
        errors.append(_("The password must contain a lower-case letter."))
    if get_config("system.password.require_number", tenant=tenant) and not any(c.isdigit() for c in password):
        errors.append(_("The password must contain a digit."))
    if get_config("system.password.require_special", tenant=tenant) and all(c.isalnum() for c in password):
        errors.append(_("The password must contain a special character."))
    return errors


def password_validate(password: str, *, tenant=None, field_name: str = "password") -> None:
    errors = password_policy_errors(password, tenant=tenant)
    if errors:
        raise DomainError(ErrorCode.VALIDATION_FAILED, " ".join(errors), field=field_name)


@transaction.atomic
def password_set(*, user: User, password: str, field_name: str = "password", reset: bool = False) -> None:
    """Change a password under the policy; every session and trusted device of the user ends."""
    password_validate(password, tenant=user.tenant, field_name=field_name)
    user.set_password(password)
    now = timezone.now()
    user.password_changed_at = now
    user.failed_login_count = 0
    user.locked_until = None
    fields = ["password", "password_changed_at", "failed_login_count", "locked_until"]
    if reset:
        user.last_password_reset = now
        fields.append("last_password_reset")
    user.save(update_fields=fields)
    sessions_end_for_user(user=user, reason=SessionEndReason.PASSWORD_CHANGED)
    trusted_devices_revoke_all(user=user)


def password_reset_request(*, email: str, tenant_code: str | None, reset_url: str) -> None:
    """Email a single-use link (valid 30 minutes). Silent when nobody matches: no enumeration."""
    from django.core.mail import send_mail

    from accounts.models import PasswordResetToken

    users = User.objects.select_related("tenant").filter(email=(email or "").strip().lower())
    if tenant_code:
        users = users.filter(tenant__code=tenant_code)
    user = users.first()
    if user is None or not user.is_active or (user.tenant_id and not user.tenant.is_usable):
        return
    raw = secrets.token_urlsafe(32)
    PasswordResetToken.objects.create(
        user=user, token_hash=token_hash(raw), expires_at=timezone.now() + timedelta(minutes=30)
    )
    link = f"{reset_url}?token={raw}"
    subject = _("Reset your password")
    body = _(
        "Open this link within 30 minutes to choose a new password:\n%(link)s\n\n"
        "If you did not ask for this, ignore this email."
    ) % {"link": link}
    recipient = user.email
    transaction.on_commit(lambda: send_mail(subject, body, None, [recipient], fail_silently=True))


@transaction.atomic
def password_reset_confirm(*, raw: str, new_password: str) -> User:
    from accounts.models import PasswordResetToken

    row = (
        PasswordResetToken.objects.select_for_update(of=("self",))
        .select_related("user__tenant")
        .filter(token_hash=token_hash(raw or ""), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if row is None:
        raise DomainError(ErrorCode.INVALID_TOKEN, _("The reset link is invalid or has expired."), field="token")
    password_set(user=row.user, password=new_password, field_name="new_password", reset=True)
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    return row.user


# --- The whole sign-in ----------------------------------------------------------------------------------


@dataclass
class LoginOutcome:
    user: User
    session: LoginSession | None = None
    tokens: dict | None = None
    mfa_token: str | None = None
    trusted_device_token: str | None = None


def login_complete(
    *,
    user: User,
    info: ClientInfo,
    otp_code: str | None = None,
    device_token: str | None = None,
    remember_device: bool = False,
    device_name: str = "",
    channel: str = "api",
    defer_mfa: bool = False,
    remember_me: bool = False,
) -> LoginOutcome:
    """After the password step: decide the second factor, open the session, issue tokens.

    ``defer_mfa`` (v1 login, portal page): a user with two-factor on and no trusted device
    gets an ``mfa_token`` instead of a session. Otherwise (desk) ``otp_code`` is required."""
    try:  # maintenance mode: only those allowed through (admins, allow lists) may sign in
        maintenance.sign_in_refusal(user, info.ip_address)
    except DomainError as exc:
        _refuse(exc.code, info=info, user=user, reason="maintenance", message=exc.message, details=exc.details)
    method = LoginMethod.PASSWORD
    if mfa_enabled(user):
        if trusted_device_check(user=user, raw=device_token, info=info):
            method = LoginMethod.PASSWORD_TRUSTED
        elif otp_code:  # a TOTP code, or a recovery code in its place
            method = second_factor_verify(user=user, code=otp_code, info=info)
            if method is None:
                _refuse(
                    ErrorCode.INVALID_OTP,
                    info=info,
                    user=user,
                    method=second_factor_method_of(otp_code),
                    reason="invalid_otp",
                )
        elif defer_mfa:
            return LoginOutcome(
                user=user, mfa_token=mfa_challenge_create(user=user, info=info, extra={"remember_me": remember_me})
            )
        else:
            _refuse(ErrorCode.MFA_REQUIRED, info=info, user=user, reason="otp_required")
    return login_finish(
        user=user,
        info=info,
        method=method,
        remember_device=remember_device,
        device_name=device_name,
        channel=channel,
        remember_me=remember_me,
    )


def login_finish(
    *, user, info, method, remember_device=False, device_name="", channel="api", remember_me=False
) -> LoginOutcome:
    session = session_open(user=user, method=method, info=info, channel=channel, remember_me=remember_me)
    outcome = LoginOutcome(user=user, session=session)
    if channel == "api":
        outcome.tokens = tokens_for_session(session)
    if remember_device:
        outcome.trusted_device_token = trusted_device_create(user=user, info=info, device_name=device_name)
    return outcome
