"""Every write of the notifications domain.

Other domains call ``notify``/``notify_many`` inside their own transaction; the notification
and its outbox rows commit (or roll back) with the change that caused them. Delivery happens
after commit, from the outbox, by ``deliver_delivery`` (one row, claimed under a lock).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.config import get_config
from portal.errors import DomainError, ErrorCode
from portal.notifications import senders
from portal.notifications.models import (
    DEFAULT_PREFERENCES,
    LOCKED_TYPES,
    Channel,
    ChatRobot,
    Delivery,
    DeliveryStatus,
    EmailTestResult,
    Notification,
    NotificationPreference,
    NotificationType,
)

logger = logging.getLogger(__name__)

#: The on-commit task normally delivers within a second; the retry job only touches a new
#: row after this grace period, so it does not race the first attempt for nothing.
FIRST_RETRY_AFTER = timedelta(seconds=30)
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
MAX_ATTEMPTS = 10


# --- Preferences ----------------------------------------------------------------------------


def channel_preferences(user, notification_type: str) -> tuple[bool, bool, bool]:
    """(in_app, email, chat) for ``user`` and ``notification_type``, defaults when no row.
    Locked types (``LOCKED_TYPES``) always keep in-app and email on."""
    row = NotificationPreference.objects.filter(user=user, type=notification_type).first()
    stored = {(user.pk, notification_type): (row.in_app, row.email, row.chat)} if row is not None else {}
    return _preferences(stored, user.pk, notification_type)


@transaction.atomic
def preferences_update(*, user, changes: list[dict]) -> None:
    """Store ``[{"type", "in_app"?, "email"?, "chat"?}, …]`` for ``user``. Unknown types are
    refused, and so is turning off in-app or email for a locked type (nothing is stored then)."""
    valid = set(NotificationType.values)
    for change in changes:
        if change.get("type") not in valid:
            raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown notification type."), field="type")
        if change["type"] in LOCKED_TYPES and (change.get("in_app") is False or change.get("email") is False):
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, _("Security notices cannot be turned off."), field="preferences"
            )
    for change in changes:
        in_app, email, chat = channel_preferences(user, change["type"])
        NotificationPreference.objects.update_or_create(
            user=user,
            type=change["type"],
            defaults={
                "tenant_id": user.tenant_id,
                "in_app": change.get("in_app", in_app),
                "email": change.get("email", email),
                "chat": change.get("chat", chat),
            },
        )


# --- Creating notifications -----------------------------------------------------------------


def _kick_delivery(notification_id: int) -> None:
    """Runs after commit. If the broker is down ``.delay`` raises (after ~0.6 s): nothing is
    lost, the retry job delivers from the outbox once the first-retry grace has passed."""
    from portal.notifications.tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id)
    except Exception as exc:  # noqa: BLE001 - any broker failure; the outbox keeps the work
        logger.warning("notification %s: could not queue delivery (%s); retry job will deliver", notification_id,
                       type(exc).__name__)  # fmt: skip


@dataclass(frozen=True)
class Notice:
    """One thing to tell one user (the arguments of ``notify``)."""

    recipient: object
    type: str
    title: str
    message: str
    ticket_id: int | None = None
    data: dict | None = None
    actor: object = None
    force_email: bool = False


@transaction.atomic
def notify(
    *,
    recipient,
    type: str,
    title: str,
    message: str,
    ticket_id: int | None = None,
    data: dict | None = None,
    actor=None,
    force_email: bool = False,
) -> Notification | None:
    """Tell ``recipient`` something, through the channels they want for ``type``.

    ``force_email`` adds the email channel whatever their preference for ``type`` (an
    announcement its author chose to send by email); it still needs an address and email
    enabled for the recipient's tenant (``notification.email.enabled``).

    Returns the stored notification, or None when nothing is to be sent (every channel off, the
    recipient is the actor, inactive, or a platform account without a tenant)."""
    notice = Notice(recipient, type, title, message, ticket_id, data, actor, force_email)
    return notify_all([notice])[0]


@transaction.atomic
def notify_many(
    *,
    recipients: Iterable,
    type: str,
    title: str,
    message: str,
    ticket_id: int | None = None,
    data: dict | None = None,
    actor=None,
    force_email: bool = False,
) -> list[Notification]:
    """``notify`` for several users (each once, even if listed twice), in one transaction."""
    unique = {recipient.pk: recipient for recipient in recipients if recipient is not None}
    notices = [Notice(r, type, title, message, ticket_id, data, actor, force_email) for r in unique.values()]
    return [n for n in notify_all(notices) if n is not None]


@transaction.atomic
def notify_all(notices: list[Notice]) -> list[Notification | None]:
    """``notify`` for each notice, with a number of queries that does not grow with the
    notices (one preference read, chat robots and the email switch once per tenant, one INSERT
    of notifications, one of their outbox rows); one entry per notice, None where nothing is
    sent."""
    for notice in notices:
        if notice.type not in NotificationType.values:
            raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown notification type."), field="type")
    wanted = [
        n
        for n in notices
        if n.recipient is not None
        and n.recipient.tenant_id is not None
        and n.recipient.is_active
        and (n.actor is None or getattr(n.actor, "pk", None) != n.recipient.pk)  # nobody is told what they did
    ]
    stored = {
        (row.user_id, row.type): (row.in_app, row.email, row.chat)
        for row in NotificationPreference.objects.filter(
            user_id__in={n.recipient.pk for n in wanted}, type__in={n.type for n in wanted}
        )
    } if wanted else {}  # fmt: skip
    robots_of: dict[int, list] = {}
    email_on: dict[int, bool] = {}
    planned = []  # (notice, notification, outbox rows)
    for notice in wanted:
        recipient = notice.recipient
        in_app, email, chat = _preferences(stored, recipient.pk, notice.type)
        email = email or notice.force_email
        robots = []
        if chat:
            if recipient.tenant_id not in robots_of:
                robots_of[recipient.tenant_id] = list(
                    ChatRobot.objects.filter(tenant_id=recipient.tenant_id, enabled=True)
                )
            robots = [r for r in robots_of[recipient.tenant_id] if r.receives(notice.type)]
        email_to = ""
        if email and recipient.email:
            if recipient.tenant_id not in email_on:
                email_on[recipient.tenant_id] = bool(get_config("notification.email.enabled", tenant=recipient.tenant))
            email_to = recipient.email if email_on[recipient.tenant_id] else ""
        if not (in_app or email_to or robots):
            continue
        payload = dict(notice.data or {})
        if notice.actor is not None:
            payload.setdefault("actor", {"id": notice.actor.pk, "username": getattr(notice.actor, "username", "")})
        notification = Notification(
            tenant_id=recipient.tenant_id,
            recipient=recipient,
            type=notice.type,
            title=notice.title[:200],
            message=notice.message,
            ticket_id=notice.ticket_id,
            data=payload,
            in_app=in_app,
        )
        outbox = []
        if in_app:
            outbox.append((Channel.WEBSOCKET, "", None))
        if email_to:
            outbox.append((Channel.EMAIL, email_to, None))
        outbox.extend((Channel.CHAT, f"robot:{robot.pk}", robot) for robot in robots)
        planned.append((notice, notification, outbox))
    Notification.objects.bulk_create([notification for _notice, notification, _outbox in planned])
    first_retry = timezone.now() + FIRST_RETRY_AFTER
    Delivery.objects.bulk_create(
        [
            Delivery(
                notification=notification, channel=channel, target=target, robot=robot, next_attempt_at=first_retry
            )
            for _notice, notification, outbox in planned
            for channel, target, robot in outbox
        ]
    )
    ids = [notification.pk for _notice, notification, _outbox in planned]
    if ids:

        def kick_deliveries() -> None:
            for notification_id in ids:
                _kick_delivery(notification_id)

        transaction.on_commit(kick_deliveries, robust=True)
    made = {id(notice): notification for notice, notification, _outbox in planned}
    return [made.get(id(notice)) for notice in notices]


def _preferences(stored: dict, user_id: int, notification_type: str) -> tuple[bool, bool, bool]:
    in_app, email, chat = stored.get(
        (user_id, notification_type), DEFAULT_PREFERENCES.get(notification_type, (True, False, False))
    )
    if notification_type in LOCKED_TYPES:
        return True, True, chat
    return in_app, email, chat


@transaction.atomic
def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s unread notifications read (all, or those of ``ids``); other users'
    ids are ignored. Returns how many changed."""
    rows = Notification.objects.filter(recipient=user, tenant_id=user.tenant_id, in_app=True, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


# --- Delivering -----------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """30 s, 60 s, 2 min, 4 min … capped at one hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _send(delivery: Delivery) -> None:
    notification = delivery.notification
    if delivery.channel == Channel.WEBSOCKET:
        senders.push_websocket(notification)
    elif delivery.channel == Channel.EMAIL:
        senders.send_email(notification, delivery.target)
    elif delivery.channel == Channel.CHAT:
        if delivery.robot is None or not delivery.robot.enabled:
            raise senders.DeliveryError("chat robot removed or disabled")
        senders.post_to_robot(delivery.robot, notification)
    else:
        raise senders.DeliveryError(f"unknown channel {delivery.channel}")


def deliver_delivery(delivery_id: int, *, due_only: bool = False) -> str | None:
    """Deliver one outbox row exactly once.

    The row is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and only while it is still
    pending: a second worker racing on the same row skips it (locked) or finds it sent. The
    lock is held while sending, so the short channel timeouts bound the transaction. Returns
    the new status, or None when there was nothing to do."""
    with transaction.atomic():
        rows = Delivery.objects.select_for_update(skip_locked=True).filter(
            pk=delivery_id, status=DeliveryStatus.PENDING
        )
        if due_only:
            rows = rows.filter(next_attempt_at__lte=timezone.now())
        delivery = rows.first()
        if delivery is None:
            return None
        delivery = Delivery.objects.select_related("notification__tenant", "notification__recipient", "robot").get(
            pk=delivery.pk
        )
        delivery.attempts += 1
        try:
            _send(delivery)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded and retried
            delivery.last_error = _error_text(exc)
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.status = DeliveryStatus.FAILED
            else:
                delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
            logger.warning(
                "delivery %s (%s, notification %s) attempt %s failed: %s",
                delivery.pk, delivery.channel, delivery.notification_id, delivery.attempts, delivery.last_error,
            )  # fmt: skip
        else:
            delivery.status = DeliveryStatus.SENT
            delivery.sent_at = timezone.now()
            delivery.last_error = ""
        delivery.save(update_fields=["attempts", "status", "next_attempt_at", "last_error", "sent_at", "updated_at"])
        return delivery.status


def _error_text(exc: Exception) -> str:
    if isinstance(exc, senders.DeliveryError):
        return str(exc)[:500]
    # Unknown exceptions may embed URLs (a WeCom key) or hosts: keep the type and a short text.
    return f"{type(exc).__name__}: {str(exc)[:200]}"[:500]


def deliver_notification_now(notification_id: int) -> list[str | None]:
    """First attempt for every pending row of one notification (the on-commit task)."""
    ids = list(
        Delivery.objects.filter(notification_id=notification_id, status=DeliveryStatus.PENDING)
        .filter(Q(attempts=0) | Q(next_attempt_at__lte=timezone.now()))
        .values_list("pk", flat=True)
    )
    return [deliver_delivery(pk) for pk in ids]


def retry_due_deliveries(*, limit: int = 500, time_budget: float = 45.0) -> int:
    """The periodic safety net: deliver pending rows whose ``next_attempt_at`` has passed
    (a lost on-commit task, a failed attempt whose backoff elapsed). Safe to run twice at once.

    Stops after ``time_budget`` seconds (below the 60 s schedule) so that a dead SMTP server,
    whose every attempt waits for its timeout, cannot make one run outlast the next; the rest
    is picked up by the next run. Returns how many rows were sent."""
    started = time.monotonic()
    ids = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in ids:
        if time.monotonic() - started > time_budget:
            logger.info("notification retry: time budget spent, %s rows left for the next run", len(ids) - sent)
            break
        sent += deliver_delivery(pk, due_only=True) == DeliveryStatus.SENT
    return sent


# --- Email configuration test ---------------------------------------------------------------


def email_config_test(*, tenant, to: str, by) -> EmailTestResult:
    """Send a test mail through the configured SMTP server and record the outcome. Not atomic
    on purpose: the result is stored whether the send worked or not."""
    try:
        senders.send_test_email(tenant=tenant, to=to)
    except senders.DeliveryError as exc:
        status, message = "failed", str(exc)
    except Exception as exc:  # noqa: BLE001 - report, don't 500
        status, message = "failed", _error_text(exc)
    else:
        status, message = "success", ""
    result, _created = EmailTestResult.objects.update_or_create(
        tenant=tenant, defaults={"tested_at": timezone.now(), "status": status, "message": message, "tested_by": by}
    )
    return result
