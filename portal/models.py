from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SystemConfig(models.Model):
    """A stored configuration value, global (no tenant) or overriding the global one for a
    tenant. Keys, types, defaults and validation come from ``portal.config.REGISTRY``; read
    values with ``portal.config.get_config`` and write them with ``portal.config.set_config``."""

    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    key = models.CharField(_("key"), max_length=128)
    value = models.TextField(_("value"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["key", "tenant_id"]
        verbose_name = _("system setting")
        verbose_name_plural = _("system settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="config_key_unique_per_tenant"),
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(tenant__isnull=True), name="config_key_unique_global"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class ConfigChange(models.Model):
    """One change of a setting: who, where (tenant override or global), old and new value (masked
    for sensitive keys) and the reason given. Written by ``portal.config.set_configs`` only."""

    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    key = models.CharField(_("key"), max_length=128, db_index=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("changed by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("setting change")
        verbose_name_plural = _("setting changes")

    def __str__(self) -> str:
        return f"{self.key}: {self.old_value} → {self.new_value}"


class LivePush(models.Model):
    """A live message the channel layer refused after its change had committed (Redis down).

    ``portal.realtime`` stores it instead of dropping it, and the ``realtime.resend_live_pushes``
    job hands the stored messages to the layer again, oldest first, once it answers; what waited
    longer than ``notification.live_retry.max_age_seconds`` is dropped (clients resynchronise
    after that anyway). ``message`` is the channel-layer message as it would have been sent."""

    group = models.CharField(_("group"), max_length=100)
    message = models.JSONField(_("message"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]  # the order they were meant to be sent in
        verbose_name = _("live push waiting to be resent")
        verbose_name_plural = _("live pushes waiting to be resent")

    def __str__(self) -> str:
        return f"{self.group}: {self.message.get('event', self.message.get('type'))}"
