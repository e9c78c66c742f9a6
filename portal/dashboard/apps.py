from importlib import import_module

from django.apps import AppConfig
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


def discover(module_name: str) -> None:
    """Import ``<app>.<module_name>`` of every project app (not third-party packages)."""
    from portal.apps import project_apps

    for config in project_apps():
        if module_has_submodule(config.module, module_name):
            import_module(f"{config.name}.{module_name}")


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal.dashboard"
    label = "dashboard"
    verbose_name = _("Workbench")

    def ready(self):
        # Apps contribute widgets, statistics, search, tasks and quick actions from a module
        # named ``widgets`` (``tickets/widgets.py`` …): the workbench never imports an app.
        discover("widgets")
        from portal.navigation import NavItem, register_item, register_widget

        register_item(
            "main",
            NavItem(
                _("Ticket statistics"),
                "dashboard:statistics",
                permission="dashboard:read",
                tenant_only=True,
                icon="monitor",
            ),
        )
        register_widget("dashboard/_search.html")
