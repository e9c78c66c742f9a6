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
from tenants.models import Tenant, TenantOwnedModel, TenantQuerySet


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
        return f"{self.name} ({self.code})"


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
        return list(self.roles.filter(is_active=True).values_list("code", flat=True))

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
        roles = {r.id: r for r in Role.objects.filter(tenant_id=self.tenant_id, is_active=True)}
        held = set(self.roles.filter(is_active=True).values_list("id", flat=True))
        closure: set[int] = set()
        for role_id in held:
            current = roles.get(role_id)
            while current is not None and current.id not in closure:
                closure.add(current.id)
                current = roles.get(current.parent_id)
        return frozenset(Permission.objects.filter(roles__id__in=closure).values_list("code", flat=True).distinct())

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
