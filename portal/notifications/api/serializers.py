from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from portal.notifications import selectors, senders
from portal.notifications.models import Notification, NotificationType


class DeskNotificationSerializer(serializers.ModelSerializer):
    """Desk 通知管理接口 item: ``{id, type, title, message, data, is_read, created_at}``."""

    data = serializers.SerializerMethodField()
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "type", "title", "message", "data", "is_read", "created_at"]

    def get_data(self, obj) -> dict:
        data = dict(obj.data or {})
        if obj.ticket_id is not None:
            data.setdefault("ticket_id", obj.ticket_id)
        return data


class V1NotificationSerializer(serializers.ModelSerializer):
    """v1 §2.5.1 item: ``type`` is the v1 category (system, ticket, alert, announcement),
    ``event_type`` the precise type; ``content``, ``status`` (unread/read), ``priority`` and
    ``action_url`` as documented."""

    type = serializers.SerializerMethodField()
    event_type = serializers.CharField(source="type", read_only=True)
    content = serializers.CharField(source="message", read_only=True)
    status = serializers.SerializerMethodField()
    priority = serializers.SerializerMethodField()
    action_url = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id", "type", "event_type", "title", "content", "status", "priority", "ticket_id", "data",
            "created_at", "read_at", "action_url",
        ]  # fmt: skip

    def get_type(self, obj) -> str:
        return selectors.V1_CATEGORY_OF.get(obj.type, "system")

    def get_status(self, obj) -> str:
        return "read" if obj.read_at else "unread"

    def get_priority(self, obj) -> str:
        return selectors.V1_PRIORITY_OF.get(obj.type, "low")

    def get_action_url(self, obj) -> str:
        return senders.action_url(obj)


class V1NotificationListQuery(serializers.Serializer):
    type = serializers.ChoiceField(choices=sorted(selectors.V1_CATEGORIES), required=False)
    status = serializers.ChoiceField(choices=["unread", "read", "all"], required=False, default="all")


class DeskNotificationListQuery(serializers.Serializer):
    unread = serializers.BooleanField(required=False, allow_null=True, default=None)


class BatchReadSerializer(serializers.Serializer):
    notification_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=1000
    )


class PreferenceSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=NotificationType.choices)
    name = serializers.CharField(read_only=True)
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)
    chat = serializers.BooleanField(required=False)
    locked = serializers.BooleanField(
        read_only=True, help_text="In-app and email stay on for this type (security notices)."
    )


class PreferencesUpdateSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True, allow_empty=False)


class EmailConfigSerializer(serializers.Serializer):
    """Desk ``GET admin/email-config``; the password is never part of it."""

    smtp_host = serializers.CharField()
    smtp_port = serializers.IntegerField()
    smtp_username = serializers.CharField()
    smtp_from = serializers.CharField()
    smtp_from_name = serializers.CharField()
    use_tls = serializers.BooleanField()
    use_ssl = serializers.BooleanField()
    is_enabled = serializers.BooleanField()
    has_password = serializers.BooleanField()
    last_test_at = serializers.DateTimeField(allow_null=True)
    test_status = serializers.CharField(allow_null=True)


class EmailTestRequestSerializer(serializers.Serializer):
    test_email = serializers.EmailField()


class EmailTestResponseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["success", "failed"])
    message = serializers.CharField()
    test_time = serializers.DateTimeField()


def email_config_data(cfg: senders.EmailSettings, last_test) -> dict:
    return {
        "smtp_host": cfg.host,
        "smtp_port": cfg.port,
        "smtp_username": cfg.username,
        "smtp_from": cfg.sender,
        "smtp_from_name": cfg.sender_name,
        "use_tls": cfg.use_tls,
        "use_ssl": cfg.use_ssl,
        "is_enabled": cfg.enabled,
        "has_password": bool(cfg.password),
        "last_test_at": last_test.tested_at if last_test else None,
        "test_status": last_test.status if last_test else None,
    }


# --- response bodies (documented in the OpenAPI schemas) ------------------------------------


@extend_schema_serializer(many=False)  # already the whole page: the schema must not wrap it in a page again
class V1NotificationPageSerializer(serializers.Serializer):
    """v1 §2.5.1 ``data``: the documented ``unread_count`` and ``notifications``, plus the v1
    page shape every list has (``items`` is the same list as ``notifications``)."""

    total = serializers.IntegerField()
    page = serializers.IntegerField()
    size = serializers.IntegerField()
    items = V1NotificationSerializer(many=True)
    unread_count = serializers.IntegerField(
        required=False, help_text="All my unread notifications, whatever the filter."
    )
    notifications = V1NotificationSerializer(many=True, required=False, help_text="The page (as documented).")


class UnreadCountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class DeskMarkReadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    is_read = serializers.BooleanField()
    read_at = serializers.DateTimeField()


class DeskReadAllSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many notifications changed from unread to read.")


class V1MarkReadSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["read"])
    read_at = serializers.DateTimeField()


class V1BatchReadResultSerializer(serializers.Serializer):
    updated_count = serializers.IntegerField(help_text="Ids that are not the caller's are ignored.")
    unread_count = serializers.IntegerField()


class PreferencesSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True)
