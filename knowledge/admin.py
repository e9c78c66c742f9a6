"""Operators' view of the knowledge base: categories as a draggable tree (writes under the
shared tree lock), documents including soft-deleted ones with their versions and reviews, and
versions themselves (immutable: read-only). Content is edited in the portal, through the
services, so that every save is a version."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin

from knowledge import search
from knowledge.models import Document, DocumentAttachment, DocumentReview, DocumentVersion, KnowledgeCategory
from portal.trees import TreeWriteAdminMixin


@admin.register(KnowledgeCategory)
class KnowledgeCategoryAdmin(TreeWriteAdminMixin, DraggableMPTTAdmin):
    list_display = ["tree_actions", "indented_title", "tenant", "sort_order", "icon"]
    list_display_links = ["indented_title"]
    list_filter = ["tenant"]
    search_fields = ["name"]
    fields = ["tenant", "parent", "name", "description", "icon", "sort_order"]


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ["major", "minor", "title", "change_type", "change_summary", "rollback_of", "author", "created_at"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-major", "-minor"]

    def has_add_permission(self, request, obj=None):
        return False


class ReviewInline(admin.TabularInline):
    model = DocumentReview
    extra = 0
    fields = ["created_at", "actor", "action", "version", "comment", "suggestions"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    """Removed attachments included: unticking "deleted" restores one."""

    model = DocumentAttachment
    extra = 0
    fields = ["filename", "file_type", "file_size", "uploaded_by", "created_at", "is_deleted"]
    readonly_fields = ["filename", "file_type", "file_size", "uploaded_by", "created_at"]
    can_delete = False

    def get_queryset(self, request):
        return DocumentAttachment.all_objects.select_related("uploaded_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "tenant",
        "status",
        "visibility",
        "category",
        "author",
        "version",
        "is_deleted",
        "updated_at",
    ]
    list_filter = ["tenant", "status", "visibility", "difficulty_level", "is_deleted"]
    search_fields = ["title", "slug"]
    readonly_fields = [
        "tenant", "title", "slug", "content", "content_type", "summary", "category", "tags", "keywords", "author",
        "last_updated_by", "major", "minor", "view_count", "like_count", "rating_avg", "rating_count",
        "published_at", "deleted_at", "created_at", "updated_at",
    ]  # fmt: skip
    fields = ["status", "visibility", "difficulty_level", "is_deleted", *readonly_fields]
    inlines = [VersionInline, AttachmentInline, ReviewInline]
    actions = ["reindex"]

    def get_queryset(self, request):
        return Document.all_objects.select_related("tenant", "category", "author")

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        search.schedule_index(obj.pk)

    @admin.action(description=_("Rebuild the search index of the selected documents"))
    def reindex(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            search.index_document(pk)
        messages.success(request, _("Search index rebuilt."))


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = ["document", "major", "minor", "change_type", "author", "created_at"]
    list_filter = ["tenant", "change_type"]
    search_fields = ["title", "document__title"]
    readonly_fields = [f.name for f in DocumentVersion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
