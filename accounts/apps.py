from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts and access")

    def ready(self):
        from accounts import authz
        from portal import navigation

        authz.connect_signals()
        from portal.navigation import NavItem

        for item in (
            NavItem(_("Users"), "accounts:users", permission="user:read", icon="users"),
            NavItem(_("Roles"), "accounts:roles", permission="role:read", icon="shield"),
            NavItem(_("Departments"), "accounts:departments", permission="department:read", icon="tree"),
        ):
            navigation.register_item("admin", item, before=("tenants:list", "admin:index"))
        for item in (
            NavItem(_("Profile"), "accounts:profile", icon="user"),
            NavItem(_("Two-factor authentication"), "accounts:mfa", icon="key"),
            NavItem(_("Trusted devices"), "accounts:devices", icon="monitor"),
            NavItem(_("Sessions"), "accounts:sessions", icon="clock"),
        ):
            navigation.register_item("personal", item, before="notifications:preferences")
