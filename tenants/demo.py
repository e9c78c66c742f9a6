"""Demo tenants: 演示公司 (demo_company) and 科技公司 (tech_corp)."""

from tenants.models import Tenant
from tenants.services import tenant_create

DEMO_TENANTS = [
    {"code": "demo_company", "name": "演示公司", "domain": "demo.example.com", "max_users": 500,
     "config": {"theme": "default"}},
    {"code": "tech_corp", "name": "科技公司", "domain": "tech.example.com", "max_users": 200,
     "config": {"theme": "blue"}},
]  # fmt: skip


def seed(ctx) -> None:
    for row in DEMO_TENANTS:
        tenant = Tenant.objects.filter(code=row["code"]).first()
        if tenant is None:
            tenant = tenant_create(**row)
            ctx.log(f"tenant {tenant.code} created")
        ctx.tenants[tenant.code] = tenant
