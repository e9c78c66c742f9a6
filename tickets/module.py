"""Declares this app's switchable module (see portal/modules.py)."""

from django.utils.translation import gettext_lazy as _

from portal.modules import ModuleSpec, register

register(
    ModuleSpec(
        code="ticket_management",
        name=_("Ticket management"),
        description=_("The whole ticket life cycle, categories and SLA"),
        packages=(
            "tickets",
            "portal.sla",
        ),
        dependencies=(
            "user_management",
            "notification",
        ),
        can_disable=True,
    )
)
