from django.contrib import admin

from tenants.models import Tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "status", "max_users", "expire_time", "created_at"]
    list_filter = ["status"]
    search_fields = ["code", "name", "domain"]
    readonly_fields = ["created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        # New tenants get their built-in roles, as when created through the API.
        super().save_model(request, obj, form, change)
        if not change:
            from accounts.services import ensure_builtin_roles
            from tenants.provisioning import provision_tenant

            ensure_builtin_roles(tenant=obj)
            provision_tenant(obj)
