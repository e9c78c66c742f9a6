"""System configuration: one registry of keys with types, defaults and validation.

``get_config(key, tenant=…)`` returns the typed value: the tenant's override, else the global
row, else the registry default. ``set_config`` validates and stores. Features add their keys
to ``REGISTRY`` here so that every setting is documented in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import DomainError, ErrorCode


@dataclass(frozen=True)
class ConfigSpec:
    key: str
    default: Any
    data_type: str  # string | integer | float | boolean | json
    category: str  # security | notification | ticket | system
    description: str
    minimum: float | None = None
    maximum: float | None = None
    is_sensitive: bool = False
    is_public: bool = False
    tenant_overridable: bool = True

    @property
    def validation_rule(self) -> str:
        parts = []
        if self.minimum is not None:
            parts.append(f"min:{self.minimum:g}")
        if self.maximum is not None:
            parts.append(f"max:{self.maximum:g}")
        return ",".join(parts)


def _specs(*specs: ConfigSpec) -> dict[str, ConfigSpec]:
    return {spec.key: spec for spec in specs}


REGISTRY: dict[str, ConfigSpec] = _specs(
    ConfigSpec("site_name", "IT运维门户", "string", "system", gettext_lazy("Site name"), is_public=True),
    # Sign-in and sessions
    ConfigSpec("system.login.max_attempts", 5, "integer", "security",
               gettext_lazy("Failed sign-ins before the account is locked"), minimum=1, maximum=10),
    ConfigSpec("system.login.lockout_minutes", 30, "integer", "security",
               gettext_lazy("Minutes an account stays locked"), minimum=1, maximum=1440),
    ConfigSpec("login_captcha_enabled", False, "boolean", "security",
               gettext_lazy("Require a captcha at sign-in"), is_public=True),
    ConfigSpec("system.session.timeout", 7200, "integer", "security",
               gettext_lazy("Session timeout in seconds"), minimum=300, maximum=86400),
    ConfigSpec("system.trusted_device.days", 30, "integer", "security",
               gettext_lazy("Days a trusted device skips two-factor"), minimum=1, maximum=365),
    ConfigSpec("system.register.tenant_code", "", "string", "security",
               gettext_lazy("Tenant that desk self-registration joins (empty: registration off)"),
               tenant_overridable=False),
    # Password policy
    ConfigSpec("system.password.min_length", 8, "integer", "security",
               gettext_lazy("Minimum password length"), minimum=6, maximum=128),
    ConfigSpec("system.password.require_uppercase", True, "boolean", "security",
               gettext_lazy("Passwords need an upper-case letter")),
    ConfigSpec("system.password.require_lowercase", True, "boolean", "security",
               gettext_lazy("Passwords need a lower-case letter")),
    ConfigSpec("system.password.require_number", True, "boolean", "security",
               gettext_lazy("Passwords need a digit")),
    ConfigSpec("system.password.require_special", False, "boolean", "security",
               gettext_lazy("Passwords need a special character")),
    # Tickets
    ConfigSpec("max_file_size", 10 * 1024 * 1024, "integer", "ticket",
               gettext_lazy("Largest upload in bytes"), minimum=1024, maximum=1024 * 1024 * 1024),
    # Dispatch
    ConfigSpec("dispatch.auto_dispatch.enabled", False, "boolean", "ticket",
               gettext_lazy("Dispatch new unassigned tickets automatically")),
    ConfigSpec("dispatch.auto_dispatch.strategy", "", "string", "ticket",
               gettext_lazy("Strategy code for automatic dispatch (empty: the default strategy)")),
    # Email (SMTP)
    ConfigSpec("notification.email.enabled", False, "boolean", "notification", gettext_lazy("Send email")),
    ConfigSpec("notification.email.smtp_host", "", "string", "notification", gettext_lazy("SMTP server host")),
    ConfigSpec("notification.email.smtp_port", 25, "integer", "notification",
               gettext_lazy("SMTP server port"), minimum=1, maximum=65535),
    ConfigSpec("notification.email.smtp_username", "", "string", "notification", gettext_lazy("SMTP user name")),
    ConfigSpec("notification.email.smtp_password", "", "string", "notification",
               gettext_lazy("SMTP password"), is_sensitive=True),
    ConfigSpec("notification.email.use_tls", False, "boolean", "notification", gettext_lazy("Use STARTTLS")),
    ConfigSpec("notification.email.use_ssl", False, "boolean", "notification", gettext_lazy("Use SMTP over SSL")),
    ConfigSpec("notification.email.smtp_from", "noreply@ops.local", "string", "notification",
               gettext_lazy("Sender address")),
    ConfigSpec("notification.email.smtp_from_name", "IT运维门户", "string", "notification",
               gettext_lazy("Sender name")),
    ConfigSpec("notification.portal_url", "", "string", "notification",
               gettext_lazy("Portal address used in links of emails and chat messages")),
)  # fmt: skip


def _parse(spec: ConfigSpec, raw: str) -> Any:
    if spec.data_type == "integer":
        return int(raw)
    if spec.data_type == "float":
        return float(raw)
    if spec.data_type == "boolean":
        if raw.strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.strip().lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(raw)
    if spec.data_type == "json":
        return json.loads(raw)
    return raw


def _serialise(spec: ConfigSpec, value: Any) -> str:
    if spec.data_type == "boolean":
        return "true" if value else "false"
    if spec.data_type == "json":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def spec_for(key: str) -> ConfigSpec:
    try:
        return REGISTRY[key]
    except KeyError:
        raise DomainError(ErrorCode.NOT_FOUND, _("Unknown setting: %(key)s") % {"key": key}) from None


def get_config(key: str, *, tenant=None) -> Any:
    """The typed value of ``key`` for ``tenant`` (tenant override → global → default)."""
    from portal.models import SystemConfig

    spec = spec_for(key)
    rows = SystemConfig.objects.filter(key=key, tenant__isnull=True)
    if tenant is not None and spec.tenant_overridable:
        rows = SystemConfig.objects.filter(key=key, tenant=tenant) | rows
    stored = {row.tenant_id: row.value for row in rows}
    raw = stored.get(getattr(tenant, "pk", None), stored.get(None))
    if raw is None:
        return spec.default
    try:
        return _parse(spec, raw)
    except (ValueError, TypeError):
        return spec.default  # a corrupted row must not take the feature down


def validate_config_value(key: str, value: Any) -> Any:
    """Parse and range-check a value for ``key``; raise DomainError (field ``config_value``)."""
    spec = spec_for(key)
    try:
        parsed = _parse(spec, value) if isinstance(value, str) else value
        if spec.data_type == "integer":
            parsed = int(parsed)
    except (ValueError, TypeError):
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, _("Expected a value of type %(type)s.") % {"type": spec.data_type},
            field="config_value",
        ) from None  # fmt: skip
    too_small = spec.minimum is not None and parsed < spec.minimum
    too_large = spec.maximum is not None and parsed > spec.maximum
    if spec.data_type in {"integer", "float"} and (too_small or too_large):
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("The value must be between %(min)s and %(max)s.") % {"min": spec.minimum, "max": spec.maximum},
            field="config_value",
        )
    return parsed


@transaction.atomic
def set_config(key: str, value: Any, *, tenant=None, by=None):
    """Validate and store ``value`` for ``key`` (global when ``tenant`` is None)."""
    from portal.models import SystemConfig

    spec = spec_for(key)
    if tenant is not None and not spec.tenant_overridable:
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("This setting is platform-wide."))
    parsed = validate_config_value(key, value)
    row, _created = SystemConfig.objects.update_or_create(
        tenant=tenant, key=key, defaults={"value": _serialise(spec, parsed), "updated_by": by}
    )
    return row
