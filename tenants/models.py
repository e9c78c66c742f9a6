from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The tenant-owned base model and its queryset live in the core (``portal.tenancy``) so the
# core's own models can use them; re-exported here for code that imports them from the app.
from portal.tenancy import TenantOwnedModel, TenantQuerySet  # noqa: F401


class TenantStatus(models.IntegerChoices):
    NORMAL = 1, _("Normal")
    DISABLED = 2, _("Disabled")
    EXPIRED = 3, _("Expired")


class Tenant(models.Model):
    """A customer organisation. Every business row belongs to exactly one tenant, and nothing
    of one tenant is ever visible to another (see ``portal.tenancy.TenantOwnedModel``)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=128)
    domain = models.CharField(_("domain"), max_length=255, blank=True)
    status = models.PositiveSmallIntegerField(_("status"), choices=TenantStatus.choices, default=TenantStatus.NORMAL)
    max_users = models.PositiveIntegerField(_("maximum users"), default=100)
    expire_time = models.DateTimeField(_("expires at"), null=True, blank=True)
    config = models.JSONField(_("configuration"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_expired(self) -> bool:
        return self.status == TenantStatus.EXPIRED or (
            self.expire_time is not None and self.expire_time <= timezone.now()
        )

    @property
    def is_usable(self) -> bool:
        """Whether the tenant's users may sign in and work (status normal, not past expiry)."""
        return self.status == TenantStatus.NORMAL and not self.is_expired
