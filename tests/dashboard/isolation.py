"""Isolation makers for the workbench (see tests/isolation.py)."""

from tests.isolation import MARKER, maker


@maker("dashboard.DashboardConfig")
def _config(tenant):
    from portal.dashboard.models import DashboardConfig
    from tests.factories import UserFactory

    owner = UserFactory(tenant=tenant, username=f"iso-layout-{tenant.pk}", roles=["admin"])
    return DashboardConfig.objects.create(
        tenant=tenant, user=owner, config_name=MARKER, widget_configs=[], layout_config={}, is_default=True
    )


@maker("dashboard.RecentVisit")
def _visit(tenant):
    from portal.dashboard.models import RecentVisit
    from tests.factories import UserFactory

    visitor = UserFactory(tenant=tenant, username=f"iso-visitor-{tenant.pk}")
    return RecentVisit.objects.create(tenant=tenant, user=visitor, key=MARKER, name=MARKER, url=f"/{MARKER}/")
