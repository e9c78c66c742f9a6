"""Operators' view of tickets: every ticket including soft-deleted ones (restore action),
inline comments, attachments and history; categories as a draggable tree."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin

from portal.trees import TreeWriteAdminMixin
from tickets import services
from tickets.models import Category, Ticket, TicketAttachment, TicketComment, TicketHistory


class CommentInline(admin.TabularInline):
    model = TicketComment
    extra = 0
    fields = ["created_at", "author", "is_internal", "content"]
    readonly_fields = ["created_at", "author", "is_internal", "content"]
    can_delete = False


class AttachmentInline(admin.TabularInline):
    model = TicketAttachment
    fk_name = "ticket"
    extra = 0
    fields = ["original_name", "mime_type", "size", "uploaded_by", "created_at", "is_deleted"]
    readonly_fields = ["original_name", "mime_type", "size", "uploaded_by", "created_at"]
    can_delete = False

    def get_queryset(self, request):
        return TicketAttachment.all_objects.select_related("uploaded_by")


class HistoryInline(admin.TabularInline):
    model = TicketHistory
    extra = 0
    fields = ["created_at", "actor", "action", "field", "old_value", "new_value", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DeletedFilter(admin.SimpleListFilter):
    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("no", _("No")), ("yes", _("Yes")), ("all", _("All"))]

    def queryset(self, request, queryset):
        value = self.value() or "no"
        if value == "all":
            return queryset
        return queryset.filter(is_deleted=value == "yes")

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == _("All") and self.value() is None:
                choice["selected"] = False
            yield choice


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "tenant",
        "status",
        "priority",
        "assigned_to",
        "created_by",
        "created_at",
        "is_deleted",
    ]
    list_filter = [DeletedFilter, "tenant", "status", "priority", "type", "source", "is_escalated", "category"]
    search_fields = ["number", "title", "description", "customer_name", "customer_email", "customer_phone"]
    date_hierarchy = "created_at"
    list_select_related = ["tenant", "assigned_to", "created_by"]
    raw_id_fields = ["created_by", "assigned_to", "deleted_by", "category"]
    readonly_fields = [
        "number",
        "tenant",
        "status",
        "created_at",
        "updated_at",
        "first_reply_at",
        "response_time",
        "resolved_at",
        "resolution_time",
        "closed_at",
        "view_count",
        "comment_count",
        "is_deleted",
        "deleted_at",
        "deleted_by",
    ]
    inlines = [CommentInline, AttachmentInline, HistoryInline]
    actions = ["restore_tickets"]

    def get_queryset(self, request):
        return Ticket.all_objects.select_related("tenant", "assigned_to", "created_by")

    def has_delete_permission(self, request, obj=None):
        return False  # business records are soft-deleted through the service

    def save_model(self, request, obj, form, change):
        """An operator's edit moves the ticket's roll-up counts like a service call would
        (the admin wraps this in the request's transaction)."""
        from tickets import rollups

        before = None
        if change:
            row = Ticket.all_objects.filter(pk=obj.pk).values(*rollups.FIELDS).first()
            before = rollups.snapshot(row) if row else None
        super().save_model(request, obj, form, change)
        rollups.apply(before, rollups.snapshot(obj))

    @admin.action(description=_("Restore the selected deleted tickets"))
    def restore_tickets(self, request, queryset):
        restored = 0
        for ticket in queryset.filter(is_deleted=True):
            services.ticket_restore(ticket=ticket, by=request.user)
            restored += 1
        self.message_user(request, _("%(n)d tickets restored.") % {"n": restored}, messages.SUCCESS)


@admin.register(TicketAttachment)
class TicketAttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "tenant", "ticket", "mime_type", "size", "uploaded_by", "created_at", "is_deleted"]
    list_filter = ["is_deleted", "tenant", "kind", "mime_type"]
    search_fields = ["original_name", "ticket__number"]
    raw_id_fields = ["ticket", "comment", "uploaded_by"]
    actions = ["restore_attachments"]

    def get_queryset(self, request):
        return TicketAttachment.all_objects.select_related("tenant", "ticket", "uploaded_by")

    @admin.action(description=_("Restore the selected deleted attachments"))
    def restore_attachments(self, request, queryset):
        n = queryset.filter(is_deleted=True).update(is_deleted=False, deleted_at=None)
        self.message_user(request, _("%(n)d attachments restored.") % {"n": n}, messages.SUCCESS)


@admin.register(Category)
class CategoryAdmin(TreeWriteAdminMixin, DraggableMPTTAdmin):
    list_display = ["tree_actions", "indented_title", "code", "tenant", "sla_hours", "auto_assign_user", "is_active"]
    list_display_links = ["indented_title"]
    list_filter = ["tenant", "is_active"]
    search_fields = ["name", "code"]
    raw_id_fields = ["auto_assign_user"]
