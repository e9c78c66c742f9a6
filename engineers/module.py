"""Declares this app's switchable module (see portal/modules.py)."""

from django.utils.translation import gettext_lazy as _

from portal.modules import ModuleSpec, register

register(
    ModuleSpec(
        code="engineer_management",
        name=_("Engineer management"),
        description=_("Engineer profiles, skills, duty and workload"),
        packages=("engineers",),
        dependencies=("user_management",),
        can_disable=True,
    )
)
