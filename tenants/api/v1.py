"""v1 §1.2 tenant administration: platform super admins only (``system:tenant:*``)."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from accounts.fields import TENANT_CODE_PATTERN, TENANT_NAME_MAX, USERNAME_PATTERN
from accounts.models import UserStatus
from portal.api.responses import ApiResponse
from portal.api.views import V1ViewSet
from tenants import services
from tenants.models import Tenant, TenantStatus


class TenantSerializer(serializers.ModelSerializer):
    tenant_code = serializers.CharField(source="code")
    tenant_name = serializers.CharField(source="name")
    current_users = serializers.IntegerField(default=0)

    class Meta:
        model = Tenant
        fields = [
            "id",
            "tenant_code",
            "tenant_name",
            "domain",
            "status",
            "max_users",
            "current_users",
            "expire_time",
            "created_at",
            "updated_at",
            "config",
        ]


class TenantCreateSerializer(serializers.Serializer):
    tenant_code = serializers.RegexField(TENANT_CODE_PATTERN)
    tenant_name = serializers.CharField(max_length=TENANT_NAME_MAX)
    domain = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    max_users = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False, default=100)
    expire_time = serializers.DateTimeField(required=False, allow_null=True, default=None)
    admin_username = serializers.RegexField(USERNAME_PATTERN)
    admin_password = serializers.CharField(max_length=256, trim_whitespace=False)
    admin_email = serializers.EmailField()
    config = serializers.DictField(required=False, default=dict)


class TenantUpdateSerializer(serializers.Serializer):
    tenant_name = serializers.CharField(max_length=TENANT_NAME_MAX, required=False)
    domain = serializers.CharField(max_length=255, required=False, allow_blank=True)
    max_users = serializers.IntegerField(min_value=1, max_value=1_000_000, required=False)
    expire_time = serializers.DateTimeField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=TenantStatus.values, required=False)
    config = serializers.DictField(required=False)


class TenantFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TenantStatus.choices)
    keyword = django_filters.CharFilter(method="filter_keyword")

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(domain__icontains=value))


@extend_schema(tags=["tenants"])
class TenantViewSet(mixins.ListModelMixin, V1ViewSet):
    """``admin/tenants``: list, create (with built-in roles and the first admin), update,
    delete (= disable, data kept)."""

    required_permissions = {
        "list": "system:tenant:read",
        "create": "system:tenant:create",
        "update": "system:tenant:update",
        "destroy": "system:tenant:delete",
    }
    serializer_class = TenantSerializer
    filterset_class = TenantFilterSet
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_base_queryset(self):
        in_use = ~Q(users__status=UserStatus.INACTIVE)
        return Tenant.objects.annotate(current_users=Count("users", filter=in_use, distinct=True)).order_by("id")

    def _present(self, tenant, status=200, message=None):
        return ApiResponse(TenantSerializer(self.get_queryset().get(pk=tenant.pk)).data, status=status, message=message)

    @extend_schema(request=TenantCreateSerializer, responses={201: TenantSerializer, 409: None})
    def create(self, request):
        s = TenantCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        tenant = services.tenant_provision(
            code=d["tenant_code"],
            name=d["tenant_name"],
            domain=d["domain"],
            max_users=d["max_users"],
            expire_time=d["expire_time"],
            config=d["config"],
            admin_username=d["admin_username"],
            admin_password=d["admin_password"],
            admin_email=d["admin_email"],
            by=request.user,
        )
        return self._present(tenant, status=201, message=_("Tenant created."))

    @extend_schema(request=TenantUpdateSerializer, responses=TenantSerializer)
    def update(self, request, pk=None):
        tenant = self.get_object()
        s = TenantUpdateSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        data = dict(s.validated_data)
        if "tenant_name" in data:
            data["name"] = data.pop("tenant_name")
        services.tenant_update(tenant=tenant, data=data)
        return self._present(tenant, message=_("Tenant updated."))

    @extend_schema(responses={200: None})
    def destroy(self, request, pk=None):
        tenant = self.get_object()
        services.tenant_disable(tenant=tenant)
        return ApiResponse(None, message=_("Tenant disabled; its data is kept."))
