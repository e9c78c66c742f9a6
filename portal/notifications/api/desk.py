"""Desk contract: 通知管理接口 and 系统管理接口 email-config."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action

from portal.api.responses import ApiResponse
from portal.api.views import DeskAPIView, DeskViewSet
from portal.errors import DomainError, ErrorCode
from portal.notifications import selectors, senders, services
from portal.notifications.api.serializers import (
    DeskMarkReadSerializer,
    DeskNotificationListQuery,
    DeskNotificationSerializer,
    DeskReadAllSerializer,
    EmailConfigSerializer,
    EmailTestRequestSerializer,
    EmailTestResponseSerializer,
    UnreadCountSerializer,
    email_config_data,
)
from portal.notifications.models import Notification

ID_PARAMETER = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Notification id.")


def own_notification(view, pk) -> Notification:
    """The caller's own notification or NOTIFICATION_NOT_FOUND (someone else's is a 404 too)."""
    notification = selectors.inbox_for(view.request.user, view.get_queryset()).filter(pk=pk).first()
    if notification is None:
        raise DomainError(ErrorCode.NOTIFICATION_NOT_FOUND, details={"notification_id": pk})
    return notification


@extend_schema(tags=["notifications"])
class DeskNotificationViewSet(mixins.ListModelMixin, DeskViewSet):
    """The caller's own notifications; nobody sees or changes anyone else's."""

    required_permissions = {
        "list": "notification:read",
        "unread_count": "notification:read",
        "read": "notification:update",
        "read_all": "notification:update",
    }
    serializer_class = DeskNotificationSerializer
    lookup_value_regex = r"\d+"
    not_found_code = ErrorCode.NOTIFICATION_NOT_FOUND

    def get_base_queryset(self):
        return Notification.objects.all()

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="仅未读 (true/false)")],
        responses=DeskNotificationSerializer(many=True),
    )
    def list(self, request, *args, **kwargs):
        query = DeskNotificationListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = selectors.inbox_for(request.user, self.get_queryset())
        if query.validated_data["unread"] is True:
            rows = rows.filter(read_at__isnull=True)
        elif query.validated_data["unread"] is False:
            rows = rows.filter(read_at__isnull=False)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=None, responses=DeskMarkReadSerializer, parameters=[ID_PARAMETER])
    @action(detail=True, methods=["put"], url_path="read")
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=own_notification(self, pk))
        return ApiResponse(
            {"id": notification.id, "is_read": True, "read_at": notification.read_at},
            message=_("Notification marked as read."),
        )

    @extend_schema(request=None, responses=DeskReadAllSerializer)
    @action(detail=False, methods=["put"], url_path="read-all")
    def read_all(self, request):
        updated = services.notifications_mark_read(user=request.user)
        return ApiResponse({"updated": updated}, message=_("All notifications marked as read."))

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return ApiResponse({"count": selectors.unread_count(request.user)})


@extend_schema(tags=["admin"])
class DeskEmailConfigView(DeskAPIView):
    """``GET admin/email-config``: the effective SMTP settings of the caller's tenant (tenant
    override, else global), never the password; plus the last test's time and result."""

    required_permissions = "config:read"

    @extend_schema(responses=EmailConfigSerializer)
    def get(self, request):
        tenant = request.tenant
        data = email_config_data(senders.email_settings(tenant), selectors.last_email_test(tenant))
        return ApiResponse(EmailConfigSerializer(data).data)


@extend_schema(tags=["admin"])
class DeskEmailConfigTestView(DeskAPIView):
    """``POST admin/email-config/test``: connects to the configured SMTP server, sends a test mail
    to ``test_email`` and reports the outcome (stored as last_test_at / test_status). A failed
    send is a 200 with ``status: failed`` and the reason: the call itself worked."""

    required_permissions = "config:update"

    @extend_schema(request=EmailTestRequestSerializer, responses=EmailTestResponseSerializer)
    def post(self, request):
        body = EmailTestRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        to = body.validated_data["test_email"]
        result = services.email_config_test(tenant=request.tenant, to=to, by=request.user)
        if result.status == "success":
            message = _("Test email sent.")
        else:
            message = _("Sending the test email failed: %(reason)s") % {"reason": result.message}
        data = {"status": result.status, "message": message, "test_time": result.tested_at}
        return ApiResponse(EmailTestResponseSerializer(data).data, message=_("Email test finished."))
