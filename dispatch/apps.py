from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self):
        from dispatch import hooks
        from portal import navigation
        from portal.navigation import NavItem

        hooks.register()
        for item in (
            NavItem(
                _("Dispatch console"), "dispatch:console", permission="dispatch:read", tenant_only=True, icon="send"
            ),
            NavItem(
                _("Workload board"), "dispatch:workload", permission="dispatch:read", tenant_only=True, icon="monitor"
            ),
            NavItem(
                _("Engineer locations"),
                "dispatch:locations",
                permission="dispatch:read",
                tenant_only=True,
                icon="globe",
            ),
            NavItem(
                _("Dispatch settings"),
                "dispatch:config",
                permission="dispatch:config",
                tenant_only=True,
                icon="settings",
            ),
        ):
            navigation.register_item("work", item)
