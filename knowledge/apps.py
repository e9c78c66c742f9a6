from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self):
        from portal.navigation import NavItem, register_item, register_panel

        register_panel("ticket_detail_aside", "knowledge/_ticket_panel.html")

        register_item(
            "work",
            NavItem(_("Review queue"), "knowledge:reviews", permission="knowledge:review", icon="check"),
            before="dispatch:index",
        )
        register_item(
            "work",
            NavItem(_("New article"), "knowledge:create", permission="knowledge:create", icon="plus"),
            before="knowledge:reviews",
        )
