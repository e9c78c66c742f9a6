"""System configuration: one registry of typed keys with defaults, validation and sensitivity.

Every setting the product reads is declared here (or registered by its app with
:func:`register`) and read with ``get_config(key, tenant=…)``: the tenant's override, else the
global row, else the default declared in code. Writes go through ``set_config`` /
``set_configs``, which validate against the key's rules, keep a change history
(``portal.models.ConfigChange``, old/new value and reason) and note the change for the audit log.
A value that breaks its rule is refused and nothing is stored; a batch is all-or-nothing.

Types: ``string``, ``integer``, ``float``, ``boolean``, ``json``. Rules: ``required``, ``minimum``
/ ``maximum`` (numbers; for strings the length), ``choices``. ``is_sensitive`` values are masked
whenever they are shown. ``tenant_overridable=False`` keys are platform-wide: only the platform
super admin writes them, and tenants always read the global value.
"""

from __future__ import annotations

import copy
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import DomainError, ErrorCode

MASK = "******"
DATA_TYPES = ("string", "integer", "float", "boolean", "json")

# category -> label (pages group the settings by these, in this order)
CATEGORIES: dict[str, Any] = {
    "system": gettext_lazy("General"),
    "security": gettext_lazy("Security and sign-in"),
    "ticket": gettext_lazy("Tickets"),
    "sla": gettext_lazy("SLA"),
    "dispatch": gettext_lazy("Dispatch"),
    "notification": gettext_lazy("Notifications and email"),
    "monitoring": gettext_lazy("Monitoring and alerts"),
    "maintenance": gettext_lazy("Maintenance and retention"),
}


@dataclass(frozen=True)
class ConfigSpec:
    key: str
    default: Any
    data_type: str  # string | integer | float | boolean | json
    category: str  # a key of CATEGORIES
    description: str
    minimum: float | None = None
    maximum: float | None = None
    is_sensitive: bool = False
    is_public: bool = False
    tenant_overridable: bool = True
    required: bool = False
    choices: tuple = ()

    @property
    def validation_rule(self) -> str:
        """The rule as text, e.g. ``min:1,max:10`` or ``required|in:a,b``."""
        rules = []
        if self.required:
            rules.append("required")
        bounds = []
        if self.minimum is not None:
            bounds.append(f"min:{self.minimum:g}")
        if self.maximum is not None:
            bounds.append(f"max:{self.maximum:g}")
        if bounds:
            rules.append(",".join(bounds))
        if self.choices:
            rules.append("in:" + ",".join(str(c) for c in self.choices))
        return "|".join(rules)

    @property
    def category_label(self):
        return CATEGORIES.get(self.category, self.category)


REGISTRY: dict[str, ConfigSpec] = {}


def register(*specs: ConfigSpec) -> None:
    """Declare keys (apps call this at import time of their ``config`` declarations). A key is
    declared once: redeclaring it identically is a no-op, differently an error."""
    for spec in specs:
        if spec.data_type not in DATA_TYPES:
            raise ValueError(f"{spec.key}: unknown data type {spec.data_type}")
        if spec.category not in CATEGORIES:
            raise ValueError(f"{spec.key}: unknown category {spec.category}")
        existing = REGISTRY.get(spec.key)
        if existing is not None and existing != spec:
            raise ValueError(f"config key {spec.key} is declared twice, differently")
        REGISTRY[spec.key] = spec


def _specs(*specs: ConfigSpec) -> None:
    register(*specs)


_specs(
    ConfigSpec("site_name", "IT运维门户", "string", "system", gettext_lazy("Site name"), is_public=True,
               required=True, maximum=100),
    ConfigSpec("site_logo", "", "string", "system", gettext_lazy("Logo address shown in the portal"),
               is_public=True, maximum=500),
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
    # Sign-in rate limits (platform-wide: they apply before the tenant is known)
    ConfigSpec("system.login.rate_window_seconds", 60, "integer", "security",
               gettext_lazy("Window of the sign-in rate limits, in seconds"), minimum=10, maximum=3600,
               tenant_overridable=False),
    ConfigSpec("system.login.rate_per_ip", 30, "integer", "security",
               gettext_lazy("Sign-in calls one client address may make per window, across all accounts"),
               minimum=1, maximum=10000, tenant_overridable=False),
    ConfigSpec("system.login.rate_per_account", 60, "integer", "security",
               gettext_lazy("Password sign-ins per account name per window, from all addresses"),
               minimum=1, maximum=10000, tenant_overridable=False),
    ConfigSpec("system.register.tenant_code", "", "string", "security",
               gettext_lazy("Tenant that desk self-registration joins (empty: registration off)"),
               tenant_overridable=False, maximum=50),
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
    # SLA without a policy: the response targets a ticket gets while its tenant has no active default
    # SLA policy (a policy's own targets and business calendar win whenever there is one)
    ConfigSpec("sla.fallback.response_minutes.critical", 15, "integer", "sla",
               gettext_lazy("Response target without an SLA policy, critical priority (minutes)"),
               minimum=1, maximum=43200),
    ConfigSpec("sla.fallback.response_minutes.urgent", 30, "integer", "sla",
               gettext_lazy("Response target without an SLA policy, urgent priority (minutes)"),
               minimum=1, maximum=43200),
    ConfigSpec("sla.fallback.response_minutes.high", 60, "integer", "sla",
               gettext_lazy("Response target without an SLA policy, high priority (minutes)"),
               minimum=1, maximum=43200),
    ConfigSpec("sla.fallback.response_minutes.normal", 240, "integer", "sla",
               gettext_lazy("Response target without an SLA policy, normal priority (minutes)"),
               minimum=1, maximum=43200),
    ConfigSpec("sla.fallback.response_minutes.low", 480, "integer", "sla",
               gettext_lazy("Response target without an SLA policy, low priority (minutes)"),
               minimum=1, maximum=43200),
    ConfigSpec("sla.fallback.warning_share", 0.8, "float", "sla",
               gettext_lazy("Share of a target after which a warning is raised, without an SLA policy"),
               minimum=0.05, maximum=0.95),
    # Dispatch
    ConfigSpec("dispatch.auto_dispatch.enabled", False, "boolean", "dispatch",
               gettext_lazy("Dispatch new unassigned tickets automatically")),
    ConfigSpec("dispatch.auto_dispatch.strategy", "", "string", "dispatch",
               gettext_lazy("Strategy code for automatic dispatch (empty: the default strategy)")),
    # Email (SMTP)
    ConfigSpec("notification.email.enabled", False, "boolean", "notification", gettext_lazy("Send email")),
    ConfigSpec("notification.email.smtp_host", "", "string", "notification", gettext_lazy("SMTP server host"),
               maximum=255),
    ConfigSpec("notification.email.smtp_port", 25, "integer", "notification",
               gettext_lazy("SMTP server port"), minimum=1, maximum=65535),
    ConfigSpec("notification.email.smtp_username", "", "string", "notification", gettext_lazy("SMTP user name"),
               maximum=255),
    ConfigSpec("notification.email.smtp_password", "", "string", "notification",
               gettext_lazy("SMTP password"), is_sensitive=True, maximum=255),
    ConfigSpec("notification.email.use_tls", False, "boolean", "notification", gettext_lazy("Use STARTTLS")),
    ConfigSpec("notification.email.use_ssl", False, "boolean", "notification", gettext_lazy("Use SMTP over SSL")),
    ConfigSpec("notification.email.smtp_from", "noreply@ops.local", "string", "notification",
               gettext_lazy("Sender address"), maximum=255),
    ConfigSpec("notification.email.smtp_from_name", "IT运维门户", "string", "notification",
               gettext_lazy("Sender name"), maximum=100),
    ConfigSpec("notification.portal_url", "", "string", "notification",
               gettext_lazy("Portal address used in links of emails and chat messages"), maximum=500),
    # Live updates (WebSocket) the channel layer refused after commit are resent for this long; older
    # ones are dropped, since clients reload their state when they reconnect anyway
    ConfigSpec("notification.live_retry.max_age_seconds", 600, "integer", "notification",
               gettext_lazy("Seconds a live update that could not be pushed is kept for resending"),
               minimum=30, maximum=86400, tenant_overridable=False),
    # Retention (cleanup jobs)
    ConfigSpec("system.audit.retention_days", 180, "integer", "maintenance",
               gettext_lazy("Days audit log entries are kept"), minimum=7, maximum=3650,
               tenant_overridable=False),
    ConfigSpec("system.login_sessions.retention_days", 30, "integer", "maintenance",
               gettext_lazy("Days ended sign-in sessions and sign-in logs are kept"), minimum=1, maximum=3650,
               tenant_overridable=False),
    ConfigSpec("system.backup.retention_count", 7, "integer", "maintenance",
               gettext_lazy("Database backups kept (older ones are deleted)"), minimum=1, maximum=365,
               tenant_overridable=False),
    # Monitoring thresholds (percent) and the Prometheus scrape token
    ConfigSpec("monitor.alert.cpu_percent", 90, "integer", "monitoring",
               gettext_lazy("CPU usage that raises an alert (%)"), minimum=1, maximum=100, tenant_overridable=False),
    ConfigSpec("monitor.alert.memory_percent", 90, "integer", "monitoring",
               gettext_lazy("Memory usage that raises an alert (%)"), minimum=1, maximum=100,
               tenant_overridable=False),
    ConfigSpec("monitor.alert.disk_percent", 90, "integer", "monitoring",
               gettext_lazy("Disk usage that raises an alert (%)"), minimum=1, maximum=100, tenant_overridable=False),
    ConfigSpec("monitor.alert.error_rate_percent", 5, "float", "monitoring",
               gettext_lazy("Share of failed requests (5xx) that raises an alert (%)"), minimum=0.1, maximum=100,
               tenant_overridable=False),
    ConfigSpec("monitor.alert.p95_latency_ms", 2000, "integer", "monitoring",
               gettext_lazy("95th percentile response time that raises an alert (ms)"), minimum=10,
               maximum=600000, tenant_overridable=False),
    ConfigSpec("monitor.metrics_token", "", "string", "monitoring",
               gettext_lazy("Bearer token a Prometheus scraper presents at /metrics (empty: staff only)"),
               is_sensitive=True, tenant_overridable=False, maximum=200),
)  # fmt: skip


def _parse(spec: ConfigSpec, raw: str) -> Any:
    if spec.data_type == "integer":
        return int(raw.strip())
    if spec.data_type == "float":
        return float(raw.strip())
    if spec.data_type == "boolean":
        if raw.strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.strip().lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(raw)
    if spec.data_type == "json":
        return json.loads(raw)
    return raw


def serialise(spec: ConfigSpec, value: Any) -> str:
    """The stored (and contract) text of a typed value."""
    if spec.data_type == "boolean":
        return "true" if value else "false"
    if spec.data_type == "json":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


_serialise = serialise


def spec_for(key: str) -> ConfigSpec:
    try:
        return REGISTRY[key]
    except (KeyError, TypeError):
        raise DomainError(ErrorCode.CONFIG_KEY_NOT_FOUND, _("Unknown setting: %(key)s") % {"key": key}) from None


_snapshot: ContextVar[dict | None] = ContextVar("config_snapshot", default=None)


@contextmanager
def config_snapshot():
    """Within the block, each (key, tenant) is read from the database once: for an operation
    that repeats one step many times (a batch dispatch assigns hundreds of tickets, each
    reading the same SLA settings). A setting written inside the block is not seen by it.
    Nested blocks share the outermost one's reads."""
    if _snapshot.get() is not None:
        yield
        return
    token = _snapshot.set({})
    try:
        yield
    finally:
        _snapshot.reset(token)


def get_config(key: str, *, tenant=None) -> Any:
    """The typed value of ``key`` for ``tenant`` (tenant override → global → default)."""
    memo = _snapshot.get()
    if memo is None:
        return _read_config(key, tenant)
    memo_key = (key, getattr(tenant, "pk", None))
    if memo_key not in memo:
        memo[memo_key] = _read_config(key, tenant)
    value = memo[memo_key]
    return copy.deepcopy(value) if isinstance(value, (dict, list)) else value  # callers may change theirs


def _read_config(key: str, tenant) -> Any:
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


def _invalid(message, key: str | None = None) -> DomainError:
    details = {"config_key": key} if key else None
    return DomainError(ErrorCode.CONFIG_INVALID_VALUE, message, field="config_value", details=details)


def validate_config_value(key: str, value: Any) -> Any:
    """Parse and check a value for ``key`` against its type and rules; return the typed value or
    raise DomainError (``CONFIG_INVALID_VALUE``, field ``config_value``)."""
    spec = spec_for(key)
    wrong_type = _invalid(_("Expected a value of type %(type)s.") % {"type": spec.data_type}, key)
    try:
        if spec.data_type == "json":
            parsed = json.loads(value) if isinstance(value, str) else value
            json.dumps(parsed)
        elif isinstance(value, str):
            parsed = _parse(spec, value)
        elif spec.data_type == "string":
            if isinstance(value, (dict, list, bool)) or value is None:
                raise wrong_type
            parsed = str(value)
        elif spec.data_type == "boolean":
            if not isinstance(value, (bool, int)) or value not in (0, 1):
                raise wrong_type
            parsed = bool(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise wrong_type
        elif spec.data_type == "integer":
            if int(value) != value:
                raise wrong_type
            parsed = int(value)
        else:
            parsed = float(value)
    except (ValueError, TypeError, OverflowError):
        raise wrong_type from None
    if spec.data_type == "float" and parsed != parsed:  # NaN
        raise wrong_type
    if spec.data_type == "integer" and abs(parsed) > 2**53:
        raise wrong_type
    if spec.required and (parsed is None or (isinstance(parsed, str) and not parsed.strip())):
        raise _invalid(_("This setting may not be empty."), key)
    if spec.data_type in {"integer", "float"}:
        too_small = spec.minimum is not None and parsed < spec.minimum
        too_large = spec.maximum is not None and parsed > spec.maximum
        if too_small or too_large:
            raise _invalid(
                _("The value must be between %(min)s and %(max)s.")
                % {"min": f"{spec.minimum:g}" if spec.minimum is not None else "-∞",
                   "max": f"{spec.maximum:g}" if spec.maximum is not None else "∞"},
                key,
            )  # fmt: skip
    if spec.data_type == "string" and spec.maximum is not None and len(parsed) > spec.maximum:
        raise _invalid(_("At most %(max)d characters.") % {"max": int(spec.maximum)}, key)
    if spec.choices and parsed not in spec.choices:
        raise _invalid(_("Choose one of: %(choices)s.") % {"choices": ", ".join(str(c) for c in spec.choices)}, key)
    return parsed


def shown_value(spec: ConfigSpec, raw: str | None) -> str:
    """The text shown for a stored value: sensitive values are masked (empty stays empty)."""
    if raw is None:
        raw = serialise(spec, spec.default)
    if spec.is_sensitive and raw:
        return MASK
    return raw


@dataclass(frozen=True)
class ConfigEntry:
    """One key as seen from a tenant (or globally): the effective value and where it comes from."""

    spec: ConfigSpec
    raw: str  # stored text, unmasked: present with ``display``
    level: str  # "tenant" | "global" | "default"
    row: Any  # the SystemConfig row the value comes from, or None for the default

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def display(self) -> str:
        return shown_value(self.spec, self.raw)

    @property
    def value(self) -> Any:
        try:
            return _parse(self.spec, self.raw)
        except (ValueError, TypeError):
            return self.spec.default

    @property
    def config_level(self) -> str:
        """The contract's word: ``tenant`` for a tenant override, else ``global``."""
        return "tenant" if self.level == "tenant" else "global"


def config_entries(*, tenant=None) -> list[ConfigEntry]:
    """Every registered key with its effective value for ``tenant`` (None: the global view), in
    category then key order. Two queries, whatever the number of keys."""
    from portal.models import SystemConfig

    rows = SystemConfig.objects.filter(tenant__isnull=True).select_related("updated_by")
    globals_ = {row.key: row for row in rows}
    overrides = {}
    if tenant is not None:
        overrides = {row.key: row for row in SystemConfig.objects.filter(tenant=tenant).select_related("updated_by")}
    order = list(CATEGORIES)
    entries = []
    for spec in sorted(REGISTRY.values(), key=lambda s: (order.index(s.category), s.key)):
        row, level = None, "default"
        if spec.tenant_overridable and spec.key in overrides:
            row, level = overrides[spec.key], "tenant"
        elif spec.key in globals_:
            row, level = globals_[spec.key], "global"
        raw = row.value if row is not None else serialise(spec, spec.default)
        entries.append(ConfigEntry(spec, raw, level, row))
    return entries


def config_entry(key: str, *, tenant=None) -> ConfigEntry:
    spec_for(key)
    return next(entry for entry in config_entries(tenant=tenant) if entry.key == key)


def _store(spec: ConfigSpec, parsed: Any, *, tenant, by, reason: str):
    from portal.models import ConfigChange, SystemConfig

    new_raw = serialise(spec, parsed)
    row = SystemConfig.objects.select_for_update().filter(tenant=tenant, key=spec.key).first()
    if row is not None:
        old_raw = row.value
    else:  # the value in effect before this write: the global row (for a tenant) or the default
        fallback = SystemConfig.objects.filter(tenant__isnull=True, key=spec.key).first() if tenant else None
        old_raw = fallback.value if fallback is not None else serialise(spec, spec.default)
    if row is None:
        row = SystemConfig.objects.create(tenant=tenant, key=spec.key, value=new_raw, updated_by=by)
    elif old_raw != new_raw:
        row.value, row.updated_by = new_raw, by
        row.save(update_fields=["value", "updated_by", "updated_at"])
    if old_raw == new_raw:
        return row, None
    change = ConfigChange.objects.create(
        tenant=tenant,
        key=spec.key,
        old_value=shown_value(spec, old_raw),
        new_value=shown_value(spec, new_raw),
        reason=(reason or "")[:500],
        changed_by=by,
    )
    return row, change


@transaction.atomic
def set_config(key: str, value: Any, *, tenant=None, by=None, reason: str = ""):
    """Validate and store ``value`` for ``key`` (global when ``tenant`` is None); returns the row."""
    rows = set_configs({key: value}, tenant=tenant, by=by, reason=reason)
    return rows[0] if rows else None


@transaction.atomic
def set_configs(values: dict[str, Any], *, tenant=None, by=None, reason: str = "") -> list:
    """Validate every value first, then store them all, or none: one bad key or value refuses the
    whole batch (``details.errors`` lists each problem). A masked sensitive value (``******``)
    means "unchanged". Every real change leaves a ConfigChange row and an audit note."""
    from portal.audit.recorder import mark_sensitive, note_change

    errors, parsed = [], {}
    for key, value in values.items():
        try:
            spec = spec_for(key)
            if spec.is_sensitive:
                mark_sensitive()
            if tenant is not None and not spec.tenant_overridable:
                raise DomainError(
                    ErrorCode.CONFIG_PLATFORM_ONLY,
                    _("%(key)s is platform-wide; only the platform administrator changes it.") % {"key": key},
                    field="config_key",
                )
            if spec.is_sensitive and value == MASK:
                continue
            parsed[key] = validate_config_value(key, value)
        except DomainError as exc:
            errors.append((key, exc))
    if errors:
        if len(errors) == 1 and len(values) == 1:
            raise errors[0][1]
        first = errors[0][1]
        raise DomainError(
            first.code,
            _("%(count)d setting(s) were refused; nothing was changed.") % {"count": len(errors)},
            field="configs",
            # each item is the contract's field error ({field, message}), naming the key twice so
            # that clients of either shape find it
            details={"errors": [{"field": key, "config_key": key, "message": str(exc.message)} for key, exc in errors]},
        )
    rows, old, new = [], {}, {}
    for key, value in parsed.items():
        spec = REGISTRY[key]
        row, change = _store(spec, value, tenant=tenant, by=by, reason=reason)
        rows.append(row)
        if change is not None:
            old[key], new[key] = change.old_value, change.new_value
    if new:
        keys = ", ".join(new)
        single = len(new) == 1
        note_change(
            action="system:config:update",
            resource_type="system_config",
            resource_id=keys if single else "",
            description=_("Updated settings: %(keys)s") % {"keys": keys},
            old_value=old[keys] if single else old,
            new_value=new[keys] if single else new,
            tenant=tenant,
            user=by,
            reason=reason,
        )
    return rows
