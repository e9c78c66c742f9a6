"""Declares this app's switchable module (see portal/modules.py)."""

from django.utils.translation import gettext_lazy as _

from portal.modules import ModuleSpec, register

register(
    ModuleSpec(
        code="notification",
        name=_("Notifications"),
        description=_("In-app, email and chat notifications"),
        packages=("portal.notifications",),
        dependencies=(),
        can_disable=True,
    )
)
