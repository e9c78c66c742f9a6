import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins

from accounts import selectors
from accounts.api.serializers import DeskUserSerializer
from accounts.models import UserStatus
from portal.api.errors import ErrorCode
from portal.api.views import DeskViewSet


class DeskUserFilterSet(django_filters.FilterSet):
    role = django_filters.CharFilter(method="filter_role")
    status = django_filters.ChoiceFilter(choices=UserStatus.choices)
    search = django_filters.CharFilter(method="filter_search")

    def filter_role(self, queryset, name, value):
        return queryset.filter(roles__code=value).distinct()

    def filter_search(self, queryset, name, value):
        return selectors.user_search(queryset, value)


@extend_schema(tags=["users"])
class DeskUserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DeskViewSet):
    """Users of the caller's tenant (desk 用户管理接口)."""

    required_permissions = {"list": "user:read", "retrieve": "user:read"}
    serializer_class = DeskUserSerializer
    filterset_class = DeskUserFilterSet
    not_found_code = ErrorCode.USER_NOT_FOUND

    def get_base_queryset(self):
        return selectors.user_list()
