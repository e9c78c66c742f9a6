"""Demo SLA setup: each demo tenant gets a default business calendar (Mon–Fri 09:00–12:00 and
13:00–18:00, Asia/Shanghai, following the mainland-China holidays), a default IT-operations SLA
policy and two escalation rules. Idempotent: rows are looked up by name first."""

from datetime import time

from portal.sla.models import BusinessCalendar, EscalationRule, HolidaySet, SLAPolicy
from portal.sla.services import CHINA_SET_CODE, calendar_create, holidays_load_fixture, policy_create

DEPENDS_ON = ["tenants"]

CALENDAR_NAME = "标准工作日历"
POLICY_NAME = "IT 运维标准 SLA"
WORKING_PERIODS = [(weekday, start, end) for weekday in range(5) for start, end in
                   ((time(9), time(12)), (time(13), time(18)))]  # fmt: skip
# priority: (response minutes, resolution minutes), in business time (8 h a day)
DEMO_TARGETS = {
    "critical": (15, 4 * 60),
    "urgent": (30, 8 * 60),
    "high": (60, 2 * 8 * 60),
    "normal": (4 * 60, 3 * 8 * 60),
    "low": (8 * 60, 5 * 8 * 60),
}
DEMO_ESCALATIONS = [
    {"trigger": "warning", "applies_to": "both", "notify_supervisor": True},
    {"trigger": "breach", "applies_to": "both", "raise_priority": True, "set_escalated": True,
     "notify_supervisor": True},
]  # fmt: skip


def seed(ctx) -> None:
    china = HolidaySet.objects.filter(code=CHINA_SET_CODE, tenant__isnull=True).first()
    if china is None:
        holidays_load_fixture()
        china = HolidaySet.objects.get(code=CHINA_SET_CODE, tenant__isnull=True)
        ctx.log("shared holiday set cn-mainland loaded")
    for code, tenant in ctx.tenants.items():
        calendar = BusinessCalendar.objects.filter(tenant=tenant, name=CALENDAR_NAME).first()
        if calendar is None:
            calendar = calendar_create(
                tenant=tenant,
                name=CALENDAR_NAME,
                periods=WORKING_PERIODS,
                time_zone="Asia/Shanghai",
                holiday_sets=[china],
                is_default=not BusinessCalendar.objects.filter(tenant=tenant, is_default=True).exists(),
            )
            ctx.log(f"{code}: business calendar created")
        policy = SLAPolicy.objects.filter(tenant=tenant, name=POLICY_NAME).first()
        if policy is None:
            policy = policy_create(
                tenant=tenant,
                name=POLICY_NAME,
                targets=DEMO_TARGETS,
                calendar=calendar,
                is_default=not SLAPolicy.objects.filter(tenant=tenant, is_default=True).exists(),
                description="关键 15 分钟响应 / 4 小时解决 … 低 8 小时响应 / 5 个工作日解决（按工作时间计）",
            )
            ctx.log(f"{code}: SLA policy created")
        for rule in DEMO_ESCALATIONS:
            EscalationRule.objects.get_or_create(
                tenant=tenant, policy=None, trigger=rule["trigger"], applies_to=rule["applies_to"], defaults=rule
            )
