from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from portal import navigation

        # In "My account", after the account's own pages (accounts places those before it).
        navigation.register_item(
            "personal",
            navigation.NavItem(
                _("Notification settings"),
                "notifications:preferences",
                permission="notification:read",
                tenant_only=True,
                icon="bell",
            ),
        )
