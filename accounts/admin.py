from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin

from accounts.models import Department, Permission, Role, User, UserRole


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("tenant", "username", "email")


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class UserRoleInline(admin.TabularInline):
    model = UserRole
    fk_name = "user"
    extra = 0
    fields = ["role", "assigned_at", "assigned_by"]
    readonly_fields = ["assigned_at", "assigned_by"]
    autocomplete_fields = ["role"]

    def save_new_instance(self, parent, instance):  # pragma: no cover - admin plumbing
        instance.tenant = parent.tenant
        return instance


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ["id"]
    list_display = ["email", "username", "real_name", "tenant", "status", "user_type", "last_login"]
    list_filter = ["tenant", "status", "user_type", "is_staff"]
    search_fields = ["email", "username", "real_name", "phone"]
    list_select_related = ["tenant"]
    inlines = [UserRoleInline]
    readonly_fields = ["last_login", "created_at", "updated_at", "password_changed_at", "login_count"]
    fieldsets = [
        (None, {"fields": ["tenant", "username", "email", "password"]}),
        (_("Profile"), {"fields": ["real_name", "first_name", "last_name", "phone", "avatar", "department",
                                   "job_title", "employee_id", "work_location", "time_zone"]}),
        (_("Status"), {"fields": ["status", "user_type", "is_staff", "is_superuser"]}),
        (_("Activity"), {"fields": ["last_login", "login_count", "password_changed_at", "created_at", "updated_at"]}),
    ]  # fmt: skip
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["tenant", "username", "email", "password1", "password2"]})]
    filter_horizontal = []

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, UserRole):
                instance.tenant_id = form.instance.tenant_id
                instance.assigned_by = instance.assigned_by or request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tenant", "role_type", "is_system", "is_active", "parent"]
    list_filter = ["tenant", "role_type", "is_system", "is_active"]
    search_fields = ["code", "name"]
    filter_horizontal = ["permissions"]
    list_select_related = ["tenant", "parent"]


@admin.register(Permission)
class PermissionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "resource_type", "action_type", "module", "is_system"]
    list_filter = ["module", "is_system", "resource_type"]
    search_fields = ["code", "name", "name_en"]

    def has_add_permission(self, request):
        return False  # the catalogue comes from migrations

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Department)
class DepartmentAdmin(DraggableMPTTAdmin):
    fields = ["tenant", "code", "name", "description", "parent", "manager", "sort_order", "is_active"]
    list_display = ["tree_actions", "indented_title", "code", "tenant", "manager", "is_active"]
    list_display_links = ["indented_title"]
    list_filter = ["tenant", "is_active"]
    search_fields = ["code", "name"]
