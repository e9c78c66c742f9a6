"""Tenancy primitives of the core: the tenant-owned base model, its scoping queryset, and the
one scoping call that API and page base classes apply to every queryset they serve.

They live in the core (not in the ``tenants`` app) so that ``portal`` and its sub-apps
(notifications, SLA, …) can own tenant rows without importing an app: the tenant model is
referred to by its label only (:data:`TENANT_MODEL`). The ``tenants`` app owns the ``Tenant``
model itself, its pages and its API.

Every tenant-owned row carries ``tenant``; requests never pick a tenant themselves, the
principal's tenant decides. Another tenant's object is simply absent: a 404, never a 403.
"""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

#: The tenant model's label (the ``tenants`` app): use it for foreign keys from the core.
TENANT_MODEL = "tenants.Tenant"


class TenantQuerySet(models.QuerySet):
    def for_tenant(self, tenant):
        """Rows of one tenant. ``None`` (a platform principal) sees no tenant's rows."""
        if tenant is None:
            return self.none()
        return self.filter(tenant=tenant)

    def for_user(self, user):
        return self.for_tenant(principal_tenant(user))


class TenantOwnedModel(models.Model):
    """Base for every tenant-owned row: the ``tenant`` foreign key and the scoping queryset.

    API and page base classes scope querysets of these models to the principal's tenant
    (:func:`scope_to_principal`); selectors start from ``Model.objects.for_user(user)``."""

    tenant = models.ForeignKey(TENANT_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant"))

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


def model_is_tenant_owned(model) -> bool:
    try:
        field = model._meta.get_field("tenant")
    except Exception:  # noqa: BLE001 - FieldDoesNotExist and friends
        return False
    return field.is_relation and field.related_model._meta.label == TENANT_MODEL


def principal_tenant(user):
    """The tenant a principal acts for; ``None`` for anonymous and platform principals."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "tenant", None)


def scope_to_principal(queryset: QuerySet, user) -> QuerySet:
    """Restrict ``queryset`` to what the principal's tenant owns (nothing for anonymous or
    platform principals). Models that are not tenant-owned pass through unchanged."""
    if not model_is_tenant_owned(queryset.model):
        return queryset
    tenant = principal_tenant(user)
    if tenant is None:
        return queryset.none()
    return queryset.filter(tenant=tenant)


def scope_to_operator(queryset: QuerySet, user, *, with_platform_rows: bool = False) -> QuerySet:
    """For the few pages the platform administrator shares with tenant administrators
    (maintenance windows, announcements): the platform sees every tenant's rows (and, with
    ``with_platform_rows``, the rows of no tenant, e.g. platform accounts); anyone else sees
    their own tenant's, as :func:`scope_to_principal`."""
    if getattr(user, "is_platform_admin", False):
        return queryset if with_platform_rows else queryset.filter(tenant__isnull=False)
    tenant = principal_tenant(user)
    return queryset.none() if tenant is None else queryset.filter(tenant=tenant)
