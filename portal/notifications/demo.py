"""Demo notifications for the demo users (idempotent: keyed on recipient + title)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

DEPENDS_ON = ["accounts"]

# (username, type, title, message, read?)
SAMPLES = [
    ("agent1", "ticket_assigned", "工单已分配", "工单 TK-DEMO-001「打印机无法连接」已分配给您", False),
    ("agent1", "sla_warning", "SLA 即将到期", "工单 TK-DEMO-002 的响应时限还剩 30 分钟", False),
    ("agent1", "comment_added", "新评论", "用户在工单 TK-DEMO-001 下发表了评论", True),
    ("supervisor", "sla_breached", "SLA 已违约", "工单 TK-DEMO-003 已超出解决时限", False),
    ("supervisor", "escalated", "工单已升级", "工单 TK-DEMO-003 已升级为紧急", False),
    ("user1", "ticket_updated", "工单状态更新", "您的工单 TK-DEMO-001 已开始处理", False),
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
