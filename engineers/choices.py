"""Vocabularies of the engineers domain (one place; the v1 contract uses these words as they are)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OnlineStatus(models.TextChoices):
    ONLINE = "online", _("Online")
    BUSY = "busy", _("Busy")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    LIMITED = "limited", _("Limited")
    UNAVAILABLE = "unavailable", _("Unavailable")


class EngineerLevel(models.TextChoices):
    JUNIOR = "junior", _("Junior")
    INTERMEDIATE = "intermediate", _("Intermediate")
    SENIOR = "senior", _("Senior")
    EXPERT = "expert", _("Expert")
    LEAD = "lead", _("Lead")


class ContractType(models.TextChoices):
    FULL_TIME = "full_time", _("Full time")
    PART_TIME = "part_time", _("Part time")
    CONTRACTOR = "contractor", _("Contractor")
    INTERN = "intern", _("Intern")
    OUTSOURCED = "outsourced", _("Outsourced")


class EmploymentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PROBATION = "probation", _("On probation")
    ON_LEAVE = "on_leave", _("On leave")
    INACTIVE = "inactive", _("Inactive")


class PreferredContact(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")


class AssessmentType(models.TextChoices):
    SELF = "self", _("Self assessment")
    PEER = "peer", _("Peer review")
    MANAGER = "manager", _("Manager assessment")
    EXAM = "exam", _("Exam")
    PRACTICAL = "practical", _("Practical test")


# The words of the v1 ``status`` filter (§6A.1.1): active, inactive, busy, offline.
# ``active`` = employed and working; ``inactive`` = not working (on leave, left); ``busy`` and
# ``offline`` are online states.
LIST_STATUS_WORDS = ["active", "inactive", "busy", "offline", "online", "away"]

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

SKILL_LEVEL_NAMES = {
    1: _("Beginner"),
    2: _("Intermediate"),
    3: _("Advanced"),
    4: _("Expert"),
    5: _("Master"),
}
