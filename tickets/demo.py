"""Demo categories and a few dozen tickets in varied states per demo tenant, created through
the services (so numbers, history and timestamps are real). Idempotent: categories by code,
tickets by title."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tickets import services
from tickets.choices import TicketStatus
from tickets.models import Category, Ticket

DEPENDS_ON = ["accounts"]

# code, name, parent code, sla hours, colour, auto-assign username
CATEGORIES = [
    ("hardware", "硬件故障", None, 8, "#ef4444", None),
    ("printer", "打印机", "hardware", 8, "#f97316", None),
    ("computer", "电脑终端", "hardware", 8, "#f59e0b", None),
    ("software", "软件问题", None, 24, "#3b82f6", None),
    ("office", "办公软件", "software", 24, "#6366f1", None),
    ("business-app", "业务系统", "software", 8, "#8b5cf6", None),
    ("network", "网络与VPN", None, 4, "#10b981", "agent2"),
    ("account", "账号与权限", None, 4, "#14b8a6", "agent3"),
    ("consulting", "咨询与其他", None, None, "#6b7280", None),
]

# title, category, priority, type, state, assignee, due in hours (negative = overdue)
TICKETS = [
    ("三楼打印机卡纸无法打印", "printer", "normal", "incident", "new", None, 24),
    ("财务部打印机需要更换硒鼓", "printer", "low", "request", "resolved", "agent1", 48),
    ("新员工电脑开机蓝屏", "computer", "high", "incident", "in_progress", "agent1", 4),
    ("笔记本电池鼓包需要更换", "computer", "urgent", "incident", "assigned", "agent1", -3),
    ("申请一台外接显示器", "computer", "low", "request", "closed", "agent2", 72),
    ("Excel 打开大文件卡死", "office", "normal", "incident", "paused", "agent1", 12),
    ("Outlook 无法同步邮件", "office", "high", "incident", "accepted", "agent1", 6),
    ("WPS 授权到期", "office", "normal", "request", "new", None, 48),
    ("ERP 系统登录报错 500", "business-app", "critical", "incident", "in_progress", "agent2", -1),
    ("CRM 客户导出功能超时", "business-app", "high", "problem", "assigned", "agent2", 8),
    ("OA 审批流程卡在财务节点", "business-app", "normal", "incident", "resolved", "agent2", 24),
    ("报表系统数据不更新", "business-app", "urgent", "problem", "new", None, -2),
    ("VPN 连接频繁断开", "network", "high", "incident", "assigned", None, 4),
    ("会议室无线网络信号弱", "network", "normal", "incident", "in_progress", "agent2", 24),
    ("分公司专线中断", "network", "critical", "incident", "resolved", "agent2", 2),
    ("申请访客 Wi-Fi 账号", "network", "low", "request", "closed", "agent2", 48),
    ("开通财务系统只读权限", "account", "normal", "request", "assigned", None, 8),
    ("账号被锁定无法登录", "account", "urgent", "incident", "resolved", "agent3", 1),
    ("离职员工账号回收", "account", "normal", "change", "closed", "agent3", 24),
    ("邮箱容量扩容申请", "account", "low", "request", "cancelled", None, 48),
    ("咨询：如何申请软件采购", "consulting", "low", "consultation", "resolved", "agent3", None),
    ("投诉：工单处理太慢", "consulting", "high", "complaint", "in_progress", "agent3", 12),
    ("服务器机房温度告警", "hardware", "critical", "incident", "assigned", "agent1", -5),
    ("扫描仪驱动安装失败", "printer", "normal", "incident", "new", None, 24),
    ("视频会议系统无声音", "business-app", "high", "incident", "paused", "agent2", 6),
    ("变更：核心交换机固件升级", "network", "high", "change", "accepted", "agent2", 72),
    ("咨询：密码复杂度要求", "consulting", "low", "consultation", "closed", "agent3", None),
    ("共享盘无法访问", "network", "urgent", "incident", "new", None, 2),
    ("打印机驱动批量更新", "printer", "normal", "change", "cancelled", None, None),
    ("键盘鼠标更换", "computer", "low", "request", "resolved", "agent1", 48),
]


def _categories(tenant, users) -> dict:
    nodes = {}
    admin = users["admin"]
    for order, (code, name, parent, sla_hours, color, auto) in enumerate(CATEGORIES):
        node = Category.objects.filter(tenant=tenant, code=code).first()
        if node is None:
            node = services.category_create(
                tenant=tenant,
                by=admin,
                data={
                    "code": code,
                    "name": name,
                    "parent": nodes.get(parent),
                    "sla_hours": sla_hours,
                    "color": color,
                    "sort_order": order,
                    "auto_assign_user": users.get(auto) if auto else None,
                },
            )
        nodes[code] = node
    return nodes


def _drive(ticket, state, users, assignee):
    requester, supervisor = users["user1"], users["supervisor"]
    if state in ("new",):
        return
    if state == "cancelled":
        services.ticket_transition(ticket=ticket, to=TicketStatus.CANCELLED, by=requester, note="不再需要")
        return
    agent = users.get(assignee) if assignee else ticket.assigned_to
    if agent is None:
        agent = users["agent1"]
    if ticket.assigned_to_id != agent.pk:
        ticket = services.ticket_assign(ticket=ticket, by=supervisor, assignee=agent)
    if state == "assigned":
        return
    ticket = services.ticket_accept(ticket=ticket, by=agent)
    if state == "accepted":
        return
    ticket = services.ticket_transition(ticket=ticket, to=TicketStatus.IN_PROGRESS, by=agent)
    services.comment_create(ticket=ticket, by=agent, content="已收到，正在排查。")
    services.comment_create(ticket=ticket, by=agent, content="初步判断为配置问题。", is_internal=True)
    if state == "in_progress":
        return
    if state == "paused":
        services.ticket_transition(ticket=ticket, to=TicketStatus.PAUSED, by=agent, note="等待备件到货")
        return
    ticket = services.ticket_transition(
        ticket=ticket, to=TicketStatus.RESOLVED, by=agent, data={"resolution_notes": "已处理完毕，请确认。"}
    )
    if state == "closed":
        ticket = services.ticket_transition(ticket=ticket, to=TicketStatus.CLOSED, by=requester)
        services.ticket_rate(ticket=ticket, by=requester, rating=5, comment="处理及时")


def seed(ctx) -> None:
    now = timezone.now()
    for code, tenant in ctx.tenants.items():
        users = {name: user for (tenant_code, name), user in ctx.users.items() if tenant_code == code}
        if "user1" not in users or "admin" not in users:
            continue
        if not users["admin"].has_contract_permission("ticket:category:create"):
            # Only a database whose permission catalogue was wiped (a flushed test database)
            # gets here; migrations always load it. The services would refuse every write.
            ctx.log(f"{code}: permission catalogue missing, ticket demo data skipped")
            continue
        categories = _categories(tenant, users)
        created = 0
        for title, category, priority, kind, state, assignee, due_hours in TICKETS:
            if Ticket.all_objects.filter(tenant=tenant, title=title).exists():
                continue
            ticket = services.ticket_create(
                tenant=tenant,
                by=users["user1"],
                data={
                    "title": title,
                    "description": f"{title}，请尽快处理。",
                    "category": categories[category],
                    "priority": priority,
                    "type": kind,
                    "customer_name": users["user1"].real_name,
                    "customer_email": users["user1"].email,
                    "customer_phone": users["user1"].phone,
                    "due_date": now + timedelta(hours=due_hours) if due_hours is not None else None,
                    "tags": [categories[category].name],
                },
            )
            _drive(ticket, state, users, assignee)
            created += 1
        if created:
            ctx.log(f"{code}: {created} demo tickets created")
