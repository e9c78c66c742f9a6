"""Portal API v1 §2.5 消息通知 (+ the caller's own preferences, not in the document)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action

from portal.api.responses import ApiResponse
from portal.api.views import V1ViewSet
from portal.errors import ErrorCode
from portal.notifications import selectors, services
from portal.notifications.api.desk import ID_PARAMETER, own_notification
from portal.notifications.api.serializers import (
    BatchReadSerializer,
    PreferencesSerializer,
    PreferencesUpdateSerializer,
    V1BatchReadResultSerializer,
    V1MarkReadSerializer,
    V1NotificationListQuery,
    V1NotificationPageSerializer,
    V1NotificationSerializer,
)
from portal.notifications.models import Notification


@extend_schema(tags=["notifications"])
class V1NotificationViewSet(V1ViewSet):
    """The caller's own notifications; nobody sees or changes anyone else's."""

    required_permissions = {
        "list": "notification:read",
        "read": "notification:update",
        "batch_read": "notification:update",
        "preferences": "notification:read",
        "preferences_update": "notification:update",
    }
    serializer_class = V1NotificationSerializer
    lookup_value_regex = r"\d+"
    not_found_code = ErrorCode.NOTIFICATION_NOT_FOUND

    def get_base_queryset(self):
        return Notification.objects.all()

    @extend_schema(
        parameters=[
            OpenApiParameter("type", str, enum=sorted(selectors.V1_CATEGORIES)),
            OpenApiParameter("status", str, enum=["unread", "read", "all"]),
            OpenApiParameter("page", int),
            OpenApiParameter("size", int),
        ],
        responses=V1NotificationPageSerializer,
        description="data = {unread_count, notifications, total, page, size, items}: the documented "
        "unread_count and notifications plus the v1 page shape (items is the same list).",
    )
    def list(self, request):
        query = V1NotificationListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.inbox_for(request.user, self.get_queryset())
        unread = rows.filter(read_at__isnull=True).count()
        if query.validated_data.get("type"):
            rows = rows.filter(type__in=selectors.V1_CATEGORIES[query.validated_data["type"]])
        if query.validated_data["status"] == "unread":
            rows = rows.filter(read_at__isnull=True)
        elif query.validated_data["status"] == "read":
            rows = rows.filter(read_at__isnull=False)
        page = self.paginate_queryset(rows)
        paginator = self.paginator
        rows = self.get_serializer(page, many=True).data
        return ApiResponse(
            {
                "unread_count": unread,
                "notifications": rows,
                "total": paginator.total,
                "page": paginator.page,
                "size": paginator.size,
                "items": rows,
            },
            message=_("Fetched successfully."),
        )

    @extend_schema(request=None, responses=V1MarkReadSerializer, parameters=[ID_PARAMETER])
    @action(detail=True, methods=["put"], url_path="read")
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=own_notification(self, pk))
        return ApiResponse(
            {"id": notification.id, "status": "read", "read_at": notification.read_at},
            message=_("Notification marked as read."),
        )

    @extend_schema(request=BatchReadSerializer, responses=V1BatchReadResultSerializer)
    @action(detail=False, methods=["put"], url_path="batch-read")
    def batch_read(self, request):
        body = BatchReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated = services.notifications_mark_read(user=request.user, ids=body.validated_data["notification_ids"])
        return ApiResponse(
            {"updated_count": updated, "unread_count": selectors.unread_count(request.user)},
            message=_("Notifications marked as read."),
        )

    @extend_schema(
        responses=PreferencesSerializer,
        description="Not in the v1 document: the caller's channels (in_app, email, chat) per notification type.",
    )
    @action(detail=False, methods=["get"], url_path="preferences")
    def preferences(self, request):
        return ApiResponse(PreferencesSerializer({"preferences": selectors.preferences_for(request.user)}).data)

    @extend_schema(
        request=PreferencesUpdateSerializer,
        responses=PreferencesSerializer,
        description="Not in the v1 document: change the caller's channels; body "
        "{preferences: [{type, in_app?, email?, chat?}]}; returns the full list.",
    )
    @preferences.mapping.put
    def preferences_update(self, request):
        body = PreferencesUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.preferences_update(user=request.user, changes=body.validated_data["preferences"])
        return ApiResponse(
            PreferencesSerializer({"preferences": selectors.preferences_for(request.user)}).data,
            message=_("Preferences saved."),
        )
