"""Vocabularies of the knowledge domain (stored values are the contract's words)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_REVIEW = "pending_review", _("Pending review")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")


class DifficultyLevel(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class ContentType(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown")
    TEXT = "text", _("Plain text")


class ChangeType(models.TextChoices):
    MINOR = "minor", _("Minor change")
    MAJOR = "major", _("Major change")


class ReviewAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted for review")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    ARCHIVE = "archive", _("Archived")


class ReviewType(models.TextChoices):
    PUBLISH = "publish", _("Publish")
    UPDATE = "update", _("Update")


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class SearchSort(models.TextChoices):
    RELEVANCE = "relevance", _("Relevance")
    DATE = "date", _("Date")
    POPULARITY = "popularity", _("Popularity")
    RATING = "rating", _("Rating")


class RecommendationContext(models.TextChoices):
    TICKET = "ticket", _("Ticket")
    CATEGORY = "category", _("Category")
    USER_BEHAVIOR = "user_behavior", _("User behaviour")


DATE_RANGES = {"7d": 7, "30d": 30, "90d": 90, "1y": 365}

# Plain value lists, for the OpenAPI enum names (portal.settings SPECTACULAR ENUM_NAME_OVERRIDES).
DOCUMENT_STATUS_VALUES = DocumentStatus.values
