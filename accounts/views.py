"""Portal pages of the identity domain: sign-in (with the two-factor step), profile, two-factor
enrolment, trusted devices, my sessions, and the tenant administrator's users, roles and
departments. Every write goes through the same services as the APIs."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from accounts import auth_services as auth
from accounts import selectors, services
from accounts.api.admin_serializers import department_paths
from accounts.forms import (
    DepartmentCreateForm,
    ForgotPasswordForm,
    MfaDisableForm,
    OtpForm,
    PasswordChangeForm,
    PortalLoginForm,
    RoleCreateForm,
    UserCreateForm,
)
from accounts.models import LoginSession, SessionEndReason, TrustedDevice, User, UserStatus
from portal.client import client_ip
from portal.config import get_config
from portal.context_processors import SITE_NAME
from portal.errors import DomainError, ErrorCode
from portal.page_views import PortalPageMixin

TRUST_COOKIE = "opsportal_trusted_device"
PENDING_KEY = "mfa_pending"


def _signed_in(request, outcome, *, next_url: str):
    """The page session for a sign-in the auth service completed (``outcome.session``)."""
    user = outcome.user
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session["login_sid"] = outcome.session.key
    response = redirect(next_url)
    if outcome.trusted_device_token:
        days = int(get_config("system.trusted_device.days", tenant=user.tenant))
        response.set_cookie(
            TRUST_COOKIE,
            outcome.trusted_device_token,
            max_age=days * 86400,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )
    return response


def _signin_rate_refusal(request, view):
    """The page's answer when this address has used up its sign-in calls (the same limit as
    the APIs' sign-in calls: ``system.login.rate_per_ip``), else ``None``."""
    from portal.ratelimit import signin_ip_hit

    verdict = signin_ip_hit(client_ip(request))
    if verdict.allowed:
        return None
    # A form bound to nothing: validating the submitted one would check the password.
    form = view.get_form_class()(**{**view.get_form_kwargs(), "data": {}, "files": None})
    form.errors.clear()
    form.add_error(None, str(ErrorCode.RATE_LIMIT_EXCEEDED.spec.message))
    response = view.render_to_response(view.get_context_data(form=form), status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


class LoginView(auth_views.LoginView):
    """Step 1: tenant + username + password. Users with two-factor on go to step 2 unless this
    browser holds a valid trusted-device cookie."""

    template_name = "accounts/login.html"
    authentication_form = PortalLoginForm
    redirect_authenticated_user = True
    # Django's LoginView puts the request's host name in ``site_name``; the page shows the product.
    extra_context = {"site_name": SITE_NAME}

    def post(self, request, *args, **kwargs):
        refused = _signin_rate_refusal(request, self)
        return refused or super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # The same sign-in path as the APIs: the service decides the second factor (trusted
        # device or a one-time code) and opens the login session.
        info = auth.client_info(self.request)
        next_url = self.get_success_url()
        outcome = auth.login_complete(
            user=form.get_user(),
            info=info,
            device_token=self.request.COOKIES.get(TRUST_COOKIE),
            channel="web",
            defer_mfa=True,
        )
        if outcome.mfa_token:
            self.request.session[PENDING_KEY] = {"mfa_token": outcome.mfa_token, "at": time.time(), "next": next_url}
            return redirect("accounts:login-otp")
        return _signed_in(self.request, outcome, next_url=next_url)


class LoginOtpView(FormView):
    """Step 2: the one-time code, with "trust this device"."""

    template_name = "accounts/login_otp.html"
    form_class = OtpForm

    def _pending(self):
        pending = self.request.session.get(PENDING_KEY)
        if not pending or time.time() - pending["at"] > auth.MFA_TOKEN_TTL:
            self.request.session.pop(PENDING_KEY, None)
            return None
        return pending

    def post(self, request, *args, **kwargs):
        refused = _signin_rate_refusal(request, self)
        return refused or super().post(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if self._pending() is None:
            messages.error(request, _("The two-factor sign-in has expired; sign in again."))
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        # The APIs' second step: the service counts wrong codes on the challenge (it expires
        # after ``MFA_TOKEN_MAX_ATTEMPTS``), re-checks the user and the tenant, and logs.
        pending = self._pending()
        info = auth.client_info(self.request)
        try:
            user, state = auth.mfa_challenge_verify(raw=pending["mfa_token"], code=form.cleaned_data["code"], info=info)
        except DomainError as exc:
            if exc.code == ErrorCode.INVALID_TOKEN:  # expired, used up, or the user/tenant is no longer usable
                self.request.session.pop(PENDING_KEY, None)
                messages.error(self.request, _("The two-factor sign-in has expired; sign in again."))
                return redirect("accounts:login")
            form.add_error("code", str(exc.message))
            return self.form_invalid(form)
        self.request.session.pop(PENDING_KEY, None)
        trust = form.cleaned_data["trust_device"]
        outcome = auth.login_finish(
            user=user,
            info=info,
            method=state["method"],  # password+otp, or password+recovery when a recovery code was used
            channel="web",
            remember_device=trust,
            device_name=info.device_name,
            remember_me=bool(state.get("remember_me")),
        )
        return _signed_in(self.request, outcome, next_url=pending["next"])


class LogoutView(auth_views.LogoutView):
    """Ends the login session too, so tokens and other tabs of it stop working."""

    def post(self, request, *args, **kwargs):
        session = getattr(request, "_login_session", None)
        if session is not None:
            auth.session_end(session=session, reason=SessionEndReason.LOGOUT)
        return super().post(request, *args, **kwargs)


class ProfileView(PortalPageMixin, View):
    template_name = "accounts/profile.html"

    def get(self, request, form=None):
        user = request.user
        return render(
            request,
            self.template_name,
            {
                "profile_user": user,
                "mfa_on": auth.mfa_enabled(user),
                "form": form or PasswordChangeForm(),
                "roles": user.roles.all(),
                "permissions": sorted(user.permission_codes),
            },
        )

    def post(self, request):
        form = PasswordChangeForm(request.POST)
        if form.is_valid():
            if not request.user.check_password(form.cleaned_data["old_password"]):
                form.add_error("old_password", _("Wrong password."))
            else:
                try:
                    auth.password_set(user=request.user, password=form.cleaned_data["new_password"])
                except DomainError as exc:
                    form.add_error("new_password", str(exc.message))
                else:
                    logout(request)
                    messages.success(request, _("Password changed. Sign in with the new password."))
                    return redirect("accounts:login")
        return self.get(request, form=form)


class MfaView(PortalPageMixin, View):
    """Two-factor enrolment: start → scan the QR code → confirm with a code (a wrong code keeps
    the same QR code) → the recovery codes, shown once; regenerate them; or turn it off."""

    template_name = "accounts/mfa.html"

    def get(self, request, **extra):
        user = request.user
        mfa_on = auth.mfa_enabled(user)
        context = {
            "mfa_on": mfa_on,
            "otp_form": OtpForm(),
            "disable_form": MfaDisableForm(),
            "recovery_left": auth.recovery_codes_left(user) if mfa_on else 0,
        }
        context.update(extra)
        return render(request, self.template_name, context, status=context.pop("status", 200))

    def post(self, request):
        action = request.POST.get("action")
        user = request.user
        try:
            if action == "setup":
                return self.get(request, setup=auth.mfa_setup(user=user))
            if action == "enable":
                codes = auth.mfa_enable(user=user, code=request.POST.get("code", ""))
                messages.success(request, _("Two-factor authentication enabled."))
                # Shown in this response only: the page never displays them again.
                return self.get(request, mfa_on=True, recovery_codes=codes, recovery_left=len(codes))
            if action == "recovery":
                if not user.check_password(request.POST.get("password", "")):
                    raise DomainError(ErrorCode.INVALID_CREDENTIALS, _("Wrong password."), field="password")
                codes = auth.recovery_codes_generate(user=user)
                messages.success(request, _("New recovery codes generated; the old ones no longer work."))
                return self.get(request, recovery_codes=codes, recovery_left=len(codes))
            if action == "disable":
                auth.mfa_disable(
                    user=user, password=request.POST.get("password", ""), code=request.POST.get("code", "")
                )
                messages.success(request, _("Two-factor authentication disabled."))
        except DomainError as exc:
            if action == "enable":
                # Keep the QR code the user already scanned: only the code was wrong.
                setup = auth.mfa_pending_setup(user=user)
                return self.get(
                    request, setup=setup, code_error=str(exc.message), setup_pending=setup is None, status=400
                )
            messages.error(request, str(exc.message))
        return redirect("accounts:mfa")


class DevicesView(PortalPageMixin, View):
    template_name = "accounts/devices.html"

    def get(self, request):
        devices = TrustedDevice.objects.filter(user=request.user).order_by("-created_at")
        return render(request, self.template_name, {"devices": devices})

    def post(self, request):
        device = get_object_or_404(TrustedDevice, pk=request.POST.get("device_id"), user=request.user)
        auth.trusted_device_revoke(device=device)
        messages.success(request, _("Trusted device revoked."))
        return redirect("accounts:devices")


class SessionsView(PortalPageMixin, View):
    template_name = "accounts/sessions.html"

    def get(self, request):
        sessions = LoginSession.objects.filter(user=request.user).order_by("-created_at")[:50]
        current = getattr(request, "_login_session", None)
        return render(
            request, self.template_name, {"sessions": sessions, "current_key": current.key if current else ""}
        )

    def post(self, request):
        if request.POST.get("action") == "others":
            # Every session of the user but this one (the sockets of those sessions close too).
            current = getattr(request, "_login_session", None)
            ended = auth.sessions_end_for_user(user=request.user, reason=SessionEndReason.LOGOUT, keep=current)
            messages.success(request, _("Signed out of %(n)d other sessions.") % {"n": ended})
            return redirect("accounts:sessions")
        session = get_object_or_404(LoginSession, key=request.POST.get("session_id"), user=request.user)
        auth.session_end(session=session, reason=SessionEndReason.LOGOUT)
        messages.success(request, _("Session ended."))
        return redirect("accounts:sessions")


class UsersView(PortalPageMixin, View):
    """Tenant administrator: the tenant's users, create one, deactivate/activate. The users
    come from ``users_for``, as in the v1 users API: a platform principal administers no
    tenant's users here and is shown none (nor the platform accounts)."""

    required_permissions = {"get": "user:read", "post": {"status": "user:update", "*": "user:create"}}
    template_name = "accounts/users.html"

    def get(self, request, form=None):
        users = selectors.users_for(request.user).order_by("id")
        keyword = request.GET.get("q", "").strip()
        if keyword:
            users = selectors.user_search(users, keyword)
        page = Paginator(users, 50).get_page(request.GET.get("page"))
        can_create = request.user.has_contract_permission("user:create")
        return render(
            request,
            self.template_name,
            {
                "page": page,
                "q": keyword,
                "can_create": can_create,
                "can_update": request.user.has_contract_permission("user:update"),
                "form": form or (UserCreateForm(user=request.user) if can_create else None),
                "paths": department_paths(selectors.departments_for(request.user)),
            },
        )

    def post(self, request):
        tenant = request.user.tenant
        if request.POST.get("action") == "status":
            target = get_object_or_404(selectors.users_for(request.user), pk=request.POST.get("user_id"))
            status = UserStatus.ACTIVE if request.POST.get("status") == UserStatus.ACTIVE else UserStatus.INACTIVE
            try:
                services.user_set_status(user=target, status=status, by=request.user)
                messages.success(request, _("Status updated."))
            except DomainError as exc:
                messages.error(request, str(exc.message))
            return redirect("accounts:users")
        form = UserCreateForm(request.POST, user=request.user)
        # Every refusal the service would make, shown together with the form's own errors.
        problems = services.user_create_problems(
            tenant=tenant,
            username=form.data.get("username", ""),
            email=form.data.get("email", ""),
            password=form.data.get("password", ""),
        )
        for field, errors in problems.items():
            if field not in form.errors:  # the form's own complaint about a field comes first
                for error in errors:
                    form.add_error(field, error)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.user_admin_create(
                    tenant=tenant,
                    by=request.user,
                    username=d["username"],
                    email=d["email"],
                    password=d["password"],
                    roles=list(d["roles"]) or None,
                    status=d["status"],
                    department=d["department"],
                    ip=client_ip(request),
                    real_name=d["real_name"],
                    phone=d["phone"],
                    user_type=d["user_type"],
                )
            except DomainError as exc:
                form_add_domain_error(form, exc, fields={"department_id": "department", "role_ids": "roles"})
            else:
                messages.success(request, _("User created."))
                return redirect("accounts:users")
        return self.get(request, form=form)


class RolesView(PortalPageMixin, View):
    """Tenant administrator: roles with a permission picker grouped by module."""

    required_permissions = {"get": "role:read", "post": "role:create"}
    template_name = "accounts/roles.html"

    def get(self, request, form=None):
        from accounts.selectors import roles_for

        can_create = request.user.has_contract_permission("role:create")
        form = form or (RoleCreateForm(user=request.user) if can_create else None)
        return render(
            request,
            self.template_name,
            {
                "roles": roles_for(request.user),
                "form": form,
                "groups": permission_groups(form) if form is not None else {},
                "can_update": request.user.has_contract_permission("role:update"),
            },
        )

    def post(self, request):
        form = RoleCreateForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.role_create(
                    tenant=request.user.tenant,
                    by=request.user,
                    code=d["role_code"],
                    name=d["role_name"],
                    description=d["description"],
                    permission_codes=[p.code for p in d["permissions"]],
                    parent=d["parent"],
                    ip=client_ip(request),
                )
            except DomainError as exc:
                form_add_domain_error(form, exc, fields={"permission_codes": "permissions", "parent_role_id": "parent"})
            else:
                messages.success(request, _("Role created."))
                return redirect("accounts:roles")
        return self.get(request, form=form)


class DepartmentsView(PortalPageMixin, View):
    """Tenant administrator: the organisation tree with user counts."""

    required_permissions = {"get": "department:read", "post": "department:create"}
    template_name = "accounts/departments.html"

    def get(self, request, form=None):
        nodes = selectors.department_tree(selectors.departments_for(request.user))
        can_create = request.user.has_contract_permission("department:create")
        return render(
            request,
            self.template_name,
            {
                "nodes": nodes,
                "form": form or (DepartmentCreateForm(user=request.user) if can_create else None),
            },
        )

    def post(self, request):
        form = DepartmentCreateForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.department_create(
                    tenant=request.user.tenant,
                    code=d["code"],
                    name=d["name"],
                    parent=d["parent"],
                    sort_order=d["sort_order"] or 0,
                )
            except DomainError as exc:
                form_add_domain_error(form, exc, fields={"department_code": "code", "parent_id": "parent"})
            else:
                messages.success(request, _("Department created."))
                return redirect("accounts:departments")
        return self.get(request, form=form)


def password_reset_confirm_page(request):
    """The page the reset email links to: choose the new password."""
    from django import forms

    class ResetForm(forms.Form):
        new_password = forms.CharField(label=_("New password"), strip=False, widget=forms.PasswordInput)

    token = request.GET.get("token") or request.POST.get("token") or ""
    form = ResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            auth.password_reset_confirm(raw=token, new_password=form.cleaned_data["new_password"])
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Password changed. Sign in with the new password."))
            return redirect(reverse("accounts:login"))
    return render(request, "accounts/password_reset_confirm.html", {"form": form, "token": token})


# --- Editing what was created (issue 13) ------------------------------------------------------------
#
# Every object comes from a scoped selector (another tenant's is a 404) and every write from the
# services; the per-method permission map refuses a missing permission with a 403 before any of it.


def form_add_domain_error(form, exc: DomainError, *, fields: dict | None = None) -> None:
    """Put a service refusal on the form field it names (``fields`` maps service field names
    to form field names), else on the form as a whole."""
    name = (fields or {}).get(exc.field, exc.field)
    form.add_error(name if name in form.fields else None, str(exc.message))


class UserEditView(PortalPageMixin, View):
    """A tenant administrator edits one user: profile, department and roles; status (with a
    confirmation) and an administrator's password reset post to their own views."""

    required_permissions = {"get": "user:read", "post": "user:update"}
    tenant_required = True
    template_name = "accounts/user_edit.html"

    def _target(self, request, pk):
        from accounts.selectors import users_for

        return get_object_or_404(users_for(request.user), pk=pk)

    def get(self, request, pk, form=None, password_form=None, status=200):
        from accounts.forms import AdminPasswordResetForm, UserEditForm

        target = self._target(request, pk)
        if form is None:
            form = UserEditForm(
                user=request.user,
                initial={
                    "real_name": target.real_name,
                    "email": target.email,
                    "phone": target.phone,
                    "job_title": target.job_title,
                    "user_type": target.user_type,
                    "department": target.department_id,
                    "roles": [r.pk for r in target.roles.all()],
                },
            )
        can_update = request.user.has_contract_permission("user:update")
        can_reset = request.user.has_contract_permission("user:reset-password")
        return render(
            request,
            self.template_name,
            {
                "target": target,
                "form": form,
                "can_update": can_update,
                "is_self": target.pk == request.user.pk,
                "password_form": password_form or (AdminPasswordResetForm() if can_reset else None),
            },
            status=status,
        )

    def post(self, request, pk):
        from accounts.forms import UserEditForm

        target = self._target(request, pk)
        form = UserEditForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.user_update(
                    user=target,
                    by=request.user,
                    data={k: d[k] for k in ("real_name", "email", "phone", "job_title", "user_type")},
                    roles=list(d["roles"]),
                    department=d["department"],
                    ip=client_ip(request),
                )
            except DomainError as exc:
                form_add_domain_error(form, exc, fields={"department_id": "department", "role_ids": "roles"})
            else:
                messages.success(request, _("User saved."))
                return redirect("accounts:user-edit", pk=target.pk)
        return self.get(request, pk, form=form, status=400)


class UserStatusView(PortalPageMixin, View):
    """Activate or deactivate a user (the page asks for confirmation first)."""

    required_permissions = {"post": "user:update"}
    tenant_required = True
    http_method_names = ["post"]

    def post(self, request, pk):
        from accounts.selectors import users_for

        target = get_object_or_404(users_for(request.user), pk=pk)
        status = UserStatus.ACTIVE if request.POST.get("status") == UserStatus.ACTIVE else UserStatus.INACTIVE
        try:
            services.user_set_status(user=target, status=status, by=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            if status == UserStatus.ACTIVE:
                messages.success(request, _("User activated."))
            else:
                messages.success(request, _("User deactivated; their sessions have ended."))
        return redirect("accounts:user-edit", pk=target.pk)


class UserPasswordResetView(PortalPageMixin, View):
    """An administrator sets a new password (the user must change it) or emails a reset link."""

    required_permissions = {"post": "user:reset-password"}
    tenant_required = True
    http_method_names = ["post"]

    def post(self, request, pk):
        from accounts.forms import AdminPasswordResetForm
        from accounts.selectors import users_for

        target = get_object_or_404(users_for(request.user), pk=pk)
        form = AdminPasswordResetForm(request.POST)
        if form.is_valid():
            try:
                how = services.user_admin_reset_password(
                    user=target,
                    by=request.user,
                    new_password=form.cleaned_data["new_password"] or None,
                    reset_url=request.build_absolute_uri(reverse("accounts:password-reset-confirm")),
                )
            except DomainError as exc:
                form_add_domain_error(form, exc, fields={"password": "new_password"})
            else:
                if how == "password":
                    messages.success(request, _("Password set. The user must change it at the next sign-in."))
                else:
                    messages.success(request, _("A reset link was emailed to the user."))
                return redirect("accounts:user-edit", pk=target.pk)
        return _render_user(request, pk, password_form=form)


def _render_user(request, pk, **forms):
    """The user's edit page with a refused form filled in (400)."""
    view = UserEditView()
    view.setup(request, pk=pk)
    return view.get(request, pk, status=400, **forms)


class RoleEditView(PortalPageMixin, View):
    """Rename a role and choose its permissions (only those of modules switched on)."""

    required_permissions = {"get": "role:read", "post": "role:update"}
    tenant_required = True
    template_name = "accounts/role_edit.html"

    def _target(self, request, pk):
        from accounts.selectors import roles_for

        return get_object_or_404(roles_for(request.user), pk=pk)

    def get(self, request, pk, form=None, status=200):
        from accounts.forms import RoleEditForm

        role = self._target(request, pk)
        form = form or RoleEditForm(
            user=request.user,
            initial={
                "role_name": role.name,
                "description": role.description,
                "permissions": list(role.permissions.values_list("pk", flat=True)),
            },
        )
        return render(
            request,
            self.template_name,
            {
                "role": role,
                "form": form,
                "groups": permission_groups(form),
                "can_update": request.user.has_contract_permission("role:update"),
            },
            status=status,
        )

    def post(self, request, pk):
        from accounts.forms import RoleEditForm

        role = self._target(request, pk)
        form = RoleEditForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.role_update(
                    role=role,
                    by=request.user,
                    name=d["role_name"],
                    description=d["description"],
                    permission_codes=[p.code for p in d["permissions"]],
                    ip=client_ip(request),
                )
            except DomainError as exc:
                form_add_domain_error(form, exc, fields={"permission_codes": "permissions"})
            else:
                messages.success(request, _("Role saved."))
                return redirect("accounts:roles")
        return self.get(request, pk, form=form, status=400)


def permission_groups(form) -> dict:
    """The form's permission choices grouped by module: ``{module: [(permission, checked)]}``."""
    selected = {str(v) for v in (form["permissions"].value() or [])}
    groups: dict = {}
    for permission in form.fields["permissions"].queryset:
        groups.setdefault(permission.module_display or "-", []).append((permission, str(permission.pk) in selected))
    return groups


class DepartmentEditView(PortalPageMixin, View):
    """Rename or move a department; delete it when it is empty."""

    required_permissions = {"get": "department:read", "post": "department:update"}
    tenant_required = True
    template_name = "accounts/department_edit.html"

    def _target(self, request, pk):
        from accounts.selectors import departments_for

        return get_object_or_404(departments_for(request.user), pk=pk)

    def get(self, request, pk, form=None, status=200):
        from accounts.forms import DepartmentEditForm

        node = self._target(request, pk)
        form = form or DepartmentEditForm(
            user=request.user,
            department=node,
            initial={"name": node.name, "parent": node.parent_id, "sort_order": node.sort_order},
        )
        return render(
            request,
            self.template_name,
            {
                "node": node,
                "form": form,
                "user_count": User.objects.filter(department=node).count(),
                "can_update": request.user.has_contract_permission("department:update"),
                "can_delete": request.user.has_contract_permission("department:delete"),
            },
            status=status,
        )

    def post(self, request, pk):
        from accounts.forms import DepartmentEditForm

        node = self._target(request, pk)
        form = DepartmentEditForm(request.POST, user=request.user, department=node)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.department_update(
                    department=node,
                    by=request.user,
                    name=d["name"],
                    parent=d["parent"],
                    sort_order=d["sort_order"] or 0,
                )
            except DomainError as exc:
                form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Department saved."))
                return redirect("accounts:departments")
        return self.get(request, pk, form=form, status=400)


class DepartmentDeleteView(PortalPageMixin, View):
    required_permissions = {"post": "department:delete"}
    tenant_required = True
    http_method_names = ["post"]

    def post(self, request, pk):
        from accounts.selectors import departments_for

        node = get_object_or_404(departments_for(request.user), pk=pk)
        try:
            services.department_delete(department=node, by=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return redirect("accounts:department-edit", pk=node.pk)
        messages.success(request, _("Department deleted."))
        return redirect("accounts:departments")


class ForgotPasswordView(FormView):
    """ "Forgot password": emails a single-use link to the reset-confirm page. Says the same
    whether or not the address is known (no account enumeration), and shares the sign-in
    pages' per-address limit."""

    template_name = "accounts/password_forgot.html"
    form_class = ForgotPasswordForm
    extra_context = {"site_name": SITE_NAME}

    def post(self, request, *args, **kwargs):
        refused = _signin_rate_refusal(request, self)
        return refused or super().post(request, *args, **kwargs)

    def form_valid(self, form):
        auth.password_reset_request(
            email=form.cleaned_data["email"],
            tenant_code=(form.cleaned_data["tenant_code"] or "").strip() or None,
            reset_url=self.request.build_absolute_uri(reverse("accounts:password-reset-confirm")),
        )
        messages.success(
            self.request,
            _("If an account matches, a link to choose a new password is on its way. It works for 30 minutes."),
        )
        return redirect("accounts:login")
