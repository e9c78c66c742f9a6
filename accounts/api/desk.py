import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from accounts import selectors, services
from accounts.api.schema_serializers import DeskUserCreatedSerializer
from accounts.api.serializers import DeskUserSerializer
from accounts.models import Role, UserStatus
from accounts.permission_catalog import BUILTIN_ROLE_RANK
from portal.api.errors import ErrorCode
from portal.api.responses import ApiResponse
from portal.api.views import DeskViewSet


class DeskUserFilterSet(django_filters.FilterSet):
    role = django_filters.CharFilter(method="filter_role")
    status = django_filters.ChoiceFilter(choices=UserStatus.choices)
    search = django_filters.CharFilter(method="filter_search")

    def filter_role(self, queryset, name, value):
        return queryset.filter(roles__code=value).distinct()

    def filter_search(self, queryset, name, value):
        return selectors.user_search(queryset, value)


class DeskUserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{2,64}$")
    email = serializers.EmailField()
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    first_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=BUILTIN_ROLE_RANK, required=False, default="user")
    status = serializers.ChoiceField(choices=["active", "inactive", "suspended"], required=False, default="active")


@extend_schema(tags=["users"])
class DeskUserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DeskViewSet):
    """Users of the caller's tenant (desk 用户管理接口). ``ticket_count`` / ``ticket_stats`` are
    not served yet: they belong to the tickets app."""

    required_permissions = {"list": "user:read", "retrieve": "user:read", "create": "user:create"}
    serializer_class = DeskUserSerializer
    filterset_class = DeskUserFilterSet
    not_found_code = ErrorCode.USER_NOT_FOUND

    def get_base_queryset(self):
        return selectors.user_list()

    @extend_schema(request=DeskUserCreateSerializer, responses={201: DeskUserCreatedSerializer, 409: None})
    def create(self, request):
        s = DeskUserCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        role = Role.objects.filter(tenant=request.user.tenant, code=d.pop("role")).first()
        user = services.user_admin_create(
            tenant=request.user.tenant,
            by=request.user,
            username=d.pop("username"),
            email=d.pop("email"),
            password=d.pop("password"),
            roles=[role] if role else [],
            status=d.pop("status"),
            ip=request.META.get("REMOTE_ADDR"),
            **d,
        )
        data = {
            "id": user.pk,
            "username": user.username,
            "email": user.email,
            "role": user.primary_role,
            "status": user.status,
            "created_at": serializers.DateTimeField().to_representation(user.created_at),
        }
        return ApiResponse(data, status=201, message=_("User created."))
