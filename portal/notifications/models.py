"""Notifications: what a user is told, how they want to be told, and the delivery outbox.

A ``Notification`` and its ``Delivery`` rows are written in one transaction with the change
that caused them (``portal.notifications.services.notify``); workers deliver from the outbox
afterwards, so a broker or SMTP outage delays delivery but never loses it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.tenancy import TENANT_MODEL, TenantOwnedModel


class NotificationType(models.TextChoices):
    TICKET_ASSIGNED = "ticket_assigned", _("Ticket assigned")
    TICKET_UPDATED = "ticket_updated", _("Ticket updated")
    COMMENT_ADDED = "comment_added", _("Comment added")
    SLA_WARNING = "sla_warning", _("SLA warning")
    SLA_BREACHED = "sla_breached", _("SLA breached")
    ESCALATED = "escalated", _("Ticket escalated")
    ANNOUNCEMENT = "announcement", _("Announcement")
    SYSTEM = "system", _("System message")
    SECURITY = "security", _("Security notice")


class Channel(models.TextChoices):
    WEBSOCKET = "websocket", _("Live push (WebSocket)")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat robot")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class ChatPlatform(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk")
    WECOM = "wecom", _("WeCom")
    FEISHU = "feishu", _("Feishu / Lark")


class Notification(TenantOwnedModel):
    """One message to one user. ``in_app`` is False when the user turned the in-app channel off
    for this type but still wants it by email or chat: the row then exists only to carry the
    outbox and is hidden from the inbox and the unread count."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    type = models.CharField(_("type"), max_length=32, choices=NotificationType.choices)
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    # A plain id rather than a ForeignKey to tickets.Ticket: the ticket domain is being built
    # in parallel and does not exist on this branch yet. The lead turns this into
    # ``ForeignKey("tickets.Ticket", null=True, on_delete=models.SET_NULL, db_constraint=True)``
    # when both land (same column name, ``ticket_id``, so the API code does not change).
    ticket_id = models.BigIntegerField(_("ticket id"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    in_app = models.BooleanField(_("shown in the inbox"), default=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The inbox, the unread filter and the unread count all start with the recipient.
            models.Index(fields=["recipient", "in_app", "read_at", "-created_at"], name="notif_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(TenantOwnedModel):
    """Which channels a user wants for one notification type. Without a row the defaults in
    ``DEFAULT_PREFERENCES`` apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    type = models.CharField(_("type"), max_length=32, choices=NotificationType.choices)
    in_app = models.BooleanField(_("in-app"), default=True)
    email = models.BooleanField(_("email"), default=False)
    chat = models.BooleanField(_("chat robot"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["user_id", "type"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "type"], name="notif_pref_unique_user_type")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.type}"


# (in_app, email, chat) when a user has no row for a type: everything in the inbox; email only
# for what needs action soon; chat robots relay what the tenant subscribed them to.
DEFAULT_PREFERENCES: dict[str, tuple[bool, bool, bool]] = {
    NotificationType.TICKET_ASSIGNED: (True, True, True),
    NotificationType.TICKET_UPDATED: (True, False, True),
    NotificationType.COMMENT_ADDED: (True, False, True),
    NotificationType.SLA_WARNING: (True, True, True),
    NotificationType.SLA_BREACHED: (True, True, True),
    NotificationType.ESCALATED: (True, True, True),
    NotificationType.ANNOUNCEMENT: (True, False, True),
    NotificationType.SYSTEM: (True, False, False),
    NotificationType.SECURITY: (True, True, False),
}

# Types whose in-app and email channels stay on whatever the user stored: a sign-in with a
# recovery code must reach the account's owner even if they muted everything else. The
# preferences page shows them locked and the service refuses to turn them off.
LOCKED_TYPES: frozenset[str] = frozenset({NotificationType.SECURITY})


class ChatRobot(TenantOwnedModel):
    """A group-chat webhook of a tenant (DingTalk, WeCom, Feishu). ``secret`` is stored because
    signing needs it in clear; it is never returned by an API, shown in the admin or logged
    (the WeCom key sits in the URL, so the URL is treated the same way)."""

    name = models.CharField(_("name"), max_length=64)
    platform = models.CharField(_("platform"), max_length=16, choices=ChatPlatform.choices)
    webhook_url = models.URLField(_("webhook URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    types = models.JSONField(_("notification types"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("chat robot")
        verbose_name_plural = _("chat robots")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    def __repr__(self) -> str:  # never the URL or the secret
        return f"<ChatRobot {self.pk} {self.platform}>"

    def receives(self, notification_type: str) -> bool:
        return self.enabled and notification_type in (self.types or [])


class Delivery(models.Model):
    """The outbox: one row per notification, channel and target, written in the notification's
    transaction. Workers claim a pending row under a row lock, send, and mark it sent or
    schedule the next attempt, so each row is delivered once."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # "" for the recipient's sockets, the address for email, "robot:<id>" for a chat robot.
    target = models.CharField(_("target"), max_length=254, blank=True)
    robot = models.ForeignKey(ChatRobot, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel", "target"], name="delivery_unique_target"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.notification_id}:{self.status}"


class EmailTestResult(models.Model):
    """The outcome of the last ``POST admin/email-config/test`` per tenant (null: platform)."""

    tenant = models.OneToOneField(TENANT_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    tested_at = models.DateTimeField(_("tested at"))
    status = models.CharField(_("status"), max_length=16)  # success | failed
    message = models.CharField(_("message"), max_length=500, blank=True)
    tested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-tested_at"]
        verbose_name = _("email test result")
        verbose_name_plural = _("email test results")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], condition=models.Q(tenant__isnull=True), name="email_test_global"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.status}"
