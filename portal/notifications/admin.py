from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.notifications.models import ChatRobot, Delivery, Notification, NotificationPreference, NotificationType


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["channel", "target", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "type", "recipient", "tenant", "in_app", "read_at", "created_at"]
    list_filter = ["type", "in_app", "tenant"]
    search_fields = ["title", "message", "recipient__username"]
    raw_id_fields = ["recipient"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "notification", "channel", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    readonly_fields = ["notification", "robot", "channel", "target", "sent_at", "created_at", "updated_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "type", "in_app", "email", "chat"]
    list_filter = ["type"]
    raw_id_fields = ["user"]


class ChatRobotForm(forms.ModelForm):
    """The secret is write-only: never rendered back; left empty, the stored one is kept."""

    secret = forms.CharField(
        label=_("signing secret"), required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored secret. WeCom needs none (its key is in the URL)."),
    )  # fmt: skip
    webhook_url = forms.URLField(
        label=_("webhook URL"), assume_scheme="https", max_length=500,
        widget=forms.PasswordInput(render_value=True),  # WeCom's key is in it: keep it off screens
    )  # fmt: skip
    types = forms.MultipleChoiceField(
        label=_("notification types"), choices=NotificationType.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = ChatRobot
        fields = ["tenant", "name", "platform", "webhook_url", "secret", "enabled", "types"]

    def clean_secret(self):
        return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk else "")


@admin.register(ChatRobot)
class ChatRobotAdmin(admin.ModelAdmin):
    form = ChatRobotForm
    list_display = ["name", "platform", "tenant", "enabled"]
    list_filter = ["platform", "enabled", "tenant"]
