from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tenants"
    verbose_name = _("Tenants")

    def ready(self):
        from portal import navigation
        from portal.navigation import NavItem

        navigation.register_item(
            "admin", NavItem(_("Tenants"), "tenants:list", platform_only=True, icon="building"), before="admin:index"
        )
