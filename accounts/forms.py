from functools import partial

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.fields import (
    DEPARTMENT_CODE_PATTERN,
    DEPARTMENT_NAME_MAX,
    ROLE_CODE_PATTERN,
    ROLE_DESCRIPTION_MAX,
    ROLE_NAME_MAX,
    TENANT_CODE_PATTERN,
    TENANT_NAME_MAX,
    USERNAME_PATTERN,
    TenantRowsField,
    TenantRowsForm,
    TenantRowsMultipleField,
)
from accounts.models import UserStatus, UserType
from portal.errors import DomainError, ErrorCode


class PortalLoginForm(forms.Form):
    """Portal sign-in: tenant code + username + password (v1 contract), or email + password
    with the tenant left empty (platform operators). Goes through the same service as the APIs:
    lockout, tenant checks, captcha and the login log apply."""

    tenant_code = forms.CharField(label=_("Tenant code"), max_length=64, required=False)
    username = forms.CharField(label=_("Username or email"), max_length=254)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    captcha_key = forms.CharField(required=False, widget=forms.HiddenInput)

    error_messages = {"invalid_login": _("Wrong username or password, or the tenant is unavailable.")}
    captcha_code = forms.CharField(label=_("Captcha"), max_length=8, required=False)

    def __init__(self, request=None, *args, **kwargs):
        from portal.config import get_config

        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)
        self.captcha_svg = None
        if get_config("login_captcha_enabled"):
            # A fresh captcha on every render; the one submitted is checked (and burned) by the service.
            from accounts.auth_services import captcha_create

            key, self.captcha_svg = captcha_create()
            self.fields["captcha_code"].required = True
            self.initial["captcha_key"] = key
            if self.is_bound:
                self.data = self.data.copy()
                self.submitted_captcha_key = self.data.get("captcha_key")
                self.data["captcha_key"] = key
        else:
            del self.fields["captcha_code"]
            del self.fields["captcha_key"]
        self.fields["tenant_code"].widget.attrs.update({"autocomplete": "organization", "autofocus": True})
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def clean(self):
        from accounts import auth_services as auth

        tenant_code = (self.cleaned_data.get("tenant_code") or "").strip()
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            info = auth.client_info(self.request)
            captcha = {
                "captcha_key": getattr(self, "submitted_captcha_key", None),
                "captcha_code": self.cleaned_data.get("captcha_code"),
            }
            try:
                if tenant_code:
                    self.user_cache = auth.authenticate_password(
                        tenant_code=tenant_code, username=username, password=password, info=info, **captcha
                    )
                else:
                    self.user_cache = auth.authenticate_password(
                        email=username, password=password, info=info, **captcha
                    )
            except DomainError as exc:
                # Wrong credentials and an unusable tenant read the same on the page; a lockout or a
                # wrong captcha is said plainly (the user can act on it).
                generic = exc.code in (ErrorCode.INVALID_CREDENTIALS, ErrorCode.TENANT_UNAVAILABLE)
                message = self.error_messages["invalid_login"] if generic else str(exc.message)
                raise forms.ValidationError(message, code=exc.code.name.lower()) from None
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("One-time code"),
        max_length=16,  # a recovery code (xxxxx-xxxxx) is accepted in place of the 6 digits
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
    trust_device = forms.BooleanField(label=_("Trust this device (skip the code next time)"), required=False)


class MfaDisableForm(forms.Form):
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    code = forms.CharField(label=_("One-time code"), max_length=8)


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), strip=False, widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput)


# The pickers several forms share; each offers the rows of a scoped selector.
_department_field = partial(
    TenantRowsField, label=_("Department"), rows=selectors.department_choices_for, required=False
)
_parent_department_field = partial(
    TenantRowsField, label=_("Parent department"), rows=selectors.department_choices_for, required=False
)
_roles_field = partial(TenantRowsMultipleField, label=_("Roles"), rows=selectors.assignable_roles_for, required=False)
_permissions_field = partial(
    TenantRowsMultipleField, label=_("Permissions"), rows=selectors.grantable_permissions_for, required=False
)


class UserCreateForm(TenantRowsForm):
    username = forms.RegexField(label=_("Username"), regex=USERNAME_PATTERN)
    real_name = forms.CharField(label=_("Real name"), max_length=64, required=False)
    email = forms.EmailField(label=_("Email"))
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    password = forms.CharField(label=_("Initial password"), strip=False, widget=forms.PasswordInput)
    user_type = forms.ChoiceField(label=_("User type"), choices=UserType.choices, initial=UserType.INTERNAL)
    department = _department_field()
    roles = _roles_field()
    status = forms.ChoiceField(label=_("Status"), choices=UserStatus.choices, initial=UserStatus.ACTIVE)


class RoleCreateForm(TenantRowsForm):
    role_code = forms.RegexField(label=_("Code"), regex=ROLE_CODE_PATTERN)
    role_name = forms.CharField(label=_("Name"), max_length=ROLE_NAME_MAX)
    description = forms.CharField(label=_("Description"), max_length=ROLE_DESCRIPTION_MAX, required=False)
    parent = TenantRowsField(
        label=_("Parent role (inherits its permissions)"), rows=selectors.role_choices_for, required=False
    )
    permissions = _permissions_field()


class UserEditForm(TenantRowsForm):
    """An administrator edits a user's profile, department and roles (status and password
    have their own forms: they end sessions)."""

    real_name = forms.CharField(label=_("Real name"), max_length=64, required=False)
    email = forms.EmailField(label=_("Email"))
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    job_title = forms.CharField(label=_("Job title"), max_length=64, required=False)
    user_type = forms.ChoiceField(label=_("User type"), choices=UserType.choices)
    department = _department_field()
    roles = _roles_field()


class AdminPasswordResetForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to email the user a reset link instead. Either way the user's sessions end."),
    )


class RoleEditForm(TenantRowsForm):
    role_name = forms.CharField(label=_("Name"), max_length=ROLE_NAME_MAX)
    description = forms.CharField(label=_("Description"), max_length=ROLE_DESCRIPTION_MAX, required=False)
    permissions = _permissions_field()


class DepartmentEditForm(TenantRowsForm):
    name = forms.CharField(label=_("Name"), max_length=DEPARTMENT_NAME_MAX)
    parent = _parent_department_field()
    sort_order = forms.IntegerField(label=_("Sort order"), initial=0, required=False)

    def __init__(self, *args, user, department=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if department is not None:  # not under itself or its own sub-departments
            below = department.get_descendants(include_self=True).values("pk")
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(pk__in=below)


class ForgotPasswordForm(forms.Form):
    tenant_code = forms.CharField(
        label=_("Tenant code"),
        max_length=64,
        required=False,
        help_text=_("Platform operators leave this empty."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class DepartmentCreateForm(TenantRowsForm):
    code = forms.RegexField(label=_("Code"), regex=DEPARTMENT_CODE_PATTERN)
    name = forms.CharField(label=_("Name"), max_length=DEPARTMENT_NAME_MAX)
    parent = _parent_department_field()
    sort_order = forms.IntegerField(label=_("Sort order"), initial=0, required=False)


class TenantCreateForm(forms.Form):
    tenant_code = forms.RegexField(label=_("Tenant code"), regex=TENANT_CODE_PATTERN)
    tenant_name = forms.CharField(label=_("Tenant name"), max_length=TENANT_NAME_MAX)
    domain = forms.CharField(label=_("Domain"), max_length=255, required=False)
    max_users = forms.IntegerField(label=_("Maximum users"), min_value=1, initial=100)
    expire_time = forms.DateTimeField(label=_("Expires at"), required=False)
    admin_username = forms.RegexField(label=_("Administrator username"), regex=USERNAME_PATTERN)
    admin_email = forms.EmailField(label=_("Administrator email"))
    admin_password = forms.CharField(label=_("Administrator password"), strip=False, widget=forms.PasswordInput)


class TenantEditForm(forms.Form):
    tenant_name = forms.CharField(label=_("Tenant name"), max_length=TENANT_NAME_MAX)
    domain = forms.CharField(label=_("Domain"), max_length=255, required=False)
    max_users = forms.IntegerField(label=_("Maximum users"), min_value=1)
    expire_time = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: never expires."),
    )
