from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ModuleStatus(models.TextChoices):
    ENABLED = "enabled", _("Enabled")
    DISABLED = "disabled", _("Disabled")


class ModuleState(models.Model):
    """A module switched on or off for one tenant, or platform-wide (no tenant). No row: enabled.
    Module codes come from ``portal.modules`` (declared by the apps)."""

    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    module_code = models.CharField(_("module"), max_length=64)
    status = models.CharField(_("status"), max_length=16, choices=ModuleStatus.choices, default=ModuleStatus.ENABLED)
    config_options = models.JSONField(_("options"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("updated by"),
    )  # fmt: skip
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["module_code", "tenant_id"]
        verbose_name = _("module state")
        verbose_name_plural = _("module states")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "module_code"], name="module_state_unique_per_tenant"),
            models.UniqueConstraint(
                fields=["module_code"], condition=models.Q(tenant__isnull=True), name="module_state_unique_global"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module_code}: {self.status}"
