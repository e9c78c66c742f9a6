from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.forms import TenantCreateForm, TenantEditForm
from accounts.models import UserStatus
from portal.errors import DomainError
from portal.page_views import PortalPageMixin
from tenants import services
from tenants.models import Tenant, TenantStatus


class TenantListView(PortalPageMixin, View):
    """Platform super admin: every tenant, create one (with its admin), disable / enable."""

    required_permissions = {
        "get": "system:tenant:read",
        "post": {"disable": "system:tenant:update", "enable": "system:tenant:update", "*": "system:tenant:create"},
    }
    template_name = "tenants/list.html"

    def get(self, request, form=None):
        tenants = Tenant.objects.annotate(
            current_users=Count("users", filter=~Q(users__status=UserStatus.INACTIVE), distinct=True)
        ).order_by("id")
        can_create = request.user.has_contract_permission("system:tenant:create")
        return render(
            request,
            self.template_name,
            {
                "tenants": tenants,
                "form": form or (TenantCreateForm() if can_create else None),
            },
        )

    def post(self, request):
        if request.POST.get("action") in ("disable", "enable"):
            tenant = get_object_or_404(Tenant, pk=request.POST.get("tenant_id"))
            if request.POST["action"] == "disable":
                services.tenant_disable(tenant=tenant)
            else:
                services.tenant_update(tenant=tenant, data={"status": TenantStatus.NORMAL})
            messages.success(request, _("Tenant updated."))
            return redirect("tenants:list")
        form = TenantCreateForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.tenant_provision(
                    code=d["tenant_code"],
                    name=d["tenant_name"],
                    domain=d["domain"],
                    max_users=d["max_users"],
                    expire_time=d["expire_time"],
                    admin_username=d["admin_username"],
                    admin_password=d["admin_password"],
                    admin_email=d["admin_email"],
                    by=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("Tenant created."))
                return redirect("tenants:list")
        return self.get(request, form=form)


class TenantEditView(PortalPageMixin, View):
    """Platform super admin: a tenant's name, domain, user limit and expiry."""

    required_permissions = {"get": "system:tenant:read", "post": "system:tenant:update"}
    template_name = "tenants/edit.html"

    def get(self, request, pk, form=None, status=200):
        tenant = get_object_or_404(Tenant, pk=pk)
        form = form or TenantEditForm(
            initial={
                "tenant_name": tenant.name,
                "domain": tenant.domain,
                "max_users": tenant.max_users,
                "expire_time": tenant.expire_time,
            }
        )
        in_use = tenant.users.exclude(status=UserStatus.INACTIVE).count()
        return render(request, self.template_name, {"tenant": tenant, "form": form, "in_use": in_use}, status=status)

    def post(self, request, pk):
        tenant = get_object_or_404(Tenant, pk=pk)
        form = TenantEditForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.tenant_update(
                    tenant=tenant,
                    data={
                        "name": d["tenant_name"],
                        "domain": d["domain"],
                        "max_users": d["max_users"],
                        "expire_time": d["expire_time"],
                    },
                )
            except DomainError as exc:
                form.add_error({"max_users": "max_users"}.get(exc.field), str(exc.message))
            else:
                messages.success(request, _("Tenant saved."))
                return redirect("tenants:list")
        return self.get(request, pk, form=form, status=400)
