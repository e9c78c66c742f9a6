from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from portal import navigation, realtime
        from portal.navigation import NavItem
        from tickets import events, selectors
        from tickets.policy import STAFF_QUEUE

        navigation.register_section("tickets", _("Tickets"), before="work")
        for item in (
            # Requesters see only their own tickets: "My tickets" is their whole view, so the
            # staff queues (the tenant's tickets, the unassigned queue) are not offered to them.
            NavItem(_("All tickets"), "tickets:list", permission=STAFF_QUEUE, tenant_only=True, icon="ticket"),
            NavItem(_("My tickets"), "tickets:mine", tenant_only=True, icon="user-check"),
            NavItem(_("Unassigned"), "tickets:unassigned", permission=STAFF_QUEUE, tenant_only=True, icon="inbox"),
            NavItem(_("New ticket"), "tickets:create", tenant_only=True, icon="plus"),
            NavItem(
                _("Categories"),
                "tickets:categories",
                permission="ticket:category:create",
                tenant_only=True,
                icon="tree",
            ),
        ):
            navigation.register_item("tickets", item)

        # The live ``ticket_updated`` message reaches only who may see the ticket.
        realtime.register_visibility_rule(
            events.LIVE_EVENT,
            realtime.VisibilityRule(
                audience=selectors.ticket_audience,
                may_see=selectors.payload_visible,
                public_fields=events.PUBLIC_FIELDS,
            ),
        )
