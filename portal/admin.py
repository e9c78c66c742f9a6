from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from portal.config import REGISTRY, validate_config_value
from portal.models import ConfigChange, SystemConfig

# The Django admin is the platform operators' back office; the portal pages are for tenants.
admin.site.site_header = _("OpsPortal administration")
admin.site.site_title = _("OpsPortal admin")
admin.site.index_title = _("Platform data")
admin.site.site_url = "/"

# Access is granted through OpsPortal roles (accounts.Role), never Django groups: hide them so
# nobody grants access in a place the portal does not read.
admin.site.unregister(Group)


class SystemConfigForm(forms.ModelForm):
    class Meta:
        model = SystemConfig
        fields = ["tenant", "key", "value"]
        widgets = {"key": forms.Select(choices=[(k, k) for k in sorted(REGISTRY)])}

    def clean(self):
        cleaned = super().clean()
        key, value = cleaned.get("key"), cleaned.get("value")
        if key:
            from portal.errors import DomainError

            try:
                validate_config_value(key, value or "")
            except DomainError as exc:
                self.add_error("value", str(exc.message))
        return cleaned


@admin.register(SystemConfig)
class SystemConfigAdmin(admin.ModelAdmin):
    form = SystemConfigForm
    list_display = ["key", "tenant", "shown_value", "updated_by", "updated_at"]
    list_filter = ["tenant"]
    search_fields = ["key"]

    @admin.display(description="value")
    def shown_value(self, obj):
        spec = REGISTRY.get(obj.key)
        return "••••••" if spec and spec.is_sensitive and obj.value else obj.value

    def save_model(self, request, obj, form, change):
        # Through the registry, so the change is validated, kept in the history and audited.
        from portal.config import set_config

        set_config(obj.key, obj.value, tenant=obj.tenant, by=request.user, reason="back office")
        saved = SystemConfig.objects.get(tenant=obj.tenant, key=obj.key)
        obj.pk, obj.value = saved.pk, saved.value


@admin.register(ConfigChange)
class ConfigChangeAdmin(admin.ModelAdmin):
    """Read-only history of setting changes."""

    list_display = ["created_at", "key", "tenant", "old_value", "new_value", "reason", "changed_by"]
    list_filter = ["tenant"]
    search_fields = ["key", "reason"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
