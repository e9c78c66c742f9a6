from django.contrib import admin

from portal.audit.models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by the system, never edited."""

    list_display = ["created_at", "username", "tenant", "role", "method", "path", "status_code", "result", "action"]
    list_filter = ["result", "source", "method", "tenant"]
    search_fields = ["username", "path", "action", "resource_id", "request_id"]
    date_hierarchy = "created_at"
    list_select_related = ["tenant"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
