"""Vocabularies of the dispatch domain (the v1 contract uses these words as they are)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DispatchType(models.TextChoices):
    INTELLIGENT = "intelligent", _("Intelligent")
    MANUAL = "manual", _("Manual")
    BATCH = "batch", _("Batch")
    AUTO = "auto", _("Automatic on creation")


class DispatchStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class RuleType(models.TextChoices):
    PRIORITY = "priority", _("Priority")
    CUSTOMER = "customer", _("Customer")
    CATEGORY = "category", _("Category")
    TIME = "time", _("Time")
    SKILL = "skill", _("Skill")
    CUSTOM = "custom", _("Custom")


# Built-in strategies of every tenant: code -> (Chinese name, description, weights).
BUILTIN_STRATEGIES = {
    "best_match": (
        "最佳匹配",
        "综合技能、负载、位置等因素选择最佳工程师",
        {"skill_weight": 40, "workload_weight": 25, "location_weight": 20, "performance_weight": 15},
    ),
    "load_balance": (
        "负载均衡",
        "优先考虑工作负载，实现工程师间负载均衡",
        {"skill_weight": 30, "workload_weight": 50, "location_weight": 10, "performance_weight": 10},
    ),
}
DEFAULT_STRATEGY = "best_match"
