"""Demo engineers: a skill library and teams per demo tenant, and profiles for agent1–agent3
with skills and levels, certifications, cities/districts with coordinates, schedules and a live
status, created through the services. Performance is then computed from the demo tickets by
the same job that runs hourly. Idempotent: skills and teams by code, profiles by user."""

from __future__ import annotations

from engineers import services
from engineers.models import EngineerProfile, EngineerTeam, Skill
from engineers.performance import performance_recompute

DEPENDS_ON = ["accounts", "sla", "tickets"]

_LEVELS = {
    1: ("入门", "在指导下完成常见操作"),
    2: ("中级", "独立处理常见问题"),
    3: ("高级", "处理复杂故障，能排查根因"),
    4: ("专家", "架构设计与疑难问题攻关"),
    5: ("大师", "领域权威，指导团队"),
}

# code, name, English name, category, keywords (Chinese and English), certifications, related codes
SKILLS = [
    (
        "printer",
        "打印机与外设",
        "Printers",
        "终端与外设",
        ["打印", "打印机", "卡纸", "硒鼓", "扫描仪", "printer", "scanner"],
        ["HP-ATA"],
        ["hardware", "windows"],
    ),
    (
        "hardware",
        "硬件维修",
        "Hardware",
        "终端与外设",
        ["硬件", "蓝屏", "电池", "显示器", "主板", "hardware", "bsod"],
        ["CompTIA-A+"],
        ["windows"],
    ),
    (
        "windows",
        "Windows 桌面",
        "Windows",
        "操作系统",
        ["windows", "win10", "win11", "蓝屏", "域控", "驱动"],
        ["MCSA"],
        ["office", "hardware"],
    ),
    (
        "office",
        "办公软件",
        "Office apps",
        "应用软件",
        ["excel", "word", "wps", "ppt", "outlook", "办公软件"],
        ["MOS"],
        ["email", "windows"],
    ),
    (
        "email",
        "邮件系统",
        "Email",
        "应用软件",
        ["邮件", "邮箱", "outlook", "exchange", "email", "smtp"],
        [],
        ["office", "account"],
    ),
    (
        "network",
        "网络与交换",
        "Networking",
        "网络",
        ["网络", "交换机", "路由", "无线", "wi-fi", "wifi", "专线", "network", "switch"],
        ["CCNA", "HCIA"],
        ["vpn", "security"],
    ),
    ("vpn", "VPN 与远程接入", "VPN", "网络", ["vpn", "远程接入", "远程办公"], ["CCNP"], ["network", "security"]),
    (
        "linux",
        "Linux 系统管理",
        "Linux",
        "操作系统",
        ["linux", "centos", "ubuntu", "shell"],
        ["RHCE", "LPIC"],
        ["server", "database"],
    ),
    (
        "server",
        "服务器与机房",
        "Servers",
        "基础设施",
        ["服务器", "机房", "告警", "server", "raid", "存储"],
        ["VCP"],
        ["linux", "network"],
    ),
    (
        "database",
        "数据库",
        "Databases",
        "基础设施",
        ["数据库", "mysql", "oracle", "sql", "postgresql", "报表"],
        ["OCP"],
        ["linux", "server"],
    ),
    (
        "account",
        "账号与权限",
        "Accounts",
        "身份与安全",
        ["账号", "密码", "权限", "锁定", "登录", "account", "password"],
        [],
        ["email", "security"],
    ),
    (
        "business-app",
        "业务系统",
        "Business apps",
        "应用软件",
        ["erp", "crm", "oa", "审批", "业务系统", "视频会议"],
        [],
        ["database", "account"],
    ),
    (
        "security",
        "信息安全",
        "Security",
        "身份与安全",
        ["安全", "病毒", "漏洞", "防火墙", "security", "firewall"],
        ["CISP"],
        ["network", "account"],
    ),
]

TEAMS = [("infra", "基础设施团队", "supervisor"), ("desk", "桌面支持团队", "supervisor")]

OFFICE = {"work_hours": {"start": "09:00", "end": "18:00"}, "break_time": {"start": "12:00", "end": "13:00"}}
LATE = {"work_hours": {"start": "13:00", "end": "22:00"}, "break_time": {"start": "17:30", "end": "18:30"}}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"]

# tenant code -> username -> profile
PROFILES = {
    "demo_company": {
        "agent1": {
            "employee_no": "ENG001",
            "title": "桌面运维工程师",
            "level": "senior",
            "team": "desk",
            "city": "北京市",
            "district": "朝阳区",
            "address": "建国门外大街1号",
            "latitude": 39.9087,
            "longitude": 116.4605,
            "service_areas": ["北京市"],
            "schedule": {**OFFICE, "work_days": WEEKDAYS},
            "online": "online",
            "max_workload": 8,
            "skills": {"printer": 4, "hardware": 4, "windows": 4, "office": 3, "server": 2},
            "certs": [("MCSA", "Microsoft Certified Solutions Associate", "Microsoft", "2023-03-15", "2026-03-15")],
        },
        "agent2": {
            "employee_no": "ENG002",
            "title": "网络运维工程师",
            "level": "expert",
            "team": "infra",
            "city": "北京市",
            "district": "海淀区",
            "address": "中关村大街27号",
            "latitude": 39.9593,
            "longitude": 116.2981,
            "service_areas": ["北京市", "天津市"],
            "schedule": {**OFFICE, "work_days": [*WEEKDAYS, "saturday"]},
            "online": "online",
            "max_workload": 10,
            "skills": {"network": 5, "vpn": 4, "linux": 4, "server": 3, "database": 2, "business-app": 3},
            "certs": [
                ("CCNP", "Cisco Certified Network Professional", "Cisco", "2022-06-15", "2028-06-15"),
                ("RHCE", "Red Hat Certified Engineer", "Red Hat", "2021-09-01", "2024-09-01"),
            ],
        },
        "agent3": {
            "employee_no": "ENG003",
            "title": "服务台工程师",
            "level": "intermediate",
            "team": "desk",
            "city": "上海市",
            "district": "浦东新区",
            "address": "世纪大道100号",
            "latitude": 31.2354,
            "longitude": 121.5055,
            "service_areas": ["上海市"],
            "schedule": {**LATE, "work_days": WEEKDAYS},
            "online": "busy",
            "max_workload": 6,
            "skills": {"account": 4, "email": 4, "office": 3, "windows": 3, "security": 2},
            "certs": [],
        },
    },
    "tech_corp": {
        "agent1": {
            "employee_no": "TC001",
            "title": "系统工程师",
            "level": "expert",
            "team": "infra",
            "city": "深圳市",
            "district": "南山区",
            "address": "科技园南区深南大道9988号",
            "latitude": 22.5329,
            "longitude": 113.9305,
            "service_areas": ["深圳市", "广州市"],
            "schedule": {**OFFICE, "work_days": WEEKDAYS},
            "online": "online",
            "max_workload": 8,
            "skills": {"linux": 5, "server": 4, "database": 4, "network": 3},
            "certs": [
                ("RHCE", "Red Hat Certified Engineer", "Red Hat", "2023-01-10", "2026-01-10"),
                ("OCP", "Oracle Certified Professional", "Oracle", "2022-05-20", None),
            ],
        },
        "agent2": {
            "employee_no": "TC002",
            "title": "网络安全工程师",
            "level": "senior",
            "team": "infra",
            "city": "深圳市",
            "district": "福田区",
            "address": "福华三路116号",
            "latitude": 22.5410,
            "longitude": 114.0555,
            "service_areas": ["深圳市"],
            "schedule": {**OFFICE, "work_days": WEEKDAYS},
            "online": "away",
            "max_workload": 8,
            "skills": {"vpn": 5, "network": 4, "security": 4, "windows": 2},
            "certs": [("HCIA", "华为认证网络工程师", "华为", "2024-02-01", "2027-02-01")],
        },
        "agent3": {
            "employee_no": "TC003",
            "title": "桌面支持工程师",
            "level": "junior",
            "team": "desk",
            "city": "广州市",
            "district": "天河区",
            "address": "天河路385号",
            "latitude": 23.1322,
            "longitude": 113.3276,
            "service_areas": ["广州市", "深圳市"],
            "schedule": {**LATE, "work_days": WEEKDAYS},
            "online": "online",
            "max_workload": 6,
            "skills": {"printer": 3, "email": 4, "account": 4, "office": 4, "hardware": 2},
            "certs": [],
        },
    },
}


def _library(tenant) -> None:
    by_code = {}
    for order, (code, name, name_en, category, keywords, certs, _related) in enumerate(SKILLS):
        skill = Skill.objects.filter(tenant=tenant, code=code).first()
        if skill is None:
            skill = Skill.objects.create(
                tenant=tenant, code=code, name=name, name_en=name_en, category=category, keywords=keywords,
                certifications=certs, sort_order=order, description=f"{name}相关的安装、配置与故障处理",
                levels=[{"level": lvl, "name": n, "description": d} for lvl, (n, d) in _LEVELS.items()],
            )  # fmt: skip
        by_code[code] = skill
    for code, *_rest, related in SKILLS:
        by_code[code].related_skills.add(*(by_code[r] for r in related if r in by_code))


def _teams(tenant, users) -> dict:
    teams = {}
    for code, name, leader in TEAMS:
        team = EngineerTeam.objects.filter(tenant=tenant, code=code).first()
        if team is None:
            team = EngineerTeam.objects.create(tenant=tenant, code=code, name=name, leader=users.get(leader))
        teams[code] = team
    return teams


def seed(ctx) -> None:
    for code, tenant in ctx.tenants.items():
        plan = PROFILES.get(code)
        users = {name: user for (tenant_code, name), user in ctx.users.items() if tenant_code == code}
        admin = users.get("admin")
        if not plan or admin is None:
            continue
        if not admin.has_contract_permission("engineer:create"):
            ctx.log(f"{code}: permission catalogue missing, engineer demo data skipped")
            continue
        _library(tenant)
        teams = _teams(tenant, users)
        created = 0
        for username, spec in plan.items():
            user = users.get(username)
            if user is None or EngineerProfile.all_objects.filter(user=user).exists():
                continue
            profile = services.engineer_create(
                tenant=tenant,
                by=admin,
                data={
                    "user_id": user.pk,
                    "employee_no": spec["employee_no"],
                    "title": spec["title"],
                    "level": spec["level"],
                    "team_id": teams[spec["team"]].pk,
                    "city": spec["city"],
                    "district": spec["district"],
                    "address": spec["address"],
                    "latitude": spec["latitude"],
                    "longitude": spec["longitude"],
                    "service_areas": spec["service_areas"],
                    "work_phone": f"010-8888{spec['employee_no'][-3:]}",
                    "wechat": f"{username}_{code}",
                    "max_workload": spec["max_workload"],
                    "work_schedule": {"timezone": "Asia/Shanghai", **spec["schedule"]},
                    "skills": [
                        {"skill_code": skill, "level": level, "experience_years": level * 1.5, "certified": level >= 4}
                        for skill, level in spec["skills"].items()
                    ],
                    "certifications": [
                        {"code": c, "name": n, "issuer": i, "issued_date": _day(a), "expiry_date": _day(b)}
                        for c, n, i, a, b in spec["certs"]
                    ],
                },
            )
            services.engineer_set_status(
                engineer=profile, by=admin, data={"online_status": spec["online"], "availability": "available"}
            )
            created += 1
        performance_recompute(tenant_id=tenant.pk)
        ctx.log(f"{code}: {created} engineer profiles created, performance computed")


def _day(text):
    from datetime import date

    return date.fromisoformat(text) if text else None
