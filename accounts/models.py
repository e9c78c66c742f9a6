from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from accounts.permission_catalog import BUILTIN_ROLE_RANK, PERMISSION_CODES, PLATFORM_ROLE
from portal.tenancy import TenantOwnedModel, TenantQuerySet
from tenants.models import Tenant


class Permission(models.Model):
    """A permission code of the v1 contract (``ticket:read``, ``dispatch:execute`` …).

    Rows come from ``accounts.permission_catalog`` through data migrations; they are global,
    not per tenant. Roles grant sets of them."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=128, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    resource_type = models.CharField(_("resource type"), max_length=32)
    action_type = models.CharField(_("action type"), max_length=32)
    module = models.CharField(_("module"), max_length=32, blank=True)
    is_system = models.BooleanField(_("system permission"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("permission")
        verbose_name_plural = _("permissions")

    def __str__(self) -> str:
        return self.code

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name

    @property
    def module_display(self) -> str:
        """The module's name in the current language (grouping in the role form)."""
        from accounts.permission_catalog import MODULE_NAMES_EN

        if (get_language() or "").startswith("en"):
            return MODULE_NAMES_EN.get(self.module, self.module)
        return self.module


class RoleType(models.TextChoices):
    SYSTEM = "system", _("System")
    BUSINESS = "business", _("Business")


class Role(models.Model):
    """A named set of permissions within a tenant. Built-in roles (user, agent, supervisor,
    admin) exist in every tenant; tenants may add more, and a child role inherits its
    parent's permissions. The platform role ``super_admin`` has no tenant."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="roles", verbose_name=_("tenant")
    )
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    role_type = models.CharField(_("role type"), max_length=16, choices=RoleType.choices, default=RoleType.BUSINESS)
    is_system = models.BooleanField(_("built-in"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent role")
    )
    permissions = models.ManyToManyField(Permission, blank=True, related_name="roles", verbose_name=_("permissions"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "id"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="role_code_unique_per_tenant"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(tenant__isnull=True), name="platform_role_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"

    @property
    def display_name(self) -> str:
        """The role's name for the page: a built-in role keeps its catalogue name in English
        pages (tenants' own roles show the name they gave them)."""
        from accounts.permission_catalog import BUILTIN_ROLES

        if self.is_system and self.code in BUILTIN_ROLES and (get_language() or "").startswith("en"):
            zh_name, en_name, _codes = BUILTIN_ROLES[self.code]
            if self.name == zh_name:  # not renamed by the tenant
                return en_name
        return self.name


class Department(MPTTModel):
    """A node of a tenant's organisation tree. Written only through the department services,
    which serialise tree writes per tenant."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant"))
    code = models.CharField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=128)
    description = models.CharField(_("description"), max_length=255, blank=True)
    parent = TreeForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    manager = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
        verbose_name=_("manager"),
    )
    sort_order = models.IntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class MPTTMeta:
        order_insertion_by = ["sort_order", "name"]

    class Meta:
        ordering = ["tree_id", "lft"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="department_code_unique_per_tenant")]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> str:
        return "/".join(node.name for node in self.get_ancestors(include_self=True))


class UserStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    LOCKED = "locked", _("Locked")
    SUSPENDED = "suspended", _("Suspended")
    PENDING = "pending", _("Pending")


class UserType(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")
    SERVICE = "service", _("Service account")


class UserManager(BaseUserManager.from_queryset(TenantQuerySet)):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        """A platform operator: no tenant, Django admin access, every permission."""
        extra.update(is_staff=True, is_superuser=True, tenant=None)
        extra.setdefault("username", email.split("@")[0])
        return self._create(email, password, **extra)


def active_role_parents(tenant_id) -> dict[int, int | None]:
    """The tenant's active roles, id → parent id: what ``role_closure`` walks."""
    return dict(Role.objects.filter(tenant_id=tenant_id, is_active=True).values_list("id", "parent_id"))


def role_closure(parents: dict[int, int | None], role_ids) -> set[int]:
    """``role_ids`` and their ancestors, walking up through ``parents`` (``active_role_parents``):
    an inactive role grants nothing and passes on nothing of its parents. The one inheritance
    rule of authorization: ``User.permission_codes`` applies it to one user,
    ``accounts.selectors.users_holding`` to a whole tenant, the admin API to an inactive account.
    (Granting a role checks the granter against the role's whole chain, inactive parents
    included: ``accounts.services._role_closure_codes``, deliberately stricter.)"""
    closure: set[int] = set()
    for role_id in role_ids:
        current = role_id
        while current in parents and current not in closure:
            closure.add(current)
            current = parents[current]
    return closure


def granted_codes(*, tenant_id, role_ids) -> list[str]:
    """The permission codes that ``role_ids`` grant with their active ancestors, sorted."""
    closure = role_closure(active_role_parents(tenant_id), role_ids)
    return sorted(set(Permission.objects.filter(roles__id__in=closure).values_list("code", flat=True)))


class User(AbstractBaseUser, PermissionsMixin):
    """A person (or service account) of one tenant. Platform operators have no tenant.

    Email is unique across the platform (stored lower-case) because the desk contract signs in
    by email alone; usernames are unique within a tenant."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("tenant")
    )
    username = models.CharField(_("username"), max_length=64)
    email = models.EmailField(_("email"), unique=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    real_name = models.CharField(_("real name"), max_length=64, blank=True)
    first_name = models.CharField(_("first name"), max_length=64, blank=True)
    last_name = models.CharField(_("last name"), max_length=64, blank=True)
    avatar = models.CharField(_("avatar URL"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=UserStatus.choices, default=UserStatus.ACTIVE)
    user_type = models.CharField(_("user type"), max_length=16, choices=UserType.choices, default=UserType.INTERNAL)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="users", verbose_name=_("department")
    )
    roles = models.ManyToManyField(
        Role,
        through="UserRole",
        through_fields=("user", "role"),
        blank=True,
        related_name="users",
        verbose_name=_("roles"),
    )
    job_title = models.CharField(_("job title"), max_length=64, blank=True)
    employee_id = models.CharField(_("employee id"), max_length=64, blank=True)
    work_location = models.CharField(_("work location"), max_length=128, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    login_count = models.PositiveIntegerField(_("login count"), default=0)
    last_login_ip = models.GenericIPAddressField(_("last sign-in IP"), null=True, blank=True)
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("manager")
    )
    # Lockout: incremented atomically *before* each password check so parallel guesses cannot
    # overrun the limit (see accounts.auth_services.authenticate_password).
    failed_login_count = models.PositiveIntegerField(_("failed sign-ins"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    require_password_change = models.BooleanField(_("must change password"), default=False)
    last_password_reset = models.DateTimeField(_("last password reset"), null=True, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        ordering = ["id"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.UniqueConstraint("tenant", Lower("username"), name="user_username_unique_per_tenant"),
            models.UniqueConstraint(
                Lower("username"), condition=models.Q(tenant__isnull=True), name="platform_username_unique"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return self.real_name or self.username

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)

    # Django's auth checks ``is_active``; the single source of truth is ``status``.
    @property
    def is_active(self) -> bool:
        return self.status == UserStatus.ACTIVE

    @property
    def is_platform_admin(self) -> bool:
        return self.tenant_id is None and self.is_superuser

    @cached_property
    def role_codes(self) -> list[str]:
        """Codes of the roles held, ancestors excluded."""
        if self.is_platform_admin:
            return [PLATFORM_ROLE]
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("roles")
        if prefetched is not None:  # lists prefetch the roles: no query per row
            return [role.code for role in prefetched if role.is_active]
        if self.pk is None:
            return []
        return list(self._authz["roles"])

    @cached_property
    def _authz(self) -> dict:
        """Role and permission codes, from the permission cache (``accounts.authz``)."""
        from accounts import authz

        return authz.load(self, User._compute_authz)

    @staticmethod
    def _compute_authz(user) -> dict:
        held = list(user.roles.filter(is_active=True).values_list("id", "code"))
        codes = granted_codes(tenant_id=user.tenant_id, role_ids=[role_id for role_id, _code in held])
        return {"roles": [code for _id, code in held], "codes": codes}

    @property
    def primary_role(self) -> str:
        """The desk contract's ``role``: the highest built-in role held."""
        if self.is_platform_admin:
            return "admin"
        held = set(self.role_codes)
        for code in reversed(BUILTIN_ROLE_RANK):
            if code in held:
                return code
        return "user"

    @cached_property
    def permission_codes(self) -> frozenset[str]:
        """Every permission granted by the user's active roles and their ancestors."""
        if not self.is_active:
            return frozenset()
        if self.is_platform_admin:
            return frozenset(PERMISSION_CODES)
        if self.pk is None:
            return frozenset()
        return frozenset(self._authz["codes"])

    def has_contract_permission(self, code: str) -> bool:
        return code in self.permission_codes


class UserRole(TenantOwnedModel):
    """A role granted to a user, with when and by whom (shown by the admin user APIs)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    assigned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]


class LoginMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    PASSWORD_OTP = "password+otp", _("Password and one-time code")
    PASSWORD_TRUSTED = "password+trusted", _("Password on a trusted device")
    PASSWORD_RECOVERY = "password+recovery", _("Password and recovery code")


class SessionEndReason(models.TextChoices):
    LOGOUT = "logout", _("Signed out")
    FORCED = "forced", _("Forced sign-out")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    DEACTIVATED = "deactivated", _("User deactivated")


class LoginSession(models.Model):
    """One sign-in: every token (and the portal's Django session) carries its ``key`` as the
    ``sid`` claim, so ending this row ends the tokens on their very next request."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant")
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions", verbose_name=_("user"))
    key = models.CharField(_("session id"), max_length=64, unique=True)
    login_method = models.CharField(_("login method"), max_length=32, choices=LoginMethod.choices)
    channel = models.CharField(_("channel"), max_length=16, default="api")  # api | web
    # v1 login ``remember_me``: the session lasts as long as a refresh token instead of the idle timeout.
    remember_me = models.BooleanField(_("remember me"), default=False)
    device_id = models.CharField(_("device id"), max_length=128, blank=True)
    device_name = models.CharField(_("device name"), max_length=128, blank=True)
    device_type = models.CharField(_("device type"), max_length=16, blank=True)
    os = models.CharField(_("operating system"), max_length=64, blank=True)
    browser = models.CharField(_("browser"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    last_activity = models.DateTimeField(_("last activity"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=32, choices=SessionEndReason.choices, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key[:8]}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.ended_at is not None:
            return "terminated"
        return "active" if self.expires_at > timezone.now() else "expired"


class LoginResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")


class LoginLog(models.Model):
    """Every sign-in attempt, successful or not (never the password)."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant")
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="login_logs", verbose_name=_("user")
    )
    username = models.CharField(_("username"), max_length=254, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=LoginResult.choices)
    login_method = models.CharField(_("login method"), max_length=32, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    device_type = models.CharField(_("device type"), max_length=16, blank=True)
    device_info = models.JSONField(_("device"), default=dict, blank=True)
    session = models.ForeignKey(
        LoginSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("session")
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("login log")
        verbose_name_plural = _("login logs")
        indexes = [models.Index(fields=["tenant", "-created_at"]), models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.result} {self.created_at:%Y-%m-%d %H:%M}"


class TrustedDevice(models.Model):
    """A browser or app that may skip the one-time code. Only the SHA-256 of its random token
    is stored; the token is shown to the client once."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant")
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="trusted_devices", verbose_name=_("user"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    device_name = models.CharField(_("device name"), max_length=128, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    last_ip = models.GenericIPAddressField(_("last IP"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=512, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("trusted device")
        verbose_name_plural = _("trusted devices")

    def __str__(self) -> str:
        return self.device_name or f"device {self.pk}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


class PasswordResetToken(models.Model):
    """A single-use, expiring password-reset link (only its hash is stored)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("password reset token")
        verbose_name_plural = _("password reset tokens")

    def __str__(self) -> str:
        return f"reset {self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class PermissionChangeLog(models.Model):
    """Role assignments and permission changes, written in the same transaction as the change."""

    tenant = models.ForeignKey(
        Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("tenant")
    )
    target_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("target user")
    )
    target_username = models.CharField(_("target username"), max_length=64, blank=True)
    target_role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("target role")
    )
    operator = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("operator")
    )
    operator_name = models.CharField(_("operator name"), max_length=64, blank=True)
    operation_type = models.CharField(_("operation"), max_length=32)
    operation_description = models.CharField(_("description"), max_length=255)
    old_value = models.TextField(_("old value"), null=True, blank=True)
    new_value = models.TextField(_("new value"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("permission change log")
        verbose_name_plural = _("permission change logs")

    def __str__(self) -> str:
        return f"{self.operation_type} {self.target_username}"


class ScheduledStatusChange(TenantOwnedModel):
    """A user status change that takes effect later (v1 §22.1.5 ``effective_time``); applied by
    the ``accounts.apply_due_status_changes`` periodic job."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("user"))
    status = models.CharField(_("status"), max_length=16, choices=UserStatus.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    effective_time = models.DateTimeField(_("effective time"))
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["effective_time", "id"]
        verbose_name = _("scheduled status change")
        verbose_name_plural = _("scheduled status changes")
        indexes = [models.Index(fields=["applied_at", "effective_time"])]

    def __str__(self) -> str:
        return f"{self.user_id} -> {self.status} @ {self.effective_time:%Y-%m-%d %H:%M}"


class RecoveryCode(models.Model):
    """A one-time code that replaces the authenticator at the two-factor challenge when the
    phone is lost. Shown to the user once; only a keyed hash (HMAC with the secret key and the
    user id) is stored, and a used code is marked, never accepted again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes", verbose_name=_("user"))
    code_hash = models.CharField(_("code hash"), max_length=64)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="recovery_code_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {'used' if self.used_at else 'unused'}"
