"""Page: maintenance mode (switch, schedule, message, allow lists, announce)."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from portal.errors import DomainError
from portal.page_views import PortalPageMixin
from portal.system import maintenance
from portal.system.views_announcements import role_choices
from portal.tenancy import scope_to_operator


def _lines(text: str) -> list[str]:
    return [part.strip() for part in text.replace(",", "\n").splitlines() if part.strip()]


class MaintenanceForm(forms.Form):
    is_maintenance = forms.BooleanField(label=gettext_lazy("Maintenance mode on"), required=False)
    maintenance_message = forms.CharField(
        label=gettext_lazy("Message shown to users"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    start_time = forms.DateTimeField(
        label=gettext_lazy("Starts at"), required=False, help_text=gettext_lazy("Empty: at once."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    end_time = forms.DateTimeField(
        label=gettext_lazy("Ends at"), required=False, help_text=gettext_lazy("Empty: until switched off."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    allowed_ips = forms.CharField(
        label=gettext_lazy("Allowed IP addresses or networks"), required=False,
        help_text=gettext_lazy("One per line, e.g. 10.0.0.0/8"), widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    allowed_users = forms.CharField(
        label=gettext_lazy("Allowed users"), required=False, help_text=gettext_lazy("User names, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    bypass_roles = forms.MultipleChoiceField(
        label=gettext_lazy("Roles that pass"), required=False, widget=forms.CheckboxSelectMultiple
    )
    notify_users = forms.BooleanField(label=gettext_lazy("Announce it to users now"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["bypass_roles"].choices = role_choices(user)

    def clean_allowed_users(self):
        names = _lines(self.cleaned_data["allowed_users"])
        rows = scope_to_operator(
            get_user_model().objects.filter(username__in=names), self.user, with_platform_rows=True
        )
        found = dict(rows.values_list("username", "pk"))
        missing = [n for n in names if n not in found]
        if missing:
            raise forms.ValidationError(_("Unknown user: %(names)s") % {"names": ", ".join(missing)})
        return [found[n] for n in names]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["allowed_ips"] = _lines(data["allowed_ips"])
        return data


def _initial(row) -> dict:
    names = dict(get_user_model().objects.filter(pk__in=row.allowed_users or []).values_list("pk", "username"))
    return {
        "is_maintenance": row.is_maintenance,
        "maintenance_message": row.message,
        "start_time": timezone.localtime(row.start_time) if row.start_time else None,
        "end_time": timezone.localtime(row.end_time) if row.end_time else None,
        "allowed_ips": "\n".join(row.allowed_ips or []),
        "allowed_users": "\n".join(names.get(pk, str(pk)) for pk in row.allowed_users or []),
        "bypass_roles": list(row.bypass_roles or []),
    }


class MaintenanceView(PortalPageMixin, TemplateView):
    template_name = "system/maintenance.html"
    required_permissions = {"get": "system:maintenance:read", "post": "system:maintenance:update"}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        row = maintenance.window_for(self.request.user)
        context.update(
            window=row,
            active=row.active_at(timezone.now()),
            form=form or MaintenanceForm(initial=_initial(row), user=self.request.user),
            platform=self.request.user.is_platform_admin,
        )
        return context

    def post(self, request):
        form = MaintenanceForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                maintenance.maintenance_set(by=request.user, data=form.values())
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Maintenance mode updated."))
                return HttpResponseRedirect(reverse("system:maintenance"))
        return self.render_to_response(self.get_context_data(form=form), status=400)
