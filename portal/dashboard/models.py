"""The workbench's own records: per-user layouts and recently visited pages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.tenancy import TenantOwnedModel, TenantQuerySet


class AliveConfigManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class DashboardConfig(TenantOwnedModel):
    """One saved workbench layout of one user (v1 §2.1). A user may keep several named layouts;
    the one marked ``is_default`` is shown. Users without any get their role's default layout,
    built from the widget registry (``portal.dashboard.layouts``). Deleting is soft."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_configs", verbose_name=_("user")
    )
    config_name = models.CharField(_("name"), max_length=100)
    layout_config = models.JSONField(_("layout"), default=dict, blank=True)
    widget_configs = models.JSONField(_("widgets"), default=list, blank=True)
    theme_config = models.JSONField(_("theme"), default=dict, blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AliveConfigManager()
    all_objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "-updated_at", "-id"]
        base_manager_name = "all_objects"
        verbose_name = _("workbench layout")
        verbose_name_plural = _("workbench layouts")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "config_name"], condition=Q(is_deleted=False), name="dashboard_config_name_unique"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_deleted=False, is_default=True), name="dashboard_config_one_default"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "user", "is_deleted"], name="dashboard_config_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.config_name}"


class RecentVisit(TenantOwnedModel):
    """A page a user opened recently (v1 §2.4.1 ``recent_visits``): one row per user and URL,
    refreshed on every visit; only the latest few are kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_visits", verbose_name=_("user")
    )
    key = models.CharField(_("key"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    url = models.CharField(_("URL"), max_length=500)
    visited_at = models.DateTimeField(_("visited at"), default=timezone.now)

    class Meta:
        ordering = ["-visited_at", "-id"]
        verbose_name = _("recent visit")
        verbose_name_plural = _("recent visits")
        constraints = [models.UniqueConstraint(fields=["user", "url"], name="recent_visit_user_url")]
        indexes = [models.Index(fields=["user", "-visited_at"], name="recent_visit_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.url}"
