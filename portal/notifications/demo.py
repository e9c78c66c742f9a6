"""Demo notifications for the demo users (idempotent: keyed on recipient + title)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

DEPENDS_ON = ["accounts"]

# (username, type, title, message, read?). Only notices about no object: the ticket notices
# of the demo come from the seeded tickets themselves (real numbers, real links); samples that
# named made-up tickets ("TK-DEMO-001") pointed at nothing.
SAMPLES = [
    ("admin", "announcement", "系统维护通知", "本周六 22:00-24:00 进行系统维护，期间服务可能中断", False),
]


def seed(ctx) -> None:
    from portal.notifications.models import Notification

    now = timezone.now()
    created = 0
    for tenant_code in ctx.tenants:
        for index, (username, type_, title, message, read) in enumerate(SAMPLES):
            user = ctx.users.get((tenant_code, username))
            if user is None:
                continue
            # ``data__demo``: the seeded tickets cause real notifications, some with the same titles.
            _obj, was_created = Notification.objects.get_or_create(
                recipient=user,
                title=title,
                data__demo=True,
                defaults={
                    "tenant_id": user.tenant_id,
                    "type": type_,
                    "message": message,
                    "data": {"demo": True},
                    "read_at": now - timedelta(hours=1) if read else None,
                },
            )
            if was_created:
                # spread them over the last hours so the list has an order worth looking at
                Notification.objects.filter(pk=_obj.pk).update(created_at=now - timedelta(minutes=37 * index))
                created += 1
    ctx.log(f"notifications: {created} demo notifications")
