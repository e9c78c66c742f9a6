"""Declares this app's switchable module (see portal/modules.py)."""

from django.utils.translation import gettext_lazy as _

from portal.modules import ModuleSpec, register

register(
    ModuleSpec(
        code="user_management",
        name=_("User management"),
        description=_("Users, roles, departments, sign-in and sessions"),
        packages=("accounts",),
        dependencies=(),
        can_disable=False,
    )
)
