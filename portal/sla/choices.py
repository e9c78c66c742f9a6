"""Vocabularies of the SLA module (one place, mapped to the contracts elsewhere)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Priority(models.TextChoices):
    """Ticket priority as DESIGN.md names it. The v1 contract says ``medium`` for ``normal``.

    Kept here so the SLA core does not depend on the tickets app; the values must stay equal
    to ``tickets`` priorities (checked when the two are integrated)."""

    LOW = "low", pgettext_lazy("priority", "Low")
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    HIGH = "high", pgettext_lazy("priority", "High")
    URGENT = "urgent", pgettext_lazy("priority", "Urgent")
    CRITICAL = "critical", pgettext_lazy("priority", "Critical")


PRIORITY_ALIASES = {"medium": Priority.NORMAL.value}


def escalated_priority(priority: str) -> str:
    """One step up the priority order (what the ``raise_priority`` escalation does); critical stays."""
    order = Priority.values
    index = order.index(PRIORITY_ALIASES.get(priority, priority))
    return order[min(index + 1, len(order) - 1)]


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (no work)")
    WORKDAY = "workday", _("Make-up workday")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SLATarget(models.TextChoices):
    RESPONSE = "response", _("Response")
    RESOLUTION = "resolution", _("Resolution")


class SLAEventKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")
