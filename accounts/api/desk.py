import django_filters
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers

from accounts import selectors, services
from accounts.api.schema_serializers import DeskUserCreatedSerializer
from accounts.api.serializers import DeskUserSerializer
from accounts.fields import USERNAME_PATTERN
from accounts.models import UserStatus
from accounts.permission_catalog import BUILTIN_ROLE_RANK
from portal.api.responses import ApiResponse
from portal.api.views import DeskViewSet
from portal.client import client_ip
from portal.errors import ErrorCode


class DeskUserFilterSet(django_filters.FilterSet):
    role = django_filters.CharFilter(method="filter_role")
    status = django_filters.ChoiceFilter(choices=UserStatus.choices)
    search = django_filters.CharFilter(method="filter_search")

    def filter_role(self, queryset, name, value):
        return queryset.filter(roles__code=value).distinct()

    def filter_search(self, queryset, name, value):
        return selectors.user_search(queryset, value)


class DeskUserCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(USERNAME_PATTERN)
    email = serializers.EmailField()
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    first_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=BUILTIN_ROLE_RANK, required=False, default="user")
    status = serializers.ChoiceField(choices=["active", "inactive", "suspended"], required=False, default="active")


@extend_schema(tags=["users"])
def _count(tickets) -> Subquery:
    """A correlated ``COUNT`` over ``tickets`` (one subquery per figure: no join fan-out, and the
    list stays one query whatever the page size)."""
    return Subquery(
        tickets.order_by().values("tenant_id").annotate(n=Count("id")).values("n")[:1],
        output_field=IntegerField(),
    )


def with_ticket_figures(queryset, *, detail: bool = False):
    """``ticket_count`` (alive tickets the user filed or is assigned) and, for the detail,
    ``ticket_stats`` figures: created (filed), assigned (currently assigned), resolved
    (assigned to them and resolved or closed)."""
    from tickets.models import Ticket

    user = OuterRef("pk")
    queryset = queryset.annotate(
        ticket_count=Coalesce(_count(Ticket.objects.filter(Q(created_by=user) | Q(assigned_to=user))), 0)
    )
    if detail:
        queryset = queryset.annotate(
            stat_created=Coalesce(_count(Ticket.objects.filter(created_by=user)), 0),
            stat_assigned=Coalesce(_count(Ticket.objects.filter(assigned_to=user)), 0),
            stat_resolved=Coalesce(
                _count(Ticket.objects.filter(assigned_to=user, status__in=["resolved", "closed"])), 0
            ),
        )
    return queryset


class DeskUserListSerializer(DeskUserSerializer):
    ticket_count = serializers.IntegerField(read_only=True)

    class Meta(DeskUserSerializer.Meta):
        fields = [*DeskUserSerializer.Meta.fields, "ticket_count"]


class TicketStatsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    assigned = serializers.IntegerField()
    resolved = serializers.IntegerField()


class DeskUserDetailSerializer(DeskUserSerializer):
    ticket_stats = serializers.SerializerMethodField()

    class Meta(DeskUserSerializer.Meta):
        fields = [*DeskUserSerializer.Meta.fields, "ticket_stats"]

    @extend_schema_field(TicketStatsSerializer)
    def get_ticket_stats(self, user) -> dict:
        return {"created": user.stat_created, "assigned": user.stat_assigned, "resolved": user.stat_resolved}


class DeskUserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, DeskViewSet):
    """Users of the caller's tenant (desk 用户管理接口), with ``ticket_count`` on the list and
    ``ticket_stats`` on the detail (aggregate subqueries)."""

    required_permissions = {"list": "user:read", "retrieve": "user:read", "create": "user:create"}
    serializer_class = DeskUserSerializer
    filterset_class = DeskUserFilterSet
    not_found_code = ErrorCode.USER_NOT_FOUND

    def get_base_queryset(self):
        return with_ticket_figures(selectors.user_list(), detail=self.action == "retrieve")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return DeskUserDetailSerializer
        if self.action == "list":
            return DeskUserListSerializer
        return DeskUserSerializer

    @extend_schema(request=DeskUserCreateSerializer, responses={201: DeskUserCreatedSerializer, 409: None})
    def create(self, request):
        s = DeskUserCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        role = selectors.role_choices_for(request.user).filter(code=d.pop("role")).first()
        user = services.user_admin_create(
            tenant=request.user.tenant,
            by=request.user,
            username=d.pop("username"),
            email=d.pop("email"),
            password=d.pop("password"),
            roles=[role] if role else [],
            status=d.pop("status"),
            ip=client_ip(request),
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
