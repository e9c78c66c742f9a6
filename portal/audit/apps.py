from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "portal.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from portal.audit import recorder

        recorder.connect_admin_log()
