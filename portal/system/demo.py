"""Demo settings: desk self-registration (``POST /api/auth/register``) joins 演示公司.

Production stays closed by default (``system.register.tenant_code`` is empty); the demo opens it
through the settings registry, as an operator would. Left alone when it was set already."""

from portal.config import set_config
from portal.models import SystemConfig

DEPENDS_ON = ["tenants"]


def seed(ctx) -> None:
    if not SystemConfig.objects.filter(key="system.register.tenant_code", tenant__isnull=True).exists():
        set_config("system.register.tenant_code", "demo_company", reason="demo data")
        ctx.log("desk self-registration opened into demo_company")
