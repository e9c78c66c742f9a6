"""Every read of the notifications domain; a user only ever reads their own."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.notifications.models import (
    DEFAULT_PREFERENCES,
    LOCKED_TYPES,
    ChatRobot,
    EmailTestResult,
    Notification,
    NotificationPreference,
    NotificationType,
)

#: v1 ``type`` words (system, ticket, alert, announcement) → our notification types.
V1_CATEGORIES: dict[str, tuple[str, ...]] = {
    "ticket": (NotificationType.TICKET_ASSIGNED, NotificationType.TICKET_UPDATED, NotificationType.COMMENT_ADDED),
    "alert": (NotificationType.SLA_WARNING, NotificationType.SLA_BREACHED, NotificationType.ESCALATED),
    "announcement": (NotificationType.ANNOUNCEMENT,),
    "system": (NotificationType.SYSTEM, NotificationType.SECURITY),
}
V1_CATEGORY_OF = {t: category for category, types in V1_CATEGORIES.items() for t in types}
V1_PRIORITY_OF = {
    NotificationType.SLA_BREACHED: "urgent",
    NotificationType.SECURITY: "high",
    NotificationType.ESCALATED: "high",
    NotificationType.SLA_WARNING: "high",
    NotificationType.TICKET_ASSIGNED: "medium",
}


def inbox_for(user, queryset: QuerySet | None = None) -> QuerySet:
    """``user``'s inbox, newest first (``queryset`` lets API views pass their tenant-scoped one)."""
    rows = Notification.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated:
        return rows.none()
    return rows.filter(recipient=user, tenant_id=user.tenant_id, in_app=True).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return inbox_for(user).filter(read_at__isnull=True).count()


def preferences_for(user) -> list[dict]:
    """Every type with the user's effective channels (stored row or default); ``locked`` types
    keep in-app and email on whatever is stored."""
    stored = {row.type: row for row in NotificationPreference.objects.filter(user=user)}
    out = []
    for value, label in NotificationType.choices:
        row = stored.get(value)
        in_app, email, chat = (row.in_app, row.email, row.chat) if row else DEFAULT_PREFERENCES[value]
        locked = value in LOCKED_TYPES
        if locked:
            in_app, email = True, True
        out.append(
            {"type": value, "name": str(label), "in_app": in_app, "email": email, "chat": chat, "locked": locked}
        )
    return out


def chat_robots_available(user) -> bool:
    """Whether ``user``'s tenant has an enabled group-chat robot (the chat channel can matter)."""
    return ChatRobot.objects.for_user(user).filter(enabled=True).exists()


def last_email_test(tenant) -> EmailTestResult | None:
    return EmailTestResult.objects.filter(tenant=tenant).first()
