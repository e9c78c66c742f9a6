"""How the system administration pages show codes, moments and figures to people."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.timesince import timesince
from django.utils.translation import gettext

from portal.system import monitoring
from portal.system.ops_models import RunStatus

register = template.Library()


@register.filter
def health_label(code):
    """``healthy`` / ``degraded`` / ``unhealthy`` / ``not_configured`` → the reader's words."""
    return monitoring.HEALTH_LABELS.get(code, code)


@register.filter
def service_label(code):
    return monitoring.SERVICE_LABELS.get(code, code)


@register.filter
def environment_label(code):
    return monitoring.ENVIRONMENT_LABELS.get(code, code)


@register.filter
def run_status_label(code):
    """A task run's status (``success`` …) → the reader's words."""
    try:
        return RunStatus(code).label
    except ValueError:
        return code


@register.filter
def task_label(name):
    """A shipped schedule's name in the reader's language; a typed name as typed."""
    return gettext(name) if name else name


@register.filter
def moment(value):
    """An ISO 8601 string (what the v1 presenters answer) → an aware datetime for ``|date``."""
    if not value or isinstance(value, datetime.datetime):
        return value
    parsed = parse_datetime(str(value))
    return timezone.localtime(parsed) if parsed is not None else None


@register.filter
def seconds_span(seconds):
    """``93784`` → "1 day, 2 hours" (translated)."""
    if seconds is None:
        return ""
    now = timezone.now()
    return timesince(now - datetime.timedelta(seconds=int(seconds)), now)


@register.filter
def percent(fraction, digits=2):
    """``0.0123`` → ``1.23``."""
    if fraction is None:
        return None
    return round(float(fraction) * 100, int(digits))


@register.filter
def ms_seconds(ms):
    """Milliseconds → seconds with two decimals (a 62 ms run is 0.06 s, not 0)."""
    if ms is None:
        return None
    return f"{ms / 1000:.2f}"
