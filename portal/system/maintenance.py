"""Maintenance mode: platform-wide (the super admin) or per tenant (its administrator).

While a window is on — its switch, and now within ``start_time``/``end_time`` when given — the
APIs answer 503 ``MAINTENANCE_MODE`` with the configured message in each contract's envelope
(``portal.api.views.ContractViewMixin``) and pages get the styled 503 page
(:class:`MaintenanceMiddleware`). Who passes:

- the platform super admin, always (they switch it off);
- for a tenant's window, that tenant's administrators (``admin`` role), always;
- anyone whose address is in ``allowed_ips`` (addresses or networks), whose id is in
  ``allowed_users``, or who holds a role in ``bypass_roles``.

The sign-in pages and calls stay reachable: the sign-in service (``accounts``) asks
:func:`sign_in_refusal` and refuses only those who would not pass, so admins can still sign in.
Windows are evaluated on every request against the clock (start and end need no job); the
minute job switches off windows whose end has passed, so reads show them off. Rows are cached
for a few seconds and forgotten on every write.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass

from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.cache import generation_read, generation_write, new_generation
from portal.client import client_ip
from portal.errors import DomainError, ErrorCode
from portal.system import policy
from portal.system.models import MaintenanceWindow

READ = "system:maintenance:read"
UPDATE = "system:maintenance:update"
CACHE_SECONDS = 15
GENERATION_KEY = "portal:maintenance:generation"
TENANT_ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Window:
    """What a request needs to know of a window (cached; no model instance)."""

    tenant_id: int | None
    message: str
    start_time: datetime.datetime | None
    end_time: datetime.datetime | None
    allowed_ips: tuple[str, ...]
    allowed_users: tuple[int, ...]
    bypass_roles: tuple[str, ...]

    def active_at(self, moment) -> bool:
        if self.start_time is not None and moment < self.start_time:
            return False
        return self.end_time is None or moment < self.end_time

    def display_message(self) -> str:
        return self.message or str(ErrorCode.MAINTENANCE_MODE.spec.message)


CACHE_KEY = "portal:maintenance:windows"


def forget() -> None:
    new_generation(GENERATION_KEY)


def switched_on() -> dict:
    """{tenant_id or None: Window} of every window whose switch is on (cached briefly)."""
    generation, cached = generation_read(GENERATION_KEY, CACHE_KEY)
    if cached is not None:
        return cached
    windows = {
        row.tenant_id: Window(
            tenant_id=row.tenant_id,
            message=row.message,
            start_time=row.start_time,
            end_time=row.end_time,
            allowed_ips=tuple(row.allowed_ips or ()),
            allowed_users=tuple(int(u) for u in row.allowed_users or ()),
            bypass_roles=tuple(row.bypass_roles or ()),
        )
        for row in MaintenanceWindow.objects.filter(is_maintenance=True)
    }
    generation_write(CACHE_KEY, generation, windows, CACHE_SECONDS)
    return windows


def _ip_allowed(ip: str | None, allowed: tuple[str, ...]) -> bool:
    if not ip or not allowed:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    for entry in allowed:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def passes(window: Window, user, ip: str | None) -> bool:
    """Whether ``user`` (possibly anonymous) at ``ip`` gets through ``window``."""
    if _ip_allowed(ip, window.allowed_ips):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_platform_admin", False):
        return True
    roles = set(getattr(user, "role_codes", []) or [])
    if window.tenant_id is not None and window.tenant_id == user.tenant_id and TENANT_ADMIN_ROLE in roles:
        return True
    return user.pk in window.allowed_users or bool(roles & set(window.bypass_roles))


def refusal(user, ip: str | None, *, now=None) -> Window | None:
    """The window that shuts ``user`` out now, or None. The platform-wide window first, then
    the user's tenant's (anonymous callers only meet the platform-wide one)."""
    windows = switched_on()
    if not windows:
        return None
    now = now or timezone.now()
    tenant_id = getattr(user, "tenant_id", None) if getattr(user, "is_authenticated", False) else None
    for scope in (None, tenant_id) if tenant_id is not None else (None,):
        window = windows.get(scope)
        if window is not None and window.active_at(now) and not passes(window, user, ip):
            return window
    return None


def raise_if_closed(user, ip: str | None) -> None:
    window = refusal(user, ip)
    if window is not None:
        raise DomainError(ErrorCode.MAINTENANCE_MODE, window.display_message(), details=_details(window))


def sign_in_refusal(user, ip: str | None) -> None:
    """Called by the sign-in service after the password check: refuse (503) a user who would
    not pass an active window; admins and the allow lists get in."""
    raise_if_closed(user, ip)


def _details(window: Window) -> dict:
    from portal.timestamps import iso_utc

    return {"maintenance": True, "start_time": iso_utc(window.start_time), "end_time": iso_utc(window.end_time)}


# --- reads and writes for administrators --------------------------------------------------------


def window_for(user) -> MaintenanceWindow:
    """The window the caller administers (their tenant's, or platform-wide); unsaved when none."""
    policy.require(user, READ)
    tenant = policy.scope_tenant(user)
    row = MaintenanceWindow.objects.select_related("updated_by").filter(tenant=tenant).first()
    return row if row is not None else MaintenanceWindow(tenant=tenant)


def _clean_ips(values) -> list[str]:
    cleaned = []
    for value in values or []:
        text = str(value).strip()
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED,
                _("Not an IP address or network: %(value)s") % {"value": text[:60]},
                field="allowed_ips",
            ) from None
        cleaned.append(text if "/" in text else str(network.network_address))
    return sorted(set(cleaned))


def _clean_users(by, tenant, values) -> list[int]:
    from django.contrib.auth import get_user_model

    ids = sorted({int(v) for v in values or []})
    if not ids:
        return []
    rows = get_user_model().objects.filter(pk__in=ids)
    if tenant is not None:
        rows = rows.filter(tenant=tenant)
    known = set(rows.values_list("pk", flat=True))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("Unknown user: %(ids)s") % {"ids": ", ".join(map(str, unknown))},
            field="allowed_users",
        )
    return ids


@transaction.atomic
def maintenance_set(*, by, data: dict) -> MaintenanceWindow:
    """Switch maintenance on or off, schedule it, set its message and allow lists. With
    ``notify_users`` and the switch on, an announcement (type maintenance) goes out now to
    everyone the window concerns, expiring when the window ends."""
    policy.require(by, UPDATE)
    tenant = policy.scope_tenant(by)
    row = MaintenanceWindow.objects.select_for_update().filter(tenant=tenant).first()
    old = _snapshot(row) if row is not None else None
    if row is None:
        row = MaintenanceWindow(tenant=tenant)
    for name in ("is_maintenance", "start_time", "end_time"):
        if name in data:
            setattr(row, name, data[name])
    if "maintenance_message" in data:
        row.message = (data["maintenance_message"] or "").strip()
    if "allowed_ips" in data:
        row.allowed_ips = _clean_ips(data["allowed_ips"])
    if "allowed_users" in data:
        row.allowed_users = _clean_users(by, tenant, data["allowed_users"])
    if "bypass_roles" in data:
        row.bypass_roles = sorted({str(r).strip() for r in data["bypass_roles"] or [] if str(r).strip()})
    if row.start_time and row.end_time and row.end_time <= row.start_time:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("The end must come after the start."), field="end_time")
    if row.is_maintenance and row.end_time is not None and row.end_time <= timezone.now() and "end_time" in data:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("The end is already past."), field="end_time")
    row.updated_by = by
    row.save()
    if data.get("notify_users") and row.is_maintenance:
        row.announcement = _announce(by, row)
        row.save(update_fields=["announcement"])
    from portal.audit.recorder import note_change

    note_change(
        action=UPDATE,
        resource_type="system_maintenance",
        resource_id=str(tenant.pk) if tenant is not None else "platform",
        description=_("Maintenance mode: %(state)s") % {"state": _("on") if row.is_maintenance else _("off")},
        old_value=old,
        new_value=_snapshot(row),
        tenant=tenant,
        user=by,
    )
    forget()
    transaction.on_commit(forget)
    return row


def _announce(by, row: MaintenanceWindow):
    from django.utils.formats import date_format

    from portal.system.announcements import announcement_create

    def when(value):
        return date_format(timezone.localtime(value), "Y-m-d H:i") if value else "—"

    content = row.message or str(ErrorCode.MAINTENANCE_MODE.spec.message)
    if row.start_time or row.end_time:
        content = f"{content}\n{_('From')} {when(row.start_time)} {_('to')} {when(row.end_time)}"
    return announcement_create(
        by=by,
        data={
            "title": _("Scheduled maintenance"),
            "content": content,
            "type": "maintenance",
            "priority": "high",
            "target_audience": "all",
            "expire_time": row.end_time,
        },
    )


def _snapshot(row: MaintenanceWindow) -> dict:
    from portal.timestamps import iso_utc

    return {
        "is_maintenance": row.is_maintenance,
        "message": row.message,
        "start_time": iso_utc(row.start_time),
        "end_time": iso_utc(row.end_time),
        "allowed_ips": list(row.allowed_ips or []),
        "allowed_users": list(row.allowed_users or []),
        "bypass_roles": list(row.bypass_roles or []),
    }


def windows_close_ended(*, now=None) -> int:
    """Switch off windows whose end has passed (the minute job), so reads show them off."""
    now = now or timezone.now()
    closed = MaintenanceWindow.objects.filter(is_maintenance=True, end_time__lte=now).update(is_maintenance=False)
    if closed:
        forget()
    return closed


# --- pages --------------------------------------------------------------------------------------

# Reachable during maintenance: sign-in (admins must get in), static files, health probes, the
# language switch. The APIs are gated in their base class, after token authentication.
OPEN_PREFIXES = ("/api/", "/static/", "/healthz", "/readyz", "/i18n/", "/favicon.ico", "/admin/login/")
OPEN_URL_NAMES = {"accounts:login", "accounts:login-otp", "accounts:logout"}


class MaintenanceMiddleware:
    """Pages answer the styled 503 page while a window shuts the user out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(OPEN_PREFIXES):
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in OPEN_URL_NAMES:
            return None
        window = refusal(getattr(request, "user", None), client_ip(request))
        if window is None:
            return None
        response = render(request, "system/maintenance_503.html", {"window": window}, status=503)
        if window.end_time is not None:
            seconds = int((window.end_time - timezone.now()).total_seconds())
            if seconds > 0:
                response["Retry-After"] = str(seconds)
        return response
