"""Announcements: compose, target, schedule; shown as a banner (or popup) to the targeted users
and sent to them as notifications when published (and by email with ``is_email_notify``).

Who writes: the platform super admin (``tenant`` None: may target everyone, chosen tenants or
chosen roles anywhere) and a tenant administrator (their own tenant only). Who sees: a signed-in
user whose tenant and roles the announcement targets, between ``publish_time`` and
``expire_time`` (evaluated on read, so a banner never outlives its expiry), until they dismiss
it. The minute job :func:`announcements_tick` moves the status (draft → published → expired)
and sends the notifications once, when an announcement is published.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import shared_task
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import DomainError, ErrorCode
from portal.system import policy
from portal.system.models import (
    Announcement,
    AnnouncementAudience,
    AnnouncementDismissal,
    AnnouncementStatus,
)

logger = logging.getLogger(__name__)

READ = "system:announcement:read"
CREATE = "system:announcement:create"
PLATFORM_ROLE = "super_admin"


# --- reads --------------------------------------------------------------------------------------


def announcements_for(user, *, status: str = "", type: str = "", audience: str = ""):
    """The announcements an administrator manages: the platform admin sees every one, a tenant
    administrator their tenant's."""
    policy.require(user, READ)
    rows = Announcement.objects.select_related("created_by")
    if not getattr(user, "is_platform_admin", False):
        rows = rows.filter(tenant=policy.scope_tenant(user))
    if status:
        rows = rows.filter(status=status)
    if type:
        rows = rows.filter(type=type)
    if audience:
        rows = rows.filter(target_audience=audience)
    return rows


def _role_codes(user) -> set[str]:
    return set(getattr(user, "role_codes", []) or [])


def targets(announcement: Announcement, user) -> bool:
    """Whether ``announcement`` is meant for ``user`` (tenant and roles; times aside)."""
    tenant_id = getattr(user, "tenant_id", None)
    if announcement.tenant_id is not None and announcement.tenant_id != tenant_id:
        return False
    if announcement.target_tenants and tenant_id not in announcement.target_tenants:
        return False
    return not announcement.target_roles or bool(_role_codes(user) & set(announcement.target_roles))


CACHE_KEY = "portal:announcements:live"
CACHE_SECONDS = 30


def forget() -> None:
    cache.delete(CACHE_KEY)


def _live() -> list[Announcement]:
    """Every announcement not expired yet (cached briefly, forgotten on each write): most pages
    then cost no query for the banner when nothing is announced."""
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = list(
            Announcement.objects.exclude(status=AnnouncementStatus.EXPIRED).order_by("-publish_time", "-pk")[:200]
        )
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    return rows


def visible_announcements(user, *, now: datetime.datetime | None = None) -> list[Announcement]:
    """What the portal shell shows ``user`` now: targeted, between publish and expiry, not
    dismissed. Highest priority first."""
    if not getattr(user, "is_authenticated", False):
        return []
    now = now or timezone.now()
    shown = [
        row
        for row in _live()
        if row.publish_time <= now and (row.expire_time is None or row.expire_time > now) and targets(row, user)
    ]
    if not shown:
        return []
    dismissed = set(
        AnnouncementDismissal.objects.filter(user=user, announcement_id__in=[a.pk for a in shown]).values_list(
            "announcement_id", flat=True
        )
    )
    order = {"urgent": 0, "high": 1, "medium": 2, "low": 3}
    shown = [a for a in shown if a.pk not in dismissed]
    return sorted(shown, key=lambda a: (order.get(a.priority, 9), -a.publish_time.timestamp()))


def recipients(announcement: Announcement):
    """Active tenant users the announcement targets (platform accounts get no notifications)."""
    rows = get_user_model().objects.filter(status="active", tenant__isnull=False)
    if announcement.tenant_id is not None:
        rows = rows.filter(tenant_id=announcement.tenant_id)
    if announcement.target_tenants:
        rows = rows.filter(tenant_id__in=announcement.target_tenants)
    if announcement.target_roles:
        rows = rows.filter(roles__code__in=announcement.target_roles, roles__is_active=True).distinct()
    return rows.order_by("pk")


# --- writes -------------------------------------------------------------------------------------


def _invalid(message, field: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_FAILED, message, field=field)


def _clean_targets(by, audience: str, tenant_ids: list[int], roles: list[str]) -> tuple[list[int], list[str]]:
    tenant_ids = sorted({int(t) for t in tenant_ids or []})
    roles = sorted({str(r).strip() for r in roles or [] if str(r).strip()})
    if audience == AnnouncementAudience.ALL:
        return [], []
    if audience == AnnouncementAudience.TENANT:
        if not tenant_ids:
            raise _invalid(_("Choose at least one tenant."), "target_tenants")
        if getattr(by, "is_platform_admin", False):
            known = set(
                apps.get_model("tenants", "Tenant").objects.filter(pk__in=tenant_ids).values_list("pk", flat=True)
            )
            unknown = [t for t in tenant_ids if t not in known]
            if unknown:
                raise _invalid(_("Unknown tenant: %(ids)s") % {"ids": ", ".join(map(str, unknown))}, "target_tenants")
        elif tenant_ids != [by.tenant_id]:
            raise DomainError(ErrorCode.NOT_FOUND, _("The tenant does not exist."))
        return tenant_ids, []
    if not roles:
        raise _invalid(_("Choose at least one role."), "target_roles")
    if not getattr(by, "is_platform_admin", False) and tenant_ids and tenant_ids != [by.tenant_id]:
        raise DomainError(ErrorCode.NOT_FOUND, _("The tenant does not exist."))
    return (tenant_ids if getattr(by, "is_platform_admin", False) else []), roles


@transaction.atomic
def announcement_create(*, by, data: dict[str, Any]) -> Announcement:
    """Store an announcement; published at once (with its notifications) when ``publish_time``
    is empty or past, otherwise left for the minute job."""
    policy.require(by, CREATE)
    owner = policy.scope_tenant(by)
    now = timezone.now()
    publish_time = data.get("publish_time") or now
    expire_time = data.get("expire_time")
    if expire_time is not None and expire_time <= publish_time:
        raise _invalid(_("The expiry must come after the publish time."), "expire_time")
    if expire_time is not None and expire_time <= now:
        raise _invalid(_("The expiry is already past."), "expire_time")
    audience = data.get("target_audience") or AnnouncementAudience.ALL
    tenant_ids, roles = _clean_targets(by, audience, data.get("target_tenants"), data.get("target_roles"))
    announcement = Announcement.objects.create(
        tenant=owner,
        title=data["title"].strip(),
        content=data["content"].strip(),
        type=data.get("type") or "system",
        priority=data.get("priority") or "medium",
        target_audience=audience,
        target_tenants=tenant_ids,
        target_roles=roles,
        publish_time=publish_time,
        expire_time=expire_time,
        is_popup=bool(data.get("is_popup")),
        is_email_notify=bool(data.get("is_email_notify")),
        created_by=by,
    )
    from portal.audit.recorder import note_change

    note_change(
        action=CREATE,
        resource_type="system_announcement",
        resource_id=str(announcement.pk),
        description=_("Announcement: %(title)s") % {"title": announcement.title},
        new_value={"title": announcement.title, "audience": audience, "publish_time": publish_time.isoformat()},
        tenant=owner,
        user=by,
    )
    if publish_time <= now:
        announcement_publish(announcement=announcement)
    forget()
    transaction.on_commit(forget)
    return announcement


@transaction.atomic
def announcement_publish(*, announcement: Announcement) -> int:
    """Publish once: mark it published and notify every targeted user, by email too when
    ``is_email_notify`` (the notification outbox delivers it after commit through the delivery
    task). Idempotent (the row is locked and re-read; an already published one is left alone).
    Returns notifications sent."""
    from portal.notifications.models import NotificationType
    from portal.notifications.services import notify_many

    row = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if row.status != AnnouncementStatus.DRAFT:
        return 0
    row.status, row.published_at = AnnouncementStatus.PUBLISHED, timezone.now()
    row.save(update_fields=["status", "published_at"])
    announcement.status, announcement.published_at = row.status, row.published_at
    transaction.on_commit(forget)
    sent = notify_many(
        recipients=recipients(row),
        type=NotificationType.ANNOUNCEMENT,
        title=row.title,
        message=row.content,
        data={"announcement_id": row.pk, "action_url": "/notifications/", "priority": row.priority},
        actor=row.created_by,
        force_email=row.is_email_notify,  # mailed after commit, from the outbox, once per user
    )
    return len(sent)


@transaction.atomic
def announcement_dismiss(*, user, announcement_id: int) -> None:
    """Hide a banner for ``user``; an announcement they cannot see is a 404."""
    shown = {a.pk for a in visible_announcements(user)}
    if announcement_id not in shown:
        if not AnnouncementDismissal.objects.filter(announcement_id=announcement_id, user=user).exists():
            raise DomainError(ErrorCode.ANNOUNCEMENT_NOT_FOUND)
        return
    AnnouncementDismissal.objects.get_or_create(announcement_id=announcement_id, user=user)


def announcements_tick(*, now: datetime.datetime | None = None) -> dict:
    """The minute job: publish what is due (with notifications), expire what is past."""
    now = now or timezone.now()
    published = 0
    due = Announcement.objects.filter(status=AnnouncementStatus.DRAFT, publish_time__lte=now)
    for announcement in due.exclude(expire_time__lte=now).order_by("publish_time", "pk"):
        announcement_publish(announcement=announcement)
        published += 1
    expired = Announcement.objects.exclude(status=AnnouncementStatus.EXPIRED).filter(expire_time__lte=now)
    expired_count = expired.update(status=AnnouncementStatus.EXPIRED)
    forget()
    from portal.system import maintenance

    closed = maintenance.windows_close_ended(now=now)
    return {"published": published, "expired": expired_count, "maintenance_closed": closed}


@shared_task(name="system.announcements_tick", ignore_result=True)
def announcements_tick_task() -> dict:
    """Thin and idempotent; scheduled every minute (``expire_seconds`` 50)."""
    return announcements_tick()
