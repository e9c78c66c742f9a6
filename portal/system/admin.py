from django.contrib import admin

from portal.system.models import Announcement, AnnouncementDismissal, MaintenanceWindow, ModuleState


@admin.register(ModuleState)
class ModuleStateAdmin(admin.ModelAdmin):
    """Switching here bypasses the dependency rules: prefer the Modules page or the API."""

    list_display = ["module_code", "tenant", "status", "updated_by", "updated_at"]
    list_filter = ["status", "module_code"]
    list_select_related = ["tenant", "updated_by"]
    raw_id_fields = ["updated_by"]


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "tenant", "type", "priority", "status", "target_audience", "publish_time", "expire_time"]
    list_filter = ["status", "type", "priority", "target_audience"]
    search_fields = ["title", "content"]
    date_hierarchy = "publish_time"
    list_select_related = ["tenant", "created_by"]
    raw_id_fields = ["created_by"]
    readonly_fields = ["published_at", "created_at"]


@admin.register(AnnouncementDismissal)
class AnnouncementDismissalAdmin(admin.ModelAdmin):
    """Read-only: a record of who closed which banner."""

    list_display = ["announcement", "user", "dismissed_at"]
    list_select_related = ["announcement", "user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ["__str__", "tenant", "is_maintenance", "start_time", "end_time", "updated_by", "updated_at"]
    list_filter = ["is_maintenance"]
    list_select_related = ["tenant", "updated_by"]
    raw_id_fields = ["updated_by", "announcement"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from portal.system import maintenance

        maintenance.forget()
