"""Reads of the one audit log, scoped: the platform administrator sees everything, anyone else
only their own tenant's rows."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from portal.audit.models import AuditLog
from portal.errors import DomainError, ErrorCode


def audit_logs_for(user):
    rows = AuditLog.objects.select_related("user")
    if getattr(user, "is_platform_admin", False):
        return rows
    tenant_id = getattr(user, "tenant_id", None)
    if tenant_id is None:
        return rows.none()
    return rows.filter(tenant_id=tenant_id)


def parse_time(value: str, field: str, *, end: bool = False):
    """RFC 3339 or ``YYYY-MM-DD`` (a date as an end bound includes the whole day)."""
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is None:
                raise ValueError(value)
            moment = datetime.datetime.combine(day, datetime.time.min)
            if end:
                moment += datetime.timedelta(days=1) - datetime.timedelta(microseconds=1)
    except ValueError:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Use RFC 3339 or YYYY-MM-DD."), field=field) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def filtered(rows, *, start=None, end=None, user_id=None, action="", resource="", result="", role="",
             method="", status=None, keyword=""):  # fmt: skip
    if start is not None:
        rows = rows.filter(created_at__gte=start)
    if end is not None:
        rows = rows.filter(created_at__lte=end)
    if user_id is not None:
        rows = rows.filter(user_id=user_id)
    if action:
        rows = rows.filter(action=action)
    if resource:
        rows = rows.filter(resource_type=resource)
    if result:
        rows = rows.filter(result=result)
    if role:
        rows = rows.filter(role=role)
    if method:
        rows = rows.filter(method=method.upper())
    if status is not None:
        rows = rows.filter(status_code=status)
    if keyword:
        rows = rows.filter(Q(username__icontains=keyword) | Q(path__icontains=keyword) | Q(action__icontains=keyword))
    return rows
