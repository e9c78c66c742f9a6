"""v1 user, role, department, session and audit administration (§1.3, §1.4, §22.1, §22.3–22.6).

Querysets are tenant-scoped by the base class; another tenant's row is simply absent (404)."""

from __future__ import annotations

import django_filters
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action

from accounts import auth_services as auth
from accounts import selectors, services
from accounts.api import schema_serializers as out
from accounts.api.admin_serializers import (
    DepartmentCreateSerializer,
    DepartmentNodeSerializer,
    LoginLogSerializer,
    PermissionLogSerializer,
    SessionSerializer,
    V1UserDetailSerializer,
    V1UserListSerializer,
    V1UserStatusSerializer,
    V1UserUpdateSerializer,
    V1UserWriteSerializer,
    department_paths,
)
from accounts.api.serializers import PermissionSerializer
from accounts.api.v1 import RoleViewSet
from accounts.fields import named, named_all
from accounts.models import (
    Department,
    LoginLog,
    LoginSession,
    PermissionChangeLog,
    SessionEndReason,
    UserStatus,
    UserType,
)
from portal.api.responses import ApiResponse
from portal.api.views import V1ViewSet
from portal.client import client_ip
from portal.errors import ErrorCode
from portal.filters import IdFilter, IdListFilter, IPAddressFilter, MomentFilter


def _named_roles(request, ids):
    return named_all(selectors.role_choices_for(request.user), ids, field="role_ids", message=_("Unknown role."))


# --- Users ----------------------------------------------------------------------------------------


class V1UserFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=UserStatus.choices, method="filter_status")
    role_id = IdFilter(method="filter_role_ids")
    role_ids = IdListFilter(method="filter_role_ids")
    department_id = IdFilter(field_name="department_id")
    user_type = django_filters.ChoiceFilter(choices=UserType.choices)
    last_login_start = MomentFilter(field_name="last_login", lookup_expr="gte")
    last_login_end = MomentFilter(field_name="last_login", lookup_expr="lte")
    keyword = django_filters.CharFilter(method="filter_keyword")

    SORTS = {
        "created_at": "created_at",
        "last_login_time": "last_login",
        "username": "username",
        "login_count": "login_count",
        "id": "id",
    }

    def filter_status(self, queryset, name, value):
        # "locked" also means locked out by failed sign-ins (until the lockout runs out).
        locked_out = Q(status=UserStatus.ACTIVE, locked_until__gt=timezone.now())
        if value == UserStatus.LOCKED:
            return queryset.filter(Q(status=UserStatus.LOCKED) | locked_out)
        if value == UserStatus.ACTIVE:
            return queryset.filter(status=UserStatus.ACTIVE).exclude(locked_out)
        return queryset.filter(status=value)

    def filter_role_ids(self, queryset, name, value):
        ids = value if isinstance(value, list) else [value]
        return queryset.filter(role_grants__role_id__in=ids).distinct() if ids else queryset.none()

    def filter_keyword(self, queryset, name, value):
        return selectors.user_search(queryset, value)

    @property
    def qs(self):
        queryset = super().qs
        sort = self.SORTS.get(self.data.get("sort") or "")
        if sort:
            prefix = "" if (self.data.get("order") or "").lower() == "asc" else "-"
            queryset = queryset.order_by(f"{prefix}{sort}", "-id" if prefix else "id")
        return queryset


class _UserViewSetBase(V1ViewSet):
    filterset_class = V1UserFilterSet

    def get_base_queryset(self):
        now = timezone.now()
        live = Q(login_sessions__ended_at__isnull=True, login_sessions__expires_at__gt=now)
        return selectors.user_list().annotate(session_count=Count("login_sessions", filter=live, distinct=True))

    def get_serializer_class(self):
        return V1UserListSerializer if self.action == "list" else V1UserDetailSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated and user.tenant_id:
            context["department_paths"] = department_paths(selectors.departments_for(user))
        if user is not None and user.is_authenticated:
            context["contact_viewer"] = user  # masks e-mails and phones for readers who don't manage users
        return context

    def _detail(self, user, status=200, message=None):
        fresh = self.get_queryset().get(pk=user.pk)
        return ApiResponse(self.get_serializer(fresh).data, status=status, message=message)

    @extend_schema(request=V1UserWriteSerializer, responses={201: V1UserDetailSerializer, 409: None})
    def create(self, request):
        s = V1UserWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        profile = d.pop("profile", {}) or {}
        manager = named(selectors.users_for(request.user), profile.pop("manager_id", None), field="manager_id")
        if "timezone" in profile:
            profile["time_zone"] = profile.pop("timezone")
        user = services.user_admin_create(
            tenant=request.user.tenant,
            by=request.user,
            username=d.pop("username"),
            email=d.pop("email"),
            password=d.pop("password"),
            roles=_named_roles(request, d.pop("role_ids", None)),
            status=d.pop("status", UserStatus.ACTIVE),
            department=named(
                selectors.departments_for(request.user), d.pop("department_id", None), field="department_id"
            ),
            manager=manager,
            ip=client_ip(request),
            send_welcome_email=d.pop("send_welcome_email", False),
            **d,
            **profile,
        )
        return self._detail(user, status=201, message=_("User created."))

    @extend_schema(request=V1UserUpdateSerializer, responses={200: V1UserDetailSerializer, 409: None})
    def update(self, request, pk=None):
        user = self.get_object()
        s = V1UserUpdateSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        profile = d.pop("profile", None) or {}
        kwargs = {}
        if "department_id" in d:
            departments = selectors.departments_for(request.user)
            kwargs["department"] = named(departments, d.pop("department_id"), field="department_id")
        if "manager_id" in profile:
            kwargs["manager"] = named(selectors.users_for(request.user), profile.pop("manager_id"), field="manager_id")
        if "timezone" in profile:
            profile["time_zone"] = profile.pop("timezone")
        status = d.pop("status", None)
        services.user_update(
            user=user,
            by=request.user,
            data={**d, **profile},
            roles=_named_roles(request, d.pop("role_ids", None)),
            ip=client_ip(request),
            **kwargs,
        )
        if status is not None and status != user.status:
            services.user_set_status(user=user, status=status, by=request.user)
        return self._detail(user, message=_("User updated."))


@extend_schema(tags=["users"])
class V1UserViewSet(mixins.ListModelMixin, _UserViewSetBase):
    """§1.3: ``users`` — list, create, update, delete (= deactivate), reset password."""

    required_permissions = {
        "list": "user:read",
        "create": "user:create",
        "update": "user:update",
        "destroy": "user:delete",
        "reset_password": "user:reset-password",
    }
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    @extend_schema(responses={200: None})
    def destroy(self, request, pk=None):
        user = self.get_object()
        services.user_deactivate(user=user, by=request.user)
        return ApiResponse(None, message=_("User deactivated."))

    @extend_schema(
        request=None,
        responses=out.ResetPasswordResultSerializer,
        description="Body `{new_password}` sets it (the user must change it at next sign-in); "
        "without a body the user is emailed a single-use reset link.",
    )
    @action(detail=True, methods=["post"], url_path="reset-password")
    def reset_password(self, request, pk=None):
        user = self.get_object()
        new_password = request.data.get("new_password") if hasattr(request.data, "get") else None
        reset_url = request.build_absolute_uri("/accounts/password/reset/confirm/")
        how = services.user_admin_reset_password(
            user=user, by=request.user, new_password=new_password, reset_url=reset_url
        )
        message = _("Password reset.") if how == "password" else _("A reset link was emailed to the user.")
        return ApiResponse({"user_id": user.pk, "reset_type": how}, message=message)


@extend_schema(tags=["users"])
class V1AdminUserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _UserViewSetBase):
    """§22.1 ``admin/users`` and §22.5.1 ``admin/users/{id}/sessions``."""

    required_permissions = {
        "list": "user:read",
        "retrieve": "user:read",
        "create": "user:create",
        "update": "user:update",
        "status": "user:update",
        "sessions": "session:read",
    }
    http_method_names = ["get", "post", "put", "head", "options"]
    not_found_code = ErrorCode.USER_NOT_FOUND

    @extend_schema(request=V1UserStatusSerializer, responses=out.UserStatusResultSerializer)
    @action(detail=True, methods=["put"], url_path="status")
    def status(self, request, pk=None):
        user = self.get_object()
        s = V1UserStatusSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        scheduled = services.user_schedule_status(
            user=user, status=d["status"], reason=d["reason"], effective_time=d.get("effective_time"), by=request.user
        )
        if scheduled is not None:
            return ApiResponse(
                {
                    "user_id": user.pk,
                    "status": user.status,
                    "scheduled": True,
                    "scheduled_status": scheduled.status,
                    "effective_time": scheduled.effective_time,
                },
                message=_("Status change scheduled."),
            )
        return ApiResponse(
            {"user_id": user.pk, "status": user.status, "scheduled": False}, message=_("Status updated.")
        )

    @extend_schema(responses=SessionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="sessions", pagination_class=None)
    def sessions(self, request, pk=None):
        user = self.get_object()
        rows = LoginSession.objects.filter(user=user).order_by("-created_at", "-id")[:100]
        current = getattr(request, "_login_session", None)
        context = {"current_session_key": current.key if current else None}
        return ApiResponse(SessionSerializer(rows, many=True, context=context).data)


# --- Sessions -------------------------------------------------------------------------------------------


@extend_schema(tags=["sessions"])
class V1SessionViewSet(V1ViewSet):
    """§22.5.2 ``DELETE admin/sessions/{session_id}``: forced sign-out, effective at once."""

    required_permissions = {"destroy": "session:delete"}
    serializer_class = SessionSerializer
    lookup_field = "key"
    lookup_value_regex = r"[A-Za-z0-9_-]+"
    queryset = LoginSession.objects.all()

    @extend_schema(responses={200: None})
    def destroy(self, request, key=None):
        session = self.get_object()
        auth.session_end(session=session, reason=SessionEndReason.FORCED)
        return ApiResponse(None, message=_("Session ended."))


# --- Roles and permissions --------------------------------------------------------------------------------


@extend_schema(tags=["roles"])
class V1AdminRoleViewSet(RoleViewSet):
    """§22.3.1/22.3.2: ``admin/roles`` (an array, not paginated, as documented); otherwise the
    same calls as §1.4 ``roles``."""

    pagination_class = None


@extend_schema(tags=["roles"])
class V1AdminPermissionViewSet(mixins.ListModelMixin, V1ViewSet):
    """§22.3.3: the permission catalogue (an array)."""

    required_permissions = {"list": "permission:read"}
    serializer_class = PermissionSerializer
    pagination_class = None

    def get_base_queryset(self):
        return selectors.permission_list()


# --- Departments ---------------------------------------------------------------------------------------------


@extend_schema(tags=["departments"])
class V1DepartmentViewSet(V1ViewSet):
    """§22.4: the tenant's organisation tree with user counts; creation serialised."""

    required_permissions = {"list": "department:read", "create": "department:create"}
    pagination_class = None
    serializer_class = out.DepartmentTreeSerializer

    def get_base_queryset(self):
        return selectors.department_tree(Department.objects.all())

    @extend_schema(responses=out.DepartmentTreeSerializer(many=True))
    def list(self, request):
        nodes = list(self.get_queryset())
        rows = {n.pk: {**DepartmentNodeSerializer(n).data, "children": []} for n in nodes}
        roots = []
        for node in nodes:
            (rows[node.parent_id]["children"] if node.parent_id in rows else roots).append(rows[node.pk])
        return ApiResponse(roots)

    @extend_schema(request=DepartmentCreateSerializer, responses={201: out.DepartmentTreeSerializer, 409: None})
    def create(self, request):
        s = DepartmentCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        node = services.department_create(
            tenant=request.user.tenant,
            code=d["department_code"],
            name=d["department_name"],
            description=d["description"],
            parent=named(selectors.departments_for(request.user), d.get("parent_id"), field="parent_id"),
            manager=named(selectors.users_for(request.user), d.get("manager_id"), field="manager_id"),
            sort_order=d["sort_order"],
        )
        fresh = self.get_queryset().get(pk=node.pk)
        return ApiResponse(
            {**DepartmentNodeSerializer(fresh).data, "children": []}, status=201, message=_("Department created.")
        )


# --- Audit ------------------------------------------------------------------------------------------------------


class LoginLogFilterSet(django_filters.FilterSet):
    user_id = IdFilter(field_name="user_id")
    result = django_filters.ChoiceFilter(choices=[("success", "success"), ("failure", "failure")])
    start_time = MomentFilter(field_name="created_at", lookup_expr="gte")
    end_time = MomentFilter(field_name="created_at", lookup_expr="lte")
    ip_address = IPAddressFilter(field_name="ip_address")


@extend_schema(tags=["audit"])
class V1LoginLogViewSet(mixins.ListModelMixin, V1ViewSet):
    """§22.6.1: every sign-in attempt of the tenant."""

    required_permissions = {"list": "audit:read"}
    serializer_class = LoginLogSerializer
    filterset_class = LoginLogFilterSet

    def get_base_queryset(self):
        return LoginLog.objects.select_related("session").order_by("-created_at", "-id")


class PermissionLogFilterSet(django_filters.FilterSet):
    target_user_id = IdFilter(field_name="target_user_id")
    operator_id = IdFilter(field_name="operator_id")
    operation_type = django_filters.CharFilter(field_name="operation_type")
    start_time = MomentFilter(field_name="created_at", lookup_expr="gte")
    end_time = MomentFilter(field_name="created_at", lookup_expr="lte")


@extend_schema(tags=["audit"])
class V1PermissionLogViewSet(mixins.ListModelMixin, V1ViewSet):
    """§22.6.2: role assignments and permission changes, written as they happened."""

    required_permissions = {"list": "audit:read"}
    serializer_class = PermissionLogSerializer
    filterset_class = PermissionLogFilterSet

    def get_base_queryset(self):
        return PermissionChangeLog.objects.order_by("-created_at", "-id")
