from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins

from accounts import selectors, services
from accounts.api.admin_serializers import V1RoleCreateSerializer
from accounts.api.serializers import PermissionSerializer, RoleSerializer
from accounts.fields import named
from portal.api.responses import ApiResponse
from portal.api.views import V1ViewSet
from portal.client import client_ip


@extend_schema(tags=["roles"])
class RoleViewSet(mixins.ListModelMixin, V1ViewSet):
    """Roles of the caller's tenant (v1 §1.4.1)."""

    required_permissions = {"list": "role:read", "create": "role:create"}
    serializer_class = RoleSerializer

    def get_base_queryset(self):
        return selectors.roles_for(self.request.user)

    @extend_schema(request=V1RoleCreateSerializer, responses={201: RoleSerializer, 409: None})
    def create(self, request):
        """§1.4.2: ``role_code``, ``role_name``, ``description``, ``permissions``."""
        s = V1RoleCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        parent = named(
            selectors.role_choices_for(request.user),
            d.get("parent_role_id"),
            field="parent_role_id",
            message=_("Unknown parent role."),
        )
        role = services.role_create(
            tenant=request.user.tenant,
            by=request.user,
            code=d["role_code"],
            name=d["role_name"],
            description=d["description"],
            role_type=d["role_type"],
            permission_codes=list(d.get("permission_codes") or []) + list(d.get("permissions") or []),
            parent=parent,
            ip=client_ip(request),
        )
        fresh = selectors.roles_for(request.user).get(pk=role.pk)
        return ApiResponse(RoleSerializer(fresh).data, status=201, message=_("Role created."))


@extend_schema(tags=["roles"])
class PermissionViewSet(mixins.ListModelMixin, V1ViewSet):
    """The permission catalogue (v1 §1.4.3)."""

    required_permissions = {"list": "permission:read"}
    serializer_class = PermissionSerializer

    def get_base_queryset(self):
        return selectors.permission_list()
