"""Declares this app's switchable module (see portal/modules.py)."""

from django.utils.translation import gettext_lazy as _

from portal.modules import ModuleSpec, register

register(
    ModuleSpec(
        code="dispatch",
        name=_("Smart dispatch"),
        description=_("Automatic and manual ticket dispatch to engineers"),
        packages=("dispatch",),
        dependencies=(
            "ticket_management",
            "engineer_management",
        ),
        can_disable=True,
    )
)
