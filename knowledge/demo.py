# ruff: noqa: E501 - article texts are easier to read unwrapped
"""Demo knowledge base per demo tenant: a category tree and a few dozen published articles in
Chinese and English (printers, VPN, mail, accounts, servers), written by the agents, approved by
the supervisor, some rated, some linked to resolved tickets — all through the services.
Idempotent: categories by name under their parent, articles by title."""

from __future__ import annotations

from knowledge import services
from knowledge.models import Document, KnowledgeCategory, TicketDocumentLink

DEPENDS_ON = ["accounts", "tickets"]

# key, name, parent key, icon, description
CATEGORIES = [
    ("tech", "技术文档", None, "book", "技术相关的文档资料"),
    ("trouble", "故障排查", "tech", "bug", "常见故障的排查步骤"),
    ("manual", "操作手册", "tech", "manual", "系统与设备的操作指导"),
    ("network", "网络与VPN", None, "network", "网络、无线与远程接入"),
    ("mail", "邮件与协作", None, "mail", "邮箱、日历与协作工具"),
    ("account", "账号与权限", None, "key", "账号、密码与权限申请"),
    ("english", "English guides", None, "globe", "Guides written in English"),
]

# category key, title, tags, difficulty, author, markdown body
ARTICLES = [
    (
        "trouble",
        "打印机卡纸处理方法",
        ["打印机", "卡纸", "硬件"],
        "beginner",
        "agent1",
        "打印机出现卡纸时，不要强行拉扯纸张。\n\n1. 关闭打印机电源。\n2. 打开前盖和后盖，顺着进纸方向慢慢取出卡住的纸张。\n"
        "3. 检查纸盒中的纸张是否潮湿或褶皱，重新整理后放回。\n\n如果反复卡纸，请提交工单，由工程师检查搓纸轮。",
    ),
    (
        "trouble",
        "打印机无法连接网络的排查步骤",
        ["打印机", "网络", "故障排查"],
        "intermediate",
        "agent1",
        "当网络打印机显示**脱机**时：\n\n- 在打印机面板上打印网络配置页，确认 IP 地址。\n- 在电脑上 `ping` 该地址。\n"
        "- 如果 IP 变化，请在打印机属性中更新端口。\n\n仍然无法连接时，检查交换机端口指示灯。",
    ),
    (
        "manual",
        "如何添加网络打印机",
        ["打印机", "驱动", "Windows"],
        "beginner",
        "agent1",
        "打开“设置 → 蓝牙和其他设备 → 打印机和扫描仪”，点击“添加设备”。\n\n如果列表中没有打印机，选择“通过 IP 地址添加”，"
        "输入打印机地址（例如 `10.0.3.21`），系统会自动安装驱动。",
    ),
    (
        "trouble",
        "打印出来的文字有条纹或颜色浅",
        ["打印机", "硒鼓", "打印质量"],
        "beginner",
        "agent3",
        "条纹或颜色浅通常是硒鼓碳粉不足或感光鼓有划痕。\n\n先取出硒鼓左右轻轻摇匀碳粉；如果问题仍在，请申请更换硒鼓。",
    ),
    (
        "network",
        "VPN 连接失败的常见原因",
        ["VPN", "远程办公", "网络"],
        "intermediate",
        "agent2",
        "VPN 连接失败时按以下顺序检查：\n\n1. 本地网络是否正常（能否打开外部网站）。\n2. 账号密码是否过期——密码过期会导致 VPN 认证失败。\n"
        "3. 客户端版本是否为最新。\n4. 是否同时连接了其他 VPN。\n\n错误代码 `809` 通常表示防火墙拦截了 UDP 500/4500 端口。",
    ),
    (
        "network",
        "VPN 频繁断开怎么办",
        ["VPN", "断线", "无线网络"],
        "intermediate",
        "agent2",
        "VPN 频繁断开多数与本地无线信号或运营商网络抖动有关。\n\n- 尽量使用有线网络。\n- 在客户端设置中开启“自动重连”。\n"
        "- 关闭电脑的节能模式，避免网卡休眠。",
    ),
    (
        "network",
        "如何申请访客 Wi-Fi 账号",
        ["无线网络", "访客", "申请"],
        "beginner",
        "agent2",
        "访客 Wi-Fi 账号有效期为 24 小时。请在服务门户提交“访客网络申请”，填写访客姓名与到访时间，审批后短信发送账号。",
    ),
    (
        "network",
        "共享盘无法访问的排查",
        ["共享盘", "网络", "权限"],
        "intermediate",
        "agent2",
        "共享盘无法访问时，先确认 VPN 或内网已连接，再在资源管理器中输入 `\\\\fileserver\\share`。\n\n"
        "提示“拒绝访问”说明缺少权限，请提交权限申请；提示“找不到网络路径”说明网络不通。",
    ),
    (
        "mail",
        "Outlook 无法同步邮件的解决办法",
        ["邮件", "Outlook", "同步"],
        "intermediate",
        "agent1",
        "Outlook 不同步时：\n\n1. 检查左下角是否显示“已断开连接”。\n2. 文件 → 账户设置 → 修复。\n3. 邮箱容量已满也会导致无法接收新邮件，请清理或申请扩容。",
    ),
    (
        "mail",
        "邮箱容量扩容申请流程",
        ["邮件", "邮箱容量", "申请"],
        "beginner",
        "agent3",
        "默认邮箱容量为 10 GB。需要扩容时，在门户提交“邮箱扩容申请”，经部门负责人审批后由 IT 调整，通常一个工作日内完成。",
    ),
    (
        "mail",
        "手机上配置企业邮箱",
        ["邮件", "手机", "Exchange"],
        "beginner",
        "agent3",
        "在手机“邮件”应用中添加 Exchange 账户，服务器填写 `mail.example.com`，用户名为完整邮箱地址。首次登录需要完成二次验证。",
    ),
    (
        "mail",
        "如何识别钓鱼邮件",
        ["邮件", "安全", "钓鱼"],
        "beginner",
        "agent2",
        "钓鱼邮件常见特征：发件人地址与显示名不符、催促你立即点击链接、要求输入密码。\n\n收到可疑邮件请不要点击链接，直接转发给安全团队。",
    ),
    (
        "account",
        "账号被锁定后如何解锁",
        ["账号", "锁定", "密码"],
        "beginner",
        "agent3",
        "连续输错密码 5 次后账号会被锁定 30 分钟。急需使用时，请联系服务台核实身份后解锁，或通过自助门户用手机验证码解锁。",
    ),
    (
        "account",
        "密码复杂度要求说明",
        ["账号", "密码", "安全"],
        "beginner",
        "agent3",
        "密码至少 12 位，包含大写字母、小写字母、数字和符号中的三类，不能包含用户名，90 天内不能重复使用最近 5 次的密码。",
    ),
    (
        "account",
        "如何申请业务系统权限",
        ["账号", "权限", "申请"],
        "beginner",
        "agent3",
        "在门户选择“权限申请”，选择系统（ERP、CRM、财务系统等）与角色，说明用途。部门负责人和系统管理员依次审批，审批通过后自动开通。",
    ),
    (
        "account",
        "离职员工账号回收流程",
        ["账号", "离职", "安全"],
        "intermediate",
        "agent3",
        "人事系统确认离职日期后，IT 在最后工作日下班后禁用账号，邮箱保留 30 天并设置自动转发，30 天后归档。",
    ),
    (
        "trouble",
        "服务器出现故障时的应急处理",
        ["服务器", "故障", "应急"],
        "advanced",
        "agent1",
        "服务器出现故障时：\n\n1. 先确认影响范围（哪些业务受影响）。\n2. 查看监控告警与系统日志 `/var/log/messages`。\n"
        "3. 必要时切换到备用节点。\n4. 记录处理过程，事后复盘。",
    ),
    (
        "trouble",
        "Linux 服务器 CPU 使用率过高排查",
        ["服务器", "Linux", "CPU", "性能"],
        "advanced",
        "agent1",
        "使用 `top` 或 `htop` 找到占用 CPU 最高的进程，再用 `pidstat` 和 `perf` 查看热点。\n\n常见原因：死循环、日志风暴、定时任务并发。",
    ),
    (
        "trouble",
        "服务器磁盘空间不足的清理方法",
        ["服务器", "磁盘", "Linux"],
        "intermediate",
        "agent1",
        "用 `df -h` 查看分区使用率，用 `du -sh /var/log/*` 找出大文件。\n\n优先清理过期日志与临时文件，不要删除正在被进程写入的文件。",
    ),
    (
        "trouble",
        "机房温度告警处理流程",
        ["服务器", "机房", "告警"],
        "advanced",
        "agent1",
        "收到机房温度告警后，立即确认空调运行状态，并通知动力运维。温度超过 35℃ 时按预案关闭非关键服务器。",
    ),
    (
        "manual",
        "Excel 打开大文件卡顿的优化",
        ["Excel", "办公软件", "性能"],
        "beginner",
        "agent1",
        "关闭自动计算（公式 → 计算选项 → 手动），删除多余的空白行列，把外部链接改为值，可以显著提升打开速度。",
    ),
    (
        "manual",
        "视频会议无声音的检查方法",
        ["视频会议", "音频", "办公"],
        "beginner",
        "agent2",
        "检查会议软件中选择的扬声器与麦克风设备是否正确，系统音量是否静音；外接耳机时请重新插拔后再试。",
    ),
    (
        "english",
        "Printer shows offline: how to fix it",
        ["printer", "network", "troubleshooting"],
        "beginner",
        "agent1",
        "When a network printer shows **offline**:\n\n1. Print the network configuration page from the printer panel.\n"
        "2. Check that your computer can reach the printer's IP address.\n3. Update the printer port if the address changed.\n\n"
        "Printers that keep going offline usually have a DHCP address; ask IT for a reserved one.",
    ),
    (
        "english",
        "Clearing a paper jam",
        ["printer", "paper jam", "hardware"],
        "beginner",
        "agent1",
        "Turn the printer off, open the front and rear covers and pull the jammed paper out slowly in the feed direction. "
        "Damp or creased paper causes repeated jams: replace it.",
    ),
    (
        "english",
        "Connecting to the company VPN",
        ["VPN", "remote work", "network"],
        "beginner",
        "agent2",
        "Install the VPN client from the software centre, sign in with your company account and approve the "
        "two-factor prompt.\n\nIf the connection fails with error 809, your network blocks UDP ports 500 and 4500: "
        "try another network or a mobile hotspot.",
    ),
    (
        "english",
        "VPN keeps disconnecting",
        ["VPN", "wireless", "troubleshooting"],
        "intermediate",
        "agent2",
        "Frequent VPN drops are usually caused by weak Wi-Fi or power saving on the network adapter. Use a wired "
        "connection where possible and disable adapter power saving in Device Manager.",
    ),
    (
        "english",
        "Setting up company mail on your phone",
        ["mail", "mobile", "Exchange"],
        "beginner",
        "agent3",
        "Add an Exchange account in your phone's mail app. Server: `mail.example.com`; user name: your full e-mail "
        "address. The first sign-in asks for two-factor approval.",
    ),
    (
        "english",
        "Mailbox full: freeing space",
        ["mail", "Outlook", "mailbox"],
        "beginner",
        "agent3",
        "Empty the Deleted Items folder, archive mail older than a year and remove large attachments. When the "
        "mailbox is still full, request more space through the portal.",
    ),
    (
        "english",
        "Unlocking a locked account",
        ["account", "password", "lockout"],
        "beginner",
        "agent3",
        "Five wrong passwords lock an account for 30 minutes. Use self-service unlock with your phone, or call the "
        "service desk, who will verify your identity first.",
    ),
    (
        "english",
        "Requesting access to business systems",
        ["account", "permissions", "access"],
        "beginner",
        "agent3",
        "Choose *Access request* in the portal, pick the system and role, and explain why you need it. Your manager "
        "and the system owner approve; access is granted automatically afterwards.",
    ),
    (
        "english",
        "Server high CPU: first checks",
        ["server", "Linux", "CPU", "performance"],
        "advanced",
        "agent1",
        "Run `top` to find the busiest processes, then `pidstat 1` for per-process trends. Runaway loops, log storms "
        "and overlapping cron jobs are the usual suspects.",
    ),
    (
        "english",
        "Server disk almost full",
        ["server", "disk", "Linux"],
        "intermediate",
        "agent1",
        "Check usage with `df -h` and find large directories with `du -sh /var/log/*`. Rotate or compress old logs; "
        "never delete a file a running process still writes to.",
    ),
]
LINKS = {  # ticket title -> article titles that helped
    "财务部打印机需要更换硒鼓": ["打印出来的文字有条纹或颜色浅"],
    "账号被锁定无法登录": ["账号被锁定后如何解锁", "Unlocking a locked account"],
    "分公司专线中断": ["服务器出现故障时的应急处理"],
    "OA 审批流程卡在财务节点": ["如何申请业务系统权限"],
}


def _categories(tenant, admin) -> dict:
    nodes = {}
    for order, (key, name, parent, icon, description) in enumerate(CATEGORIES):
        parent_node = nodes.get(parent)
        node = KnowledgeCategory.objects.filter(tenant=tenant, name=name, parent=parent_node).first()
        if node is None:
            node = services.category_create(
                tenant=tenant,
                by=admin,
                data={
                    "name": name,
                    "parent_id": parent_node.pk if parent_node else None,
                    "icon": icon,
                    "description": description,
                    "sort_order": order,
                },
            )
        nodes[key] = node
    return nodes


def seed(ctx) -> None:
    from tickets.models import Ticket

    for code, tenant in ctx.tenants.items():
        users = {name: user for (tenant_code, name), user in ctx.users.items() if tenant_code == code}
        if not {"admin", "supervisor", "agent1", "user1"} <= set(users):
            continue
        if not users["supervisor"].has_contract_permission("knowledge:review"):
            ctx.log(f"{code}: permission catalogue missing, knowledge demo data skipped")
            continue
        categories = _categories(tenant, users["admin"])
        created = 0
        for index, (key, title, tags, level, author, body) in enumerate(ARTICLES):
            if Document.all_objects.filter(tenant=tenant, title=title).exists():
                continue
            by = users.get(author) or users["agent1"]
            document = services.document_create(
                tenant=tenant,
                by=by,
                data={
                    "title": title,
                    "content": f"# {title}\n\n{body}",
                    "category_id": categories[key].pk,
                    "tags": tags,
                    "difficulty_level": level,
                    "is_public": index % 7 != 6,  # a few internal-only articles
                },
            )
            services.document_submit_review(document=document, by=by, comment="请审核")
            services.document_review(document=document, by=users["supervisor"], action="approve", comment="内容准确")
            if index % 3 == 0:
                services.document_rate(document=document, by=users["user1"], rating=5 - index % 2, helpful=True)
            created += 1
        for ticket_title, titles in LINKS.items():
            ticket = Ticket.objects.filter(tenant=tenant, title=ticket_title).first()
            if ticket is None:
                continue
            for title in titles:
                document = Document.objects.filter(tenant=tenant, title=title).first()
                if document and not TicketDocumentLink.objects.filter(ticket=ticket, document=document).exists():
                    services.ticket_link(ticket=ticket, document=document, by=users["agent1"])
        if created:
            ctx.log(f"{code}: {created} knowledge articles published")
