from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngineersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "engineers"
    verbose_name = _("Engineers")
