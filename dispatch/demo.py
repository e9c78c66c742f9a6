"""Demo dispatch data: the built-in strategies, two rules, and a few past dispatches per demo
tenant (made through the real dispatch service, so they carry real scores, reasons and ticket
history). Idempotent: a tenant that already has dispatch records is left alone."""

from __future__ import annotations

DEPENDS_ON = ["accounts", "tickets", "engineers"]

RULES = [
    {
        "name": "紧急工单优先派单",
        "rule_type": "priority",
        "description": "紧急和严重工单只派给三级及以上工程师，15分钟内响应",
        "conditions": {"ticket_priority": ["urgent", "critical"], "response_time_limit": 15},
        "actions": {"require_skill_level": 3, "boost_score": 20, "notify_immediately": True,
                    "escalate_if_no_response": 30},
        "priority": 100,
    },
    {
        "name": "VIP客户优先处理",
        "rule_type": "customer",
        "description": "VIP客户的工单优先分配给高级工程师",
        "conditions": {"customer_level": "vip"},
        "actions": {"require_skill_level": 3, "boost_score": 15, "max_response_time": 30},
        "priority": 90,
    },
]  # fmt: skip


def seed(ctx) -> None:
    from dispatch import services
    from dispatch.models import DispatchRecord, DispatchRule
    from portal.errors import DomainError
    from tickets.models import Ticket

    for code, tenant in ctx.tenants.items():
        services.ensure_builtin_strategies(tenant)
        supervisor = ctx.users.get((code, "supervisor"))
        if supervisor is None:
            continue
        for rule in RULES:
            if not DispatchRule.objects.filter(tenant=tenant, name=rule["name"]).exists():
                DispatchRule.objects.create(tenant=tenant, created_by=supervisor, **rule)
        if DispatchRecord.objects.filter(tenant=tenant).exists():
            continue
        queue = list(Ticket.objects.filter(tenant=tenant, status="new", assigned_to__isnull=True).order_by("id")[:2])
        made = 0
        for ticket in queue:
            try:
                services.dispatch_intelligent(ticket=ticket, by=supervisor, request=services.Request())
            except DomainError:  # nobody on duty right now: dispatch anyway, recording what was overridden
                try:
                    services.dispatch_intelligent(ticket=ticket, by=supervisor, request=services.Request(), force=True)
                except DomainError:
                    continue
            made += 1
        ctx.log(f"{code}: {made} demo dispatches")
