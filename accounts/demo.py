"""Demo people: in each demo tenant ``admin``, ``supervisor``, ``agent1``–``agent3`` and
``user1``; plus the platform operator ``superadmin``. Passwords follow the role."""

from accounts.models import Department, User
from accounts.services import department_create, ensure_builtin_roles, user_create

DEPENDS_ON = ["tenants"]

EMAIL_DOMAINS = {"demo_company": "demo.com", "tech_corp": "tech.com"}

# username, real name, role, password, department code
DEMO_PEOPLE = [
    ("admin", "系统管理员", "admin", "Admin@123456", "it"),
    ("supervisor", "李主管", "supervisor", "Super@123456", "ops"),
    ("agent1", "王工程师", "agent", "Agent@123456", "ops"),
    ("agent2", "张工程师", "agent", "Agent@123456", "ops"),
    ("agent3", "赵工程师", "agent", "Agent@123456", "desk"),
    ("user1", "陈用户", "user", "User@123456", "sales"),
]

# code, name, parent code
DEMO_DEPARTMENTS = [
    ("hq", "总部", None),
    ("it", "信息技术部", "hq"),
    ("ops", "运维组", "it"),
    ("desk", "服务台", "it"),
    ("sales", "销售部", "hq"),
]


def _departments(tenant) -> dict:
    nodes = {}
    for order, (code, name, parent) in enumerate(DEMO_DEPARTMENTS):
        node = Department.objects.filter(tenant=tenant, code=code).first()
        if node is None:
            node = department_create(tenant=tenant, code=code, name=name, parent=nodes.get(parent), sort_order=order)
        nodes[code] = node
    return nodes


def seed(ctx) -> None:
    if not User.objects.filter(email="superadmin@ops.local").exists():
        User.objects.create_superuser(email="superadmin@ops.local", password="Admin@123456", username="superadmin",
                                      real_name="平台管理员")  # fmt: skip
        ctx.log("platform user superadmin created")
    for code, tenant in ctx.tenants.items():
        ensure_builtin_roles(tenant=tenant)
        departments = _departments(tenant)
        domain = EMAIL_DOMAINS.get(code, f"{code}.local")
        for username, real_name, role, password, department in DEMO_PEOPLE:
            user = User.objects.filter(tenant=tenant, username=username).first()
            if user is None:
                user = user_create(
                    tenant=tenant,
                    username=username,
                    email=f"{username}@{domain}",
                    password=password,
                    role_codes=[role],
                    real_name=real_name,
                    department=departments[department],
                    phone=f"1380013{len(ctx.users):04d}",
                )
                ctx.log(f"{code}: {username} ({role}) created")
            ctx.users[(code, username)] = user
        manager = ctx.users[(code, "supervisor")]
        Department.objects.filter(tenant=tenant, code="ops", manager__isnull=True).update(manager=manager)
