from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _


class PortalLoginForm(forms.Form):
    """Portal sign-in: tenant code + username + password (v1 contract), or email + password
    with the tenant left empty (platform operators)."""

    tenant_code = forms.CharField(label=_("Tenant code"), max_length=64, required=False)
    username = forms.CharField(label=_("Username or email"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": _("Wrong username or password, or the tenant is unavailable."),
    }

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.fields["tenant_code"].widget.attrs.update({"autocomplete": "organization", "autofocus": True})
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        tenant_code = (self.cleaned_data.get("tenant_code") or "").strip()
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            if tenant_code:
                self.user_cache = authenticate(
                    self.request, username=username, password=password, tenant_code=tenant_code
                )
            else:
                self.user_cache = authenticate(self.request, email=username, password=password)
            if self.user_cache is None:
                raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        return self.cleaned_data

    def get_user(self):
        return self.user_cache
