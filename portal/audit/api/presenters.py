"""How an audit row looks in each of the three audit operations."""

from __future__ import annotations

import json

from portal.timestamps import iso_utc


def _text(value) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def v1_log(row) -> dict:
    return {
        "id": row.pk,
        "user_id": row.user_id,
        "username": row.username,
        "action": row.action,
        "resource": row.resource_type,
        "resource_id": row.resource_id,
        "details": row.description or f"{row.method} {row.path}".strip(),
        "ip_address": row.ip_address,
        "user_agent": row.user_agent,
        "created_at": iso_utc(row.created_at),
    }


def v1_admin_log(row) -> dict:
    return {
        "log_id": row.pk,
        "user_id": row.user_id,
        "username": row.username,
        "tenant_id": row.tenant_id,
        "action_type": row.action,
        "resource_type": row.resource_type,
        "resource_id": row.resource_id,
        "action_description": row.description or f"{row.method} {row.path}".strip(),
        "old_value": _text(row.old_value),
        "new_value": _text(row.new_value),
        "result": row.result,
        "method": row.method,
        "path": row.path,
        "status_code": row.status_code,
        "latency_ms": row.latency_ms,
        "ip_address": row.ip_address,
        "user_agent": row.user_agent,
        "request_id": row.request_id,
        "created_at": iso_utc(row.created_at),
    }


def desk_log(row) -> dict:
    return {
        "id": row.pk,
        "created_at": iso_utc(row.created_at),
        "user_id": row.user_id,
        "username": row.username,
        "role": row.role,
        "action": f"{row.method} {row.path}" if row.method else row.action,
        "method": row.method,
        "path": row.path,
        "status_code": row.status_code,
        "client_ip": row.ip_address,
        "latency_ms": row.latency_ms,
        "result": row.result,
    }
