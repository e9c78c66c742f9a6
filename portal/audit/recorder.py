"""Collects what one request changed and writes it as ONE audit row.

``AuditMiddleware`` opens a collector for every mutating request; services call
:func:`note_change` to say which resource they changed and its old and new value, and the
Django admin's LogEntry rows are noted the same way. The middleware then writes a single row
for the request with all of it. Outside a request (a job, the shell) ``note_change`` writes its
own row at once (after commit), with source ``system``.
"""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

logger = logging.getLogger("portal.audit")

MASK = "******"
# Body keys whose values are never stored (matched as substrings, case-insensitive).
SECRET_KEYS = re.compile(
    r"pass(word)?|secret|token|otp|captcha|api[_-]?key|credential|private|^code$|verification|csrf", re.I
)
MAX_STORED = 4000  # characters of a masked request body kept


@dataclass
class Collector:
    notes: list[dict] = field(default_factory=list)
    action: str = ""  # the API operation's permission code, set by the API base class
    module: str = ""
    sensitive: bool = False  # the body carries a secret the key names do not reveal: store no values


_current: ContextVar[Collector | None] = ContextVar("audit_collector", default=None)


def start() -> Any:
    return _current.set(Collector())


def stop(token) -> Collector | None:
    collector = _current.get()
    _current.reset(token)
    return collector


def current() -> Collector | None:
    return _current.get()


def set_operation(action: str) -> None:
    """Called by the API base class once the operation's permission code is known."""
    collector = _current.get()
    if collector is not None and action:
        collector.action = action


def mark_sensitive() -> None:
    """The current request writes a secret (e.g. a sensitive setting): its body values are not kept."""
    collector = _current.get()
    if collector is not None:
        collector.sensitive = True


def mask_all(data: Any, depth: int = 0) -> Any:
    """The body's shape with every value masked (keys kept)."""
    if depth > 6:
        return "…"
    if isinstance(data, dict):
        return {str(k)[:100]: mask_all(v, depth + 1) for k, v in list(data.items())[:100]}
    if isinstance(data, list):
        return [mask_all(v, depth + 1) for v in data[:100]]
    return MASK


def mask(data: Any, depth: int = 0) -> Any:
    """A copy of a request body with every secret-looking key's value masked."""
    if depth > 6:
        return "…"
    if isinstance(data, dict):
        return {
            str(k)[:100]: (MASK if SECRET_KEYS.search(str(k)) and v not in ("", None) else mask(v, depth + 1))
            for k, v in list(data.items())[:100]
        }
    if isinstance(data, list):
        return [mask(v, depth + 1) for v in data[:100]]
    if isinstance(data, str):
        return data[:1000]
    return data


def note_change(
    *,
    action: str,
    resource_type: str,
    resource_id: str = "",
    description: str = "",
    old_value: Any = None,
    new_value: Any = None,
    tenant=None,
    user=None,
    reason: str = "",
) -> None:
    """Record that ``resource`` changed. Inside a request it joins the request's audit row;
    otherwise it becomes a row of its own once the transaction commits."""
    note = {
        "action": action,
        "resource_type": resource_type,
        "resource_id": str(resource_id or "")[:255],
        "description": str(description or "") + (f" ({reason})" if reason else ""),
        "old_value": old_value,
        "new_value": new_value,
    }
    collector = _current.get()
    if collector is not None:
        collector.notes.append(note)
        return
    tenant_id = getattr(tenant, "pk", tenant)
    user_id = getattr(user, "pk", None)
    username = getattr(user, "username", "") or ""

    def write():
        from portal.audit.models import AuditLog, AuditResult, AuditSource

        AuditLog.objects.create(
            tenant_id=tenant_id,
            user_id=user_id,
            username=username,
            source=AuditSource.SYSTEM,
            result=AuditResult.SUCCESS,
            **note,
        )

    transaction.on_commit(write)


def merged(notes: list[dict]) -> dict:
    """The row fields that one or several notes contribute."""
    if not notes:
        return {}
    if len(notes) == 1:
        return dict(notes[0])
    first = notes[0]
    return {
        "action": first["action"],
        "resource_type": first["resource_type"],
        "resource_id": ",".join(n["resource_id"] for n in notes if n["resource_id"])[:255],
        "description": "; ".join(n["description"] for n in notes if n["description"]),
        "old_value": [n["old_value"] for n in notes],
        "new_value": [n["new_value"] for n in notes],
    }


def connect_admin_log() -> None:
    """Back-office actions: each LogEntry Django's admin writes becomes a note of the request."""
    from django.contrib.admin.models import LogEntry
    from django.db.models.signals import post_save

    def on_log_entry(sender, instance: LogEntry, created: bool, **kwargs):
        if not created:
            return
        verb = {1: "create", 2: "update", 3: "delete"}.get(instance.action_flag, "change")
        model = instance.content_type.model if instance.content_type_id else "object"
        note_change(
            action=f"admin:{model}:{verb}",
            resource_type=model,
            resource_id=instance.object_id or "",
            description=f"{instance.object_repr} {instance.get_change_message()}".strip()[:1000],
            user=instance.user,
        )

    post_save.connect(on_log_entry, sender=LogEntry, dispatch_uid="audit-admin-log-entry")
