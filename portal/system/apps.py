from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SystemConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal.system"
    label = "system"
    verbose_name = _("System administration")

    def ready(self):
        from portal import modules, navigation
        from portal.navigation import NavItem

        modules.discover()

        from portal.system import announcements  # noqa: F401 - registers the announcements job

        for item in (
            NavItem(_("Settings"), "system:configs", permission="system:config:read", icon="settings"),
            NavItem(_("Modules"), "system:modules", permission="system:module:read", icon="tree"),
            NavItem(_("Announcements"), "system:announcements", permission="system:announcement:read", icon="bell"),
            NavItem(_("Maintenance"), "system:maintenance", permission="system:maintenance:read", icon="alert"),
        ):
            navigation.register_item("admin", item)

        from portal.system import ops_ready

        ops_ready.ready()
