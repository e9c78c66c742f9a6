"""Input validation of both contracts. Serializers check shapes and words; they translate
contract words to canonical values and never apply business rules (services do)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api.fields import IdField, Int32Field
from tickets.choices import (
    COMMENT_TYPES,
    DESK,
    V1,
    AttachmentKind,
    TicketSource,
    TicketType,
    priority_from_word,
    priority_words,
    status_words,
)
from tickets.services import MAX_BULK


class PriorityField(serializers.ChoiceField):
    def __init__(self, contract: str, **kwargs):
        self.contract = contract
        super().__init__(choices=priority_words(contract), **kwargs)

    def to_internal_value(self, data):
        return priority_from_word(super().to_internal_value(data), self.contract)


class _Customer(serializers.Serializer):
    customer_email = serializers.EmailField(required=False, allow_blank=True)
    customer_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    customer_name = serializers.CharField(required=False, allow_blank=True, max_length=128)


class DeskTicketCreate(_Customer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=TicketType.values, required=False)
    priority = PriorityField(DESK, required=False)
    source = serializers.ChoiceField(choices=TicketSource.values, required=False)
    category_id = IdField(required=False, allow_null=True)
    assigned_to_id = IdField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=50)
    custom_fields = serializers.DictField(required=False)
    due_date = serializers.DateTimeField(required=False, allow_null=True)
    attachment_ids = serializers.ListField(child=IdField(), required=False, max_length=50)


class DeskTicketUpdate(_Customer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=status_words(DESK), required=False)
    priority = PriorityField(DESK, required=False)
    type = serializers.ChoiceField(choices=TicketType.values, required=False)
    category_id = IdField(required=False, allow_null=True)
    assigned_to_id = IdField(required=False, allow_null=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)
    rating = serializers.IntegerField(required=False, min_value=1, max_value=5, allow_null=True)
    rating_comment = serializers.CharField(required=False, allow_blank=True, max_length=500)
    tags = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=50)
    custom_fields = serializers.DictField(required=False)
    due_date = serializers.DateTimeField(required=False, allow_null=True)
    resolution_notes = serializers.CharField(required=False, allow_blank=True)


class DeskAssign(serializers.Serializer):
    assigned_to_id = IdField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class DeskTransfer(DeskAssign):
    department = serializers.CharField(required=False, allow_blank=True, max_length=128)
    transfer_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DeskEscalate(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    escalate_to_id = IdField(required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DeskStatus(serializers.Serializer):
    status = serializers.ChoiceField(choices=status_words(DESK))
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    resolution_notes = serializers.CharField(required=False, allow_blank=True)


class _BulkIds(serializers.Serializer):
    ticket_ids = serializers.ListField(child=IdField(), min_length=1, max_length=MAX_BULK)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class DeskBulkAssign(_BulkIds):
    assigned_to_id = IdField()


class DeskBulkStatus(_BulkIds):
    status = serializers.ChoiceField(choices=status_words(DESK))


class ShortList(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=100)


class CategoryCreate(serializers.Serializer):
    name = serializers.CharField(max_length=128)
    code = serializers.SlugField(required=False, allow_unicode=True, max_length=64)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)
    color = serializers.RegexField(r"^#[0-9a-fA-F]{3,8}$", required=False, allow_blank=True)
    icon = serializers.CharField(required=False, allow_blank=True, max_length=64)
    sla_hours = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=24 * 365)
    auto_assign_user_id = IdField(required=False, allow_null=True)
    parent_id = IdField(required=False, allow_null=True)
    sort_order = Int32Field(required=False)
    is_active = serializers.BooleanField(required=False)


class Upload(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    type = serializers.ChoiceField(choices=AttachmentKind.values, required=False)
    ticket_id = IdField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=500)


# --- v1 ---------------------------------------------------------------------------------------


class V1AttachmentLink(serializers.Serializer):
    id = serializers.IntegerField(required=False)
    filename = serializers.CharField(required=False, max_length=255)
    file_url = serializers.URLField(required=False, max_length=1000)
    file_size = serializers.IntegerField(required=False, min_value=0)

    def validate(self, attrs):
        if not attrs.get("id") and not attrs.get("file_url"):
            raise serializers.ValidationError(_("Give an uploaded attachment id or a file_url."))
        return attrs


class V1TicketWrite(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    priority = PriorityField(V1, required=False)
    type = serializers.ChoiceField(choices=TicketType.values, required=False)
    source = serializers.ChoiceField(choices=TicketSource.values, required=False)
    customer_id = IdField(required=False, allow_null=True)
    customer_name = serializers.CharField(required=False, allow_blank=True, max_length=128)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=128)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    attachments = V1AttachmentLink(many=True, required=False)
    custom_fields = serializers.DictField(required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=50)
    due_time = serializers.DateTimeField(required=False, allow_null=True)


class V1Assign(serializers.Serializer):
    assigned_to = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    priority = PriorityField(V1, required=False)


class V1Reject(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    suggest_assignee = serializers.IntegerField(required=False, allow_null=True)


class V1Resolve(serializers.Serializer):
    solution = serializers.CharField()
    resolution_type = serializers.CharField(required=False, allow_blank=True, max_length=32)
    time_spent = serializers.IntegerField(required=False, min_value=0, allow_null=True)
    attachments = V1AttachmentLink(many=True, required=False)


class V1Note(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class V1Comment(serializers.Serializer):
    content = serializers.CharField()
    type = serializers.ChoiceField(choices=COMMENT_TYPES, required=False)
    attachments = V1AttachmentLink(many=True, required=False)
    notify_customer = serializers.BooleanField(required=False)


class V1Statistics(serializers.Serializer):
    time_range = serializers.ChoiceField(choices=["1d", "7d", "30d", "90d"], required=False)
    group_by = serializers.ChoiceField(choices=["status", "priority", "category", "assignee"], required=False)
