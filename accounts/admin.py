from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin

from accounts.models import (
    Department,
    LoginLog,
    LoginSession,
    PasswordResetToken,
    Permission,
    PermissionChangeLog,
    Role,
    ScheduledStatusChange,
    SessionEndReason,
    TrustedDevice,
    User,
    UserRole,
)
from portal.client import client_ip
from portal.trees import TreeWriteAdminMixin


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
        (
            _("Profile"),
            {
                "fields": [
                    "real_name",
                    "first_name",
                    "last_name",
                    "phone",
                    "avatar",
                    "department",
                    "job_title",
                    "employee_id",
                    "work_location",
                    "time_zone",
                ]
            },
        ),
        (_("Status"), {"fields": ["status", "user_type", "is_staff", "is_superuser"]}),
        (_("Activity"), {"fields": ["last_login", "login_count", "password_changed_at", "created_at", "updated_at"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["tenant", "username", "email", "password1", "password2"]})]
    filter_horizontal = []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data and not obj.is_active:
            from accounts.auth_services import sessions_end_for_user

            sessions_end_for_user(user=obj, reason=SessionEndReason.DEACTIVATED)

    def user_change_password(self, request, id, form_url=""):
        """After a password set here, the same consequences as everywhere else: sessions end,
        trusted devices are revoked, older tokens are refused."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            from django.utils import timezone

            from accounts.auth_services import sessions_end_for_user, trusted_devices_revoke_all

            user = User.objects.get(pk=id)
            User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now())
            sessions_end_for_user(user=user, reason=SessionEndReason.PASSWORD_CHANGED)
            trusted_devices_revoke_all(user=user)
        return response

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

    def save_related(self, request, form, formsets, change):
        """Permission edits made here are written to the permission-change log too."""
        from accounts.services import role_permissions_logged

        before = set(form.instance.permissions.values_list("code", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.permissions.values_list("code", flat=True))
        role_permissions_logged(role=form.instance, by=request.user, before=before, after=after, ip=client_ip(request))


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
class DepartmentAdmin(TreeWriteAdminMixin, DraggableMPTTAdmin):
    fields = ["tenant", "code", "name", "description", "parent", "manager", "sort_order", "is_active"]
    list_display = ["tree_actions", "indented_title", "code", "tenant", "manager", "is_active"]
    list_display_links = ["indented_title"]
    list_filter = ["tenant", "is_active"]
    search_fields = ["code", "name"]


@admin.register(LoginSession)
class LoginSessionAdmin(admin.ModelAdmin):
    """Sign-in sessions; the "end" action is the same forced sign-out as the API."""

    list_display = [
        "user",
        "tenant",
        "login_method",
        "channel",
        "ip_address",
        "device_type",
        "created_at",
        "last_activity",
        "expires_at",
        "ended_at",
        "end_reason",
    ]
    list_filter = ["tenant", "login_method", "channel", "end_reason"]
    search_fields = ["user__email", "user__username", "ip_address"]
    list_select_related = ["user", "tenant"]
    readonly_fields = [f.name for f in LoginSession._meta.fields if f.name != "key"]
    exclude = ["key"]
    actions = ["end_sessions"]

    @admin.action(description=_("End the selected sessions (forced sign-out)"))
    def end_sessions(self, request, queryset):
        from accounts.auth_services import session_end

        for session in queryset.filter(ended_at__isnull=True):
            session_end(session=session, reason=SessionEndReason.FORCED)

    def has_add_permission(self, request):
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoginLog)
class LoginLogAdmin(_ReadOnlyAdmin):
    list_display = [
        "created_at",
        "username",
        "tenant",
        "result",
        "login_method",
        "failure_reason",
        "ip_address",
        "device_type",
    ]
    list_filter = ["result", "login_method", "tenant"]
    search_fields = ["username", "ip_address"]
    list_select_related = ["tenant"]


@admin.register(PermissionChangeLog)
class PermissionChangeLogAdmin(_ReadOnlyAdmin):
    list_display = [
        "created_at",
        "operation_type",
        "target_username",
        "operator_name",
        "old_value",
        "new_value",
        "tenant",
    ]
    list_filter = ["operation_type", "tenant"]
    search_fields = ["target_username", "operator_name"]
    list_select_related = ["tenant"]


@admin.register(TrustedDevice)
class TrustedDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "device_name", "last_used_at", "last_ip", "expires_at", "revoked_at"]
    list_filter = ["tenant"]
    search_fields = ["user__email", "device_name"]
    list_select_related = ["user"]
    exclude = ["token_hash"]
    readonly_fields = [
        "user",
        "tenant",
        "device_name",
        "last_used_at",
        "last_ip",
        "user_agent",
        "expires_at",
        "revoked_at",
        "created_at",
    ]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected devices"))
    def revoke(self, request, queryset):
        from accounts.auth_services import trusted_device_revoke

        for device in queryset:
            trusted_device_revoke(device=device)

    def has_add_permission(self, request):
        return False


@admin.register(ScheduledStatusChange)
class ScheduledStatusChangeAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "effective_time", "applied_at", "cancelled_at", "created_by"]
    list_filter = ["status", "tenant"]
    list_select_related = ["user", "created_by"]
    readonly_fields = ["applied_at", "created_at"]
    raw_id_fields = ["user", "created_by"]


@admin.register(PasswordResetToken)
class PasswordResetTokenAdmin(_ReadOnlyAdmin):
    list_display = ["user", "created_at", "expires_at", "used_at"]
    exclude = ["token_hash"]
