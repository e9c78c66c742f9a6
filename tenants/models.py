from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TenantStatus(models.IntegerChoices):
    NORMAL = 1, _("Normal")
    DISABLED = 2, _("Disabled")
    EXPIRED = 3, _("Expired")


class Tenant(models.Model):
    """A customer organisation. Every business row belongs to exactly one tenant, and nothing
    of one tenant is ever visible to another (see ``TenantOwnedModel``)."""

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


class TenantQuerySet(models.QuerySet):
    def for_tenant(self, tenant):
        """Rows of one tenant. ``None`` (a platform principal) sees no tenant's rows."""
        if tenant is None:
            return self.none()
        return self.filter(tenant=tenant)

    def for_user(self, user):
        return self.for_tenant(getattr(user, "tenant", None) if user and user.is_authenticated else None)


class TenantOwnedModel(models.Model):
    """Base for every tenant-owned row: the ``tenant`` foreign key and the scoping queryset.

    Requests never pick a tenant themselves: API and page base classes scope querysets of
    these models to the principal's tenant (``tenants.scoping``)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
