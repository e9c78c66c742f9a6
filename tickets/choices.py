"""Vocabularies of the tickets domain, and the ONE table that maps them to each contract's words.

Canonical values are what the database stores. ``STATUS_WORDS`` / ``PRIORITY_WORDS`` say how
each contract speaks them (DESIGN.md, "Canonical vocabulary"); every adapter goes through the
helpers below instead of writing its own ``if``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    PAUSED = "paused", _("Paused")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class TicketType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    REQUEST = "request", _("Service request")
    PROBLEM = "problem", _("Problem")
    CHANGE = "change", _("Change")
    COMPLAINT = "complaint", _("Complaint")
    CONSULTATION = "consultation", _("Consultation")


class TicketSource(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    API = "api", _("API")
    MOBILE = "mobile", _("Mobile")


class AttachmentKind(models.TextChoices):
    ATTACHMENT = "attachment", _("Attachment")
    DOCUMENT = "document", _("Document")
    AVATAR = "avatar", _("Avatar")


OPEN_STATUSES = frozenset({TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, TicketStatus.PAUSED})
DONE_STATUSES = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.CANCELLED})
PRIORITY_RANK = {p: i for i, p in enumerate(TicketPriority.values)}

# canonical -> (Portal API v1 word, Ticket Desk word)
STATUS_WORDS: dict[str, tuple[str, str]] = {
    TicketStatus.NEW: ("pending", "open"),
    TicketStatus.ASSIGNED: ("assigned", "open"),
    TicketStatus.IN_PROGRESS: ("in_progress", "in_progress"),
    TicketStatus.PAUSED: ("paused", "pending"),
    TicketStatus.RESOLVED: ("resolved", "resolved"),
    TicketStatus.CLOSED: ("closed", "closed"),
    TicketStatus.CANCELLED: ("cancelled", "cancelled"),
}
# canonical -> (v1 word emitted, extra v1 words accepted); the desk uses canonical priorities.
PRIORITY_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    TicketPriority.LOW: ("low", ()),
    TicketPriority.NORMAL: ("medium", ("normal",)),
    TicketPriority.HIGH: ("high", ()),
    TicketPriority.URGENT: ("urgent", ()),
    TicketPriority.CRITICAL: ("critical", ()),
}

V1, DESK = "v1", "desk"


def status_word(status: str, contract: str) -> str:
    v1, desk = STATUS_WORDS[status]
    return v1 if contract == V1 else desk


def statuses_for_word(word: str, contract: str) -> list[str]:
    """Every canonical status a contract word stands for (desk ``open`` is new + assigned)."""
    index = 0 if contract == V1 else 1
    return [canonical for canonical, words in STATUS_WORDS.items() if words[index] == word]


def status_from_word(word: str, contract: str, *, assigned: bool) -> str | None:
    """The status a client asks for: desk ``open`` means back to the queue of whoever holds it
    (assigned when there is an assignee, new otherwise)."""
    candidates = statuses_for_word(word, contract)
    if not candidates:
        return None
    if len(candidates) > 1:
        return TicketStatus.ASSIGNED if assigned else TicketStatus.NEW
    return candidates[0]


def status_words(contract: str) -> list[str]:
    index = 0 if contract == V1 else 1
    return list(dict.fromkeys(words[index] for words in STATUS_WORDS.values()))


def priority_word(priority: str, contract: str) -> str:
    return PRIORITY_WORDS[priority][0] if contract == V1 else priority


def priority_from_word(word: str, contract: str) -> str | None:
    if contract != V1:
        return word if word in TicketPriority.values else None
    for canonical, (emitted, accepted) in PRIORITY_WORDS.items():
        if word == emitted or word in accepted:
            return canonical
    return None


def priority_words(contract: str) -> list[str]:
    if contract != V1:
        return list(TicketPriority.values)
    words = []
    for emitted, accepted in PRIORITY_WORDS.values():
        words += [emitted, *accepted]
    return words


# Word lists named in the OpenAPI documents (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
DESK_STATUS_WORDS = status_words(DESK)
V1_STATUS_WORDS = status_words(V1)
V1_PRIORITY_WORDS = priority_words(V1)
COMMENT_TYPES = ["internal", "public"]
PRIORITY_VALUES = list(TicketPriority.values)
TYPE_VALUES = list(TicketType.values)
SOURCE_VALUES = list(TicketSource.values)
ATTACHMENT_KIND_VALUES = list(AttachmentKind.values)
