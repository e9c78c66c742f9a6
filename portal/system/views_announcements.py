"""Pages: announcements (compose, schedule, target, list) and dismissing a banner."""

from django import forms
from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from portal.errors import DomainError
from portal.page_views import PortalPageMixin
from portal.system import announcements
from portal.system.models import AnnouncementAudience, AnnouncementPriority, AnnouncementType
from portal.templatetags.portal_ui import ROLE_LABELS, role_display
from portal.tenancy import scope_to_operator


def role_choices(user) -> list[tuple[str, str]]:
    """Role codes a caller may target: their tenant's roles (the platform: every tenant's, and
    the platform role)."""
    Role = apps.get_model("accounts", "Role")
    rows = scope_to_operator(Role.objects.filter(is_active=True), user)
    seen = {}
    for code, name, builtin in rows.order_by("code").values_list("code", "name", "is_system"):
        seen.setdefault(code, role_display(code, name, builtin=builtin))
    if user.is_platform_admin:
        seen["super_admin"] = str(ROLE_LABELS["super_admin"])
    return sorted(seen.items())


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    content = forms.CharField(label=gettext_lazy("Content"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=AnnouncementType.choices)
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"), choices=AnnouncementPriority.choices, initial=AnnouncementPriority.MEDIUM
    )
    target_audience = forms.ChoiceField(
        label=gettext_lazy("Audience"), choices=AnnouncementAudience.choices, widget=forms.RadioSelect,
        initial=AnnouncementAudience.ALL,
    )  # fmt: skip
    target_tenants = forms.MultipleChoiceField(
        label=gettext_lazy("Tenants"), required=False, widget=forms.CheckboxSelectMultiple
    )
    target_roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles"), required=False, widget=forms.CheckboxSelectMultiple
    )
    publish_time = forms.DateTimeField(
        label=gettext_lazy("Publish at"), required=False, help_text=gettext_lazy("Empty: publish now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )  # fmt: skip
    expire_time = forms.DateTimeField(
        label=gettext_lazy("Expire at"), required=False, help_text=gettext_lazy("Empty: shown until dismissed."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )  # fmt: skip
    is_popup = forms.BooleanField(label=gettext_lazy("Show as a popup"), required=False)
    is_email_notify = forms.BooleanField(
        label=gettext_lazy("Also by email (where users receive email)"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_roles"].choices = role_choices(user)
        if user.is_platform_admin:
            Tenant = apps.get_model("tenants", "Tenant")
            self.fields["target_tenants"].choices = [(t.pk, t.name) for t in Tenant.objects.order_by("name")]
        else:
            del self.fields["target_tenants"]
            self.fields["target_audience"].choices = [
                c for c in AnnouncementAudience.choices if c[0] != AnnouncementAudience.TENANT
            ]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["target_tenants"] = [int(t) for t in data.get("target_tenants") or []]
        return data


class AnnouncementsView(PortalPageMixin, TemplateView):
    template_name = "system/announcements.html"
    required_permissions = {"get": "system:announcement:read", "post": "system:announcement:create"}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        status = self.request.GET.get("status", "")
        rows = announcements.announcements_for(
            user, status=status if status in {"draft", "published", "expired"} else ""
        )
        context.update(
            announcements=rows[:100],
            status=status,
            form=form or AnnouncementForm(user=user),
            may_create=user.has_contract_permission(announcements.CREATE),
        )
        return context

    def post(self, request):
        form = AnnouncementForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                row = announcements.announcement_create(by=request.user, data=form.values())
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                if row.status == "published":
                    messages.success(request, _("Announcement published."))
                else:
                    messages.success(request, _("Announcement scheduled."))
                return HttpResponseRedirect(reverse("system:announcements"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AnnouncementDismissView(PortalPageMixin, View):
    """POST: hide a banner for me, then back to the page I was on."""

    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            announcements.announcement_dismiss(user=request.user, announcement_id=pk)
        except DomainError:
            raise Http404 from None
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("portal:dashboard")
        return HttpResponseRedirect(target)
