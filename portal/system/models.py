from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from portal.system.ops_models import AlertLevel, MonitorAlert, RunStatus, RunTrigger, TaskRun  # noqa: F401


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


# --- announcements ------------------------------------------------------------------------------


class AnnouncementType(models.TextChoices):
    SYSTEM = "system", _("System")
    MAINTENANCE = "maintenance", _("Maintenance")
    FEATURE = "feature", _("New feature")


class AnnouncementPriority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class AnnouncementStatus(models.TextChoices):
    DRAFT = "draft", _("Scheduled")  # the contract's word; not published yet
    PUBLISHED = "published", _("Published")
    EXPIRED = "expired", _("Expired")


class AnnouncementAudience(models.TextChoices):
    ALL = "all", _("Everyone")
    TENANT = "tenant", _("Chosen tenants")
    ROLE = "role", _("Chosen roles")


class Announcement(models.Model):
    """A message shown as a banner (or popup) in the portal and sent as a notification when it
    is published. ``tenant`` is the owner: None for the platform's announcements (which may
    target any tenants), a tenant for a tenant administrator's (seen in that tenant only).
    ``publish_time``/``expire_time`` are applied by the minute job ``system.announcements_tick``."""

    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), max_length=5000)
    type = models.CharField(_("type"), max_length=16, choices=AnnouncementType.choices, default=AnnouncementType.SYSTEM)
    priority = models.CharField(
        _("priority"), max_length=16, choices=AnnouncementPriority.choices, default=AnnouncementPriority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AnnouncementStatus.choices, default=AnnouncementStatus.DRAFT
    )
    target_audience = models.CharField(
        _("audience"), max_length=16, choices=AnnouncementAudience.choices, default=AnnouncementAudience.ALL
    )
    target_tenants = models.JSONField(_("target tenants"), default=list, blank=True)
    target_roles = models.JSONField(_("target roles"), default=list, blank=True)
    publish_time = models.DateTimeField(_("publish at"))
    expire_time = models.DateTimeField(_("expire at"), null=True, blank=True)
    is_popup = models.BooleanField(_("show as popup"), default=False)
    is_email_notify = models.BooleanField(_("also by email"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-publish_time", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [models.Index(fields=["status", "publish_time"], name="announcement_status_publish")]

    def __str__(self) -> str:
        return self.title


class AnnouncementDismissal(models.Model):
    """A user closed an announcement's banner; it is not shown to them again."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="dismissals", verbose_name=_("announcement")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), auto_now_add=True)

    class Meta:
        ordering = ["-dismissed_at", "-id"]
        verbose_name = _("dismissed announcement")
        verbose_name_plural = _("dismissed announcements")
        constraints = [models.UniqueConstraint(fields=["announcement", "user"], name="announcement_dismissed_once")]

    def __str__(self) -> str:
        return f"{self.announcement_id} / {self.user_id}"


# --- maintenance mode ---------------------------------------------------------------------------


class MaintenanceWindow(models.Model):
    """Maintenance mode for one tenant, or platform-wide (no tenant): while it is on (the switch,
    within ``start_time``/``end_time`` when given) the APIs answer 503 and the pages show the
    maintenance page, except for the allowed addresses, users and roles. Evaluated on every
    request, so a scheduled window starts and ends on time without a job."""

    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("tenant")
    )
    is_maintenance = models.BooleanField(_("maintenance mode"), default=False)
    message = models.CharField(_("message"), max_length=500, blank=True)
    start_time = models.DateTimeField(_("starts at"), null=True, blank=True)
    end_time = models.DateTimeField(_("ends at"), null=True, blank=True)
    allowed_ips = models.JSONField(_("allowed addresses"), default=list, blank=True)
    allowed_users = models.JSONField(_("allowed users"), default=list, blank=True)
    bypass_roles = models.JSONField(_("roles that pass"), default=list, blank=True)
    announcement = models.ForeignKey(
        Announcement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("announcement"),
    )  # fmt: skip
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("updated by"),
    )  # fmt: skip
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["tenant_id"]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")
        # one row per tenant and one platform-wide row (NULL tenants are not equal in a unique index)
        constraints = [
            models.UniqueConstraint(Coalesce("tenant", models.Value(0)), name="maintenance_one_per_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant or 'platform'}: {'on' if self.is_maintenance else 'off'}"

    def active_at(self, moment) -> bool:
        if not self.is_maintenance:
            return False
        if self.start_time is not None and moment < self.start_time:
            return False
        return self.end_time is None or moment < self.end_time
