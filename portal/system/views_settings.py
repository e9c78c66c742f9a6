"""Pages: settings by category (validation messages, change history) and modules (with their
dependencies, switched on and off)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from portal import modules
from portal.config import CATEGORIES
from portal.errors import DomainError
from portal.page_views import PortalPageMixin
from portal.system import selectors, services


class ConfigsView(PortalPageMixin, TemplateView):
    """Every setting the caller may see, grouped by category; each row saves on its own and a
    refused value shows the registry's message beside it, nothing changed."""

    template_name = "system/configs.html"
    required_permissions = {"get": "system:config:read", "post": "system:config:update"}

    def get_context_data(self, errors=None, submitted=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        category = self.request.GET.get("category", "")
        entries = selectors.config_entries_for(user, category=category if category in CATEGORIES else "")
        platform = user.is_platform_admin
        groups = []
        for code, label in CATEGORIES.items():
            rows = [
                {
                    "entry": e,
                    "error": (errors or {}).get(e.key),
                    "value": (submitted or {}).get(e.key, e.display),
                    "editable": platform or e.spec.tenant_overridable,
                }
                for e in entries
                if e.spec.category == code
            ]
            if rows:
                groups.append({"code": code, "label": label, "rows": rows})
        context.update(
            groups=groups,
            categories=CATEGORIES,
            category=category,
            changes=selectors.config_changes_for(user)[:30],
            may_update=user.has_contract_permission(services.CONFIG_UPDATE),
        )
        return context

    def post(self, request):
        key = request.POST.get("key", "")
        value = request.POST.get("value", "")
        try:
            services.config_update(by=request.user, key=key, value=value, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            context = self.get_context_data(errors={key: str(exc.message)}, submitted={key: value})
            return self.render_to_response(context, status=400)
        messages.success(request, _("Setting %(key)s saved.") % {"key": key})
        return HttpResponseRedirect(request.get_full_path())


class ModulesView(PortalPageMixin, TemplateView):
    template_name = "system/modules.html"
    required_permissions = {"get": "system:module:read", "post": "system:module:update"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        states = selectors.module_states_for(self.request.user)
        context["modules"] = [
            {
                "spec": spec,
                "enabled": row is None or row.status == "enabled",
                "row": row,
                "dependencies": [modules.MODULES[d] for d in spec.dependencies if d in modules.MODULES],
                "dependents": [m for m in modules.MODULES.values() if spec.code in m.dependencies],
            }
            for spec, row in states
        ]
        context["may_update"] = self.request.user.has_contract_permission("system:module:update")
        return context

    def post(self, request):
        code = request.POST.get("module_code", "")
        status = request.POST.get("status", "")
        try:
            spec, _row = services.module_set_status(
                by=request.user, code=code, status=status, reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            if status == "enabled":
                messages.success(request, _("%(module)s switched on.") % {"module": spec.name})
            else:
                messages.success(request, _("%(module)s switched off.") % {"module": spec.name})
        return HttpResponseRedirect(reverse("system:modules"))
