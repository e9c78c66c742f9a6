from drf_spectacular.utils import extend_schema
from rest_framework import mixins

from accounts import selectors
from accounts.api.admin_serializers import V1RoleCreateSerializer
from accounts.api.serializers import PermissionSerializer, RoleSerializer
from portal.api.views import V1ViewSet


@extend_schema(tags=["roles"])
class RoleViewSet(mixins.ListModelMixin, V1ViewSet):
    """Roles of the caller's tenant (v1 §1.4.1)."""

    required_permissions = {"list": "role:read", "create": "role:create"}
    serializer_class = RoleSerializer

    def get_base_queryset(self):
        return selectors.role_list()

    @extend_schema(request=V1RoleCreateSerializer, responses={201: RoleSerializer, 409: None})
    def create(self, request):
        """§1.4.2: ``role_code``, ``role_name``, ``description``, ``permissions``."""
        from accounts.api.admin import _create_role

        return _create_role(request)


@extend_schema(tags=["roles"])
class PermissionViewSet(mixins.ListModelMixin, V1ViewSet):
    """The permission catalogue (v1 §1.4.3)."""

    required_permissions = {"list": "permission:read"}
    serializer_class = PermissionSerializer

    def get_base_queryset(self):
        return selectors.permission_list()
