"""One scoping mechanism for every request-serving queryset.

``scope_to_principal`` is what the API and page base classes call on every queryset they
serve; models that carry a ``tenant`` are filtered to the principal's tenant. Another tenant's
object is therefore simply absent: a 404, never a 403.
"""

from django.db.models import QuerySet


def model_is_tenant_owned(model) -> bool:
    try:
        field = model._meta.get_field("tenant")
    except Exception:  # noqa: BLE001 - FieldDoesNotExist and friends
        return False
    return field.is_relation and field.related_model._meta.label == "tenants.Tenant"


def principal_tenant(user):
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
