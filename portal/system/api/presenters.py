"""How system administration looks in each contract (plain functions over loaded rows)."""

from __future__ import annotations

from portal.config import ConfigEntry, get_config, serialise
from portal.timestamps import iso_utc


def display_name(user) -> str:
    if user is None:
        return ""
    return getattr(user, "real_name", "") or user.get_full_name() or user.username


def user_ref(user) -> dict | None:
    if user is None:
        return None
    avatar = getattr(user, "avatar", None)
    return {"id": user.pk, "name": display_name(user), "avatar": getattr(avatar, "url", None) or (avatar or None)}


def v1_config(entry: ConfigEntry) -> dict:
    spec, row = entry.spec, entry.row
    return {
        "config_id": row.pk if row is not None else None,
        "config_key": spec.key,
        "config_value": entry.display,
        "config_level": entry.config_level,
        "category": spec.category,
        "description": str(spec.description),
        "data_type": spec.data_type,
        "validation_rule": spec.validation_rule,
        "is_sensitive": spec.is_sensitive,
        "default_value": "******" if spec.is_sensitive and spec.default else serialise(spec, spec.default),
        "tenant_overridable": spec.tenant_overridable,
        "updated_by": user_ref(row.updated_by) if row is not None else None,
        "updated_at": iso_utc(row.updated_at) if row is not None else None,
    }


def desk_config(entry: ConfigEntry) -> dict:
    return {
        "key": entry.key,
        "value": entry.display,
        "description": str(entry.spec.description),
        "type": entry.spec.data_type,
        "is_public": entry.spec.is_public,
    }


def desk_config_updated(entry: ConfigEntry) -> dict:
    updated_at = iso_utc(entry.row.updated_at) if entry.row else None
    return {"key": entry.key, "value": entry.display, "updated_at": updated_at}


# ``config/system`` keys -> registry keys (the documented subset, typed)
SYSTEM_CONFIG_KEYS = {
    "site_name": "site_name",
    "site_logo": "site_logo",
    "login_captcha_enabled": "login_captcha_enabled",
    "session_timeout": "system.session.timeout",
}
PASSWORD_POLICY_KEYS = {
    "min_length": "system.password.min_length",
    "require_uppercase": "system.password.require_uppercase",
    "require_lowercase": "system.password.require_lowercase",
    "require_number": "system.password.require_number",
    "require_special": "system.password.require_special",
}


def v1_system_config(tenant) -> dict:
    data = {name: get_config(key, tenant=tenant) for name, key in SYSTEM_CONFIG_KEYS.items()}
    data["password_policy"] = {name: get_config(key, tenant=tenant) for name, key in PASSWORD_POLICY_KEYS.items()}
    return data


def system_config_values(body: dict) -> dict:
    """A ``PUT config/system`` body as registry keys and values."""
    values = {SYSTEM_CONFIG_KEYS[name]: value for name, value in body.items() if name in SYSTEM_CONFIG_KEYS}
    for name, value in (body.get("password_policy") or {}).items():
        values[PASSWORD_POLICY_KEYS[name]] = value
    return values


def v1_module(spec, row) -> dict:
    return {
        "module_code": spec.code,
        "module_name": str(spec.name),
        "module_version": spec.version,
        "status": row.status if row is not None else "enabled",
        "tenant_id": row.tenant_id if row is not None else None,
        "description": str(spec.description),
        "dependencies": list(spec.dependencies),
        "can_disable": spec.can_disable,
        "config_options": {**spec.config_options, **(row.config_options if row is not None else {})},
        "last_updated": iso_utc(row.updated_at) if row is not None else None,
        "updated_by": display_name(row.updated_by) if row is not None and row.updated_by else None,
    }


def v1_announcement(row) -> dict:
    creator = row.created_by
    return {
        "id": row.pk,
        "title": row.title,
        "content": row.content,
        "type": row.type,
        "priority": row.priority,
        "status": row.status,
        "target_audience": row.target_audience,
        "target_tenants": list(row.target_tenants or []),
        "target_roles": list(row.target_roles or []),
        "publish_time": iso_utc(row.publish_time),
        "expire_time": iso_utc(row.expire_time),
        "is_popup": row.is_popup,
        "is_email_notify": row.is_email_notify,
        "tenant_id": row.tenant_id,
        "created_by": {"id": creator.pk, "name": display_name(creator)} if creator is not None else None,
        "created_at": iso_utc(row.created_at),
    }


def v1_maintenance(row, *, now) -> dict:
    return {
        "is_maintenance": row.is_maintenance,
        "is_active": row.active_at(now),
        "maintenance_message": row.message,
        "start_time": iso_utc(row.start_time),
        "end_time": iso_utc(row.end_time),
        "allowed_ips": list(row.allowed_ips or []),
        "allowed_users": list(row.allowed_users or []),
        "bypass_roles": list(row.bypass_roles or []),
        "tenant_id": row.tenant_id,
        "announcement_id": row.announcement_id,
        "last_updated": iso_utc(row.updated_at) if row.pk else None,
    }
