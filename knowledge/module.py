"""Declares this app's switchable module (see portal/modules.py)."""

from django.utils.translation import gettext_lazy as _

from portal.modules import ModuleSpec, register

register(
    ModuleSpec(
        code="knowledge_base",
        name=_("Knowledge base"),
        description=_("Articles, categories, reviews and ratings"),
        packages=("knowledge",),
        dependencies=("user_management",),
        can_disable=True,
    )
)
