from django.conf import settings

SITE_NAME = "OpsPortal"


def portal(request):
    """Values every page template needs (site name, the current tenant, run mode)."""
    user = getattr(request, "user", None)
    tenant = getattr(user, "tenant", None) if user is not None and user.is_authenticated else None
    return {"site_name": SITE_NAME, "current_tenant": tenant, "embedded_mode": settings.EMBEDDED}
