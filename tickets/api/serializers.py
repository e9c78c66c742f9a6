"""Input validation of both contracts (and, at the end, the response shapes the presenters
return, for the OpenAPI documents). Serializers check shapes and words; they translate
contract words to canonical values and never apply business rules (services do)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api.fields import IdField, Int32Field
from tickets.choices import (
    COMMENT_TYPES,
    DESK,
    DESK_STATUS_WORDS,
    PRIORITY_VALUES,
    SOURCE_VALUES,
    TYPE_VALUES,
    V1,
    V1_PRIORITY_WORDS,
    V1_STATUS_WORDS,
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


# --- responses --------------------------------------------------------------------------------
# What the presenters (``tickets.api.presenters``) return, field by field, for the OpenAPI
# documents; each presenter names its serializer with ``@presents``. They document only.


def _words(values):
    return serializers.ChoiceField(choices=values)


def _moment(**kwargs):
    return serializers.DateTimeField(**kwargs)


class DeskUserRef(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField(required=False, help_text="Ticket detail only.")
    role = serializers.CharField(required=False, help_text="The user's primary built-in role (escalation).")


class DeskUserBrief(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class DeskCategoryRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(required=False, help_text="Ticket detail only.")
    sla_hours = serializers.IntegerField(required=False, allow_null=True, help_text="SLA-breach queue only.")


class DeskTicketOut(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    status = _words(DESK_STATUS_WORDS)
    priority = _words(PRIORITY_VALUES)
    type = _words(TYPE_VALUES)
    source = _words(SOURCE_VALUES)
    created_by = DeskUserRef(allow_null=True)
    assigned_to = DeskUserRef(allow_null=True)
    category = DeskCategoryRef(allow_null=True)
    customer_email = serializers.CharField()
    customer_phone = serializers.CharField()
    customer_name = serializers.CharField()
    created_at = _moment()
    updated_at = _moment()
    due_date = _moment(allow_null=True)
    sla_due_date = _moment(allow_null=True)
    is_overdue = serializers.BooleanField()
    is_escalated = serializers.BooleanField()
    sla_breached = serializers.BooleanField()


class DeskCommentOut(serializers.Serializer):
    id = serializers.IntegerField()
    content = serializers.CharField()
    user = DeskUserRef(allow_null=True)
    created_at = _moment()
    is_internal = serializers.BooleanField()


class DeskTicketDetailOut(DeskTicketOut):
    created_by_id = serializers.IntegerField()
    assigned_to_id = serializers.IntegerField(allow_null=True)
    category_id = serializers.IntegerField(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())
    custom_fields = serializers.DictField()
    resolved_at = _moment(allow_null=True)
    closed_at = _moment(allow_null=True)
    first_reply_at = _moment(allow_null=True)
    response_time = serializers.IntegerField(allow_null=True, help_text="Minutes to the first reply.")
    resolution_time = serializers.IntegerField(allow_null=True, help_text="Minutes to resolution.")
    view_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    rating = serializers.IntegerField(allow_null=True)
    rating_comment = serializers.CharField()
    comments = DeskCommentOut(many=True)


class DeskTicketCreatedOut(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    title = serializers.CharField()
    status = _words(DESK_STATUS_WORDS)
    priority = _words(PRIORITY_VALUES)
    type = _words(TYPE_VALUES)
    created_by = DeskUserBrief()
    assigned_to = DeskUserBrief(allow_null=True)
    category_id = serializers.IntegerField(allow_null=True)
    sla_due_date = _moment(allow_null=True)
    created_at = _moment()


class DeskTicketUpdatedOut(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    title = serializers.CharField()
    status = _words(DESK_STATUS_WORDS)
    priority = _words(PRIORITY_VALUES)
    assigned_to_id = serializers.IntegerField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)
    resolved_at = _moment(allow_null=True)
    resolution_time = serializers.IntegerField(allow_null=True)
    updated_at = _moment()


class DeskAssignedOut(serializers.Serializer):
    id = serializers.IntegerField()
    assigned_to_id = serializers.IntegerField()
    assigned_to = DeskUserRef()
    status = _words(DESK_STATUS_WORDS)
    updated_at = _moment()


class DeskTransferredOut(serializers.Serializer):
    id = serializers.IntegerField()
    assigned_to_id = serializers.IntegerField()
    previous_assignee_id = serializers.IntegerField(allow_null=True)
    updated_at = _moment()


class DeskEscalatedOut(serializers.Serializer):
    id = serializers.IntegerField()
    priority = _words(PRIORITY_VALUES)
    is_escalated = serializers.BooleanField()
    assigned_to = DeskUserRef(allow_null=True)
    updated_at = _moment()


class DeskStatusChangedOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = _words(DESK_STATUS_WORDS)
    resolved_at = _moment(allow_null=True)
    resolution_time = serializers.IntegerField(allow_null=True)
    closed_at = _moment(allow_null=True)
    updated_at = _moment()


class DeskHistoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    action = serializers.CharField()
    description = serializers.CharField()
    user = DeskUserBrief(allow_null=True)
    created_at = _moment()
    field_changes = serializers.DictField(help_text="{field: {old, new}}")


class DeskMyTicketOut(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    title = serializers.CharField()
    status = _words(DESK_STATUS_WORDS)
    priority = _words(PRIORITY_VALUES)
    customer_name = serializers.CharField()
    assigned_to_id = serializers.IntegerField(allow_null=True)
    created_by_id = serializers.IntegerField()
    created_at = _moment()
    due_date = _moment(allow_null=True)
    is_overdue = serializers.BooleanField()
    sla_breached = serializers.BooleanField()


class DeskUnassignedTicketOut(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    title = serializers.CharField()
    status = _words(DESK_STATUS_WORDS)
    priority = _words(PRIORITY_VALUES)
    customer_name = serializers.CharField()
    category = DeskCategoryRef(allow_null=True)
    created_at = _moment()
    auto_assign_user_id = serializers.IntegerField(allow_null=True)


class DeskOverdueTicketOut(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    title = serializers.CharField()
    status = _words(DESK_STATUS_WORDS)
    priority = _words(PRIORITY_VALUES)
    assigned_to = DeskUserBrief(allow_null=True)
    due_date = _moment(allow_null=True)
    overdue_hours = serializers.IntegerField()
    is_overdue = serializers.BooleanField()


class DeskBreachedTicketOut(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_number = serializers.CharField()
    title = serializers.CharField()
    status = _words(DESK_STATUS_WORDS)
    priority = _words(PRIORITY_VALUES)
    sla_due_date = _moment(allow_null=True)
    sla_breached = serializers.BooleanField()
    breach_hours = serializers.IntegerField()
    category = DeskCategoryRef(allow_null=True)


class BulkFailureOut(serializers.Serializer):
    id = serializers.IntegerField()
    error_code = serializers.CharField()
    reason = serializers.CharField()


class DeskBulkAssignedOut(serializers.Serializer):
    assigned_count = serializers.IntegerField()
    failed_count = serializers.IntegerField()
    assigned_tickets = serializers.ListField(child=serializers.IntegerField())
    failed_tickets = BulkFailureOut(many=True)


class DeskBulkStatusOut(serializers.Serializer):
    updated_count = serializers.IntegerField()
    failed_count = serializers.IntegerField()
    updated_tickets = serializers.ListField(child=serializers.IntegerField())
    failed_tickets = BulkFailureOut(many=True)


class DeskCategoryNodeOut(serializers.Serializer):
    """A node of ``GET /api/categories``; the code/colour/… block is on roots and on nodes that
    have children."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    ticket_count = serializers.IntegerField()
    code = serializers.CharField(required=False)
    color = serializers.CharField(required=False)
    icon = serializers.CharField(required=False)
    sla_hours = serializers.IntegerField(required=False, allow_null=True)
    auto_assign_user_id = serializers.IntegerField(required=False, allow_null=True)
    parent_id = serializers.IntegerField(required=False, allow_null=True)
    is_active = serializers.BooleanField(required=False)
    sort_order = serializers.IntegerField(required=False)
    subcategories = serializers.ListField(child=serializers.DictField(), help_text="Nodes of the same shape.")


class DeskCategoryCreatedOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    color = serializers.CharField()
    icon = serializers.CharField()
    sla_hours = serializers.IntegerField(allow_null=True)
    auto_assign_user_id = serializers.IntegerField(allow_null=True)
    parent_id = serializers.IntegerField(allow_null=True)
    created_at = _moment()


class DeskUploadOut(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    original_name = serializers.CharField()
    file_size = serializers.IntegerField()
    mime_type = serializers.CharField()
    file_path = serializers.CharField()
    url = serializers.CharField()
    ticket_id = serializers.IntegerField(allow_null=True)
    uploaded_at = _moment()


class V1TicketOut(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_id = serializers.CharField(help_text="The ticket number.")
    title = serializers.CharField()
    description = serializers.CharField()
    status = _words(V1_STATUS_WORDS)
    priority = _words(V1_PRIORITY_WORDS)
    type = _words(TYPE_VALUES)
    source = _words(SOURCE_VALUES)
    category = serializers.CharField(allow_null=True, help_text="Category code.")
    customer_id = serializers.IntegerField(allow_null=True)
    customer_name = serializers.CharField()
    contact_name = serializers.CharField()
    assigned_to = serializers.IntegerField(allow_null=True)
    assigned_name = serializers.CharField(allow_null=True)
    created_at = _moment()
    updated_at = _moment()
    due_time = _moment(allow_null=True)
    tags = serializers.ListField(child=serializers.CharField())


class V1AttachmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    file_url = serializers.CharField()
    file_size = serializers.IntegerField()
    mime_type = serializers.CharField()
    description = serializers.CharField()
    uploaded_by = serializers.CharField()
    uploaded_at = _moment()


class V1CustomerInfo(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField()
    contact_email = serializers.CharField()


class V1AssignedInfo(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class V1TimeInfo(serializers.Serializer):
    created_at = _moment()
    assigned_at = _moment(allow_null=True)
    accepted_at = _moment(allow_null=True)
    first_response_at = _moment(allow_null=True)
    due_time = _moment(allow_null=True)
    resolved_at = _moment(allow_null=True)
    closed_at = _moment(allow_null=True)


class V1SlaInfo(serializers.Serializer):
    response_sla = serializers.IntegerField(allow_null=True, help_text="Target minutes.")
    resolve_sla = serializers.IntegerField(allow_null=True, help_text="Target minutes.")
    response_remaining = serializers.IntegerField(allow_null=True, help_text="Minutes left (negative: late).")
    resolve_remaining = serializers.IntegerField(allow_null=True, help_text="Minutes left (negative: late).")


class V1TicketDetailOut(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_id = serializers.CharField(help_text="The ticket number.")
    title = serializers.CharField()
    description = serializers.CharField()
    status = _words(V1_STATUS_WORDS)
    priority = _words(V1_PRIORITY_WORDS)
    type = _words(TYPE_VALUES)
    source = _words(SOURCE_VALUES)
    category = serializers.CharField(allow_null=True, help_text="Category code.")
    category_name = serializers.CharField(allow_null=True)
    customer_info = V1CustomerInfo()
    assigned_info = V1AssignedInfo(allow_null=True)
    time_info = V1TimeInfo()
    attachments = V1AttachmentOut(many=True)
    custom_fields = serializers.DictField()
    tags = serializers.ListField(child=serializers.CharField())
    sla_info = V1SlaInfo()
    solution = serializers.CharField()
    rating = serializers.IntegerField(allow_null=True)
    comment_count = serializers.IntegerField()
    view_count = serializers.IntegerField()
    is_escalated = serializers.BooleanField()


class V1TicketCreatedOut(serializers.Serializer):
    ticket_id = serializers.CharField(help_text="The ticket number.")
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = _words(V1_STATUS_WORDS)
    priority = _words(V1_PRIORITY_WORDS)
    category = serializers.CharField(allow_null=True)
    assigned_to = serializers.IntegerField(allow_null=True)
    created_at = _moment()
    estimated_resolve_time = _moment(allow_null=True)


class V1TicketMovedOut(serializers.Serializer):
    """After a move that may take the ticket out of the actor's view (assign, reject)."""

    id = serializers.IntegerField()
    ticket_id = serializers.CharField(help_text="The ticket number.")
    status = _words(V1_STATUS_WORDS)
    assigned_to = serializers.IntegerField(allow_null=True)


class V1CommentAuthor(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    avatar = serializers.CharField(allow_null=True)


class V1CommentAttachment(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    file_url = serializers.CharField()


class V1CommentOut(serializers.Serializer):
    id = serializers.IntegerField()
    content = serializers.CharField()
    type = _words(COMMENT_TYPES)
    author = V1CommentAuthor()
    created_at = _moment()
    attachments = V1CommentAttachment(many=True)
