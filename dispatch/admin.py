from django.contrib import admin

from dispatch.models import DispatchRecord, DispatchRule, DispatchStrategy


@admin.register(DispatchStrategy)
class DispatchStrategyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tenant", "skill_weight", "workload_weight", "location_weight",
                    "performance_weight", "is_default", "is_active"]  # fmt: skip
    list_filter = ["tenant", "is_default", "is_active"]
    search_fields = ["code", "name"]
    readonly_fields = ["is_builtin", "created_at", "updated_at"]


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "rule_type", "priority", "is_active", "is_deleted", "created_at"]
    list_filter = ["tenant", "rule_type", "is_active", "is_deleted"]
    search_fields = ["name", "description"]
    readonly_fields = ["created_at", "updated_at", "deleted_at"]

    def get_queryset(self, request):
        return DispatchRule.all_objects.select_related("tenant")


@admin.register(DispatchRecord)
class DispatchRecordAdmin(admin.ModelAdmin):
    """Dispatch records are the audit trail of who got what and why: read-only here."""

    list_display = ["id", "ticket", "engineer", "dispatch_type", "strategy_code", "total_score", "status",
                    "dispatched_by", "created_at"]  # fmt: skip
    list_filter = ["tenant", "dispatch_type", "status"]
    search_fields = ["ticket__number", "engineer__user__username", "reason"]
    list_select_related = ["ticket", "engineer__user", "dispatched_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
