from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self):
        from portal.navigation import NavItem, register_item, register_panel

        for item in (
            NavItem(_("Knowledge base"), "knowledge:list", permission="knowledge:read", tenant_only=True, icon="book"),
            NavItem(_("New article"), "knowledge:create", permission="knowledge:create", tenant_only=True, icon="plus"),
            NavItem(
                _("Review queue"), "knowledge:reviews", permission="knowledge:review", tenant_only=True, icon="check"
            ),
        ):
            register_item("work", item)
        # The ticket page shows our suggested articles without the tickets app knowing us.
        register_panel("ticket_detail_aside", "knowledge/_ticket_panel.html")
