from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngineersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "engineers"
    verbose_name = _("Engineers")

    def ready(self):
        from engineers import events, roster
        from portal import navigation, realtime
        from portal.navigation import NavItem

        roster.connect()
        for item in (
            NavItem(_("Engineers"), "engineers:list", permission="engineer:read", tenant_only=True, icon="users"),
            NavItem(_("Skill library"), "engineers:skills", permission="skill:read", tenant_only=True, icon="book"),
        ):
            navigation.register_item("work", item)

        realtime.register_visibility_rule(
            events.STATUS_CHANGED,
            realtime.VisibilityRule(
                audience=events.audience, may_see=events.may_see, public_fields=events.PUBLIC_FIELDS
            ),
        )
