"""Writes of the identity domain. Keyword-only, transactional; views, admin, commands and
tasks all come through here."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Permission, Role, RoleType, User, UserRole, UserStatus
from accounts.permission_catalog import BUILTIN_ROLES, PERMISSION_CODES, sync_permissions
from portal.errors import DomainError, ErrorCode
from portal.trees import tree_write
from tenants.models import Tenant


@transaction.atomic
def ensure_builtin_roles(*, tenant: Tenant) -> dict[str, Role]:
    """Create (or bring up to date) the tenant's built-in roles and their permission sets."""
    if Permission.objects.count() < len(PERMISSION_CODES):
        # The catalogue comes from a migration; a database flushed since (transactional tests,
        # a restore of selected tables) would otherwise give every built-in role no permission.
        sync_permissions(Permission)
    permissions = {p.code: p for p in Permission.objects.all()}
    roles = {}
    for code, (name, _name_en, codes) in BUILTIN_ROLES.items():
        role, _created = Role.objects.update_or_create(
            tenant=tenant,
            code=code,
            defaults={"name": name, "is_system": True, "role_type": RoleType.SYSTEM, "is_active": True},
        )
        role.permissions.set([permissions[c] for c in codes if c in permissions])
        roles[code] = role
    return roles


def _check_user_quota(tenant: Tenant) -> None:
    # Lock the tenant row so that two concurrent creations cannot both take the last seat.
    locked = Tenant.objects.select_for_update().get(pk=tenant.pk)
    in_use = User.objects.filter(tenant=locked).exclude(status=UserStatus.INACTIVE).count()
    if in_use >= locked.max_users:
        raise DomainError(
            ErrorCode.CONFLICT,
            _("The tenant has reached its user limit (%(max)d).") % {"max": locked.max_users},
            details={"max_users": locked.max_users},
        )


@transaction.atomic
def user_create(
    *,
    tenant: Tenant,
    username: str,
    email: str,
    password: str | None,
    role_codes: list[str] | tuple[str, ...] = ("user",),
    by: User | None = None,
    **fields,
) -> User:
    """Create a user of ``tenant`` with the given roles, within the tenant's user quota."""
    _check_user_quota(tenant)
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(ErrorCode.CONFLICT, _("This email is already in use."), field="email")
    if User.objects.filter(tenant=tenant, username__iexact=username).exists():
        raise DomainError(ErrorCode.CONFLICT, _("This username is already in use."), field="username")
    user = User.objects.create_user(email=email, password=password, tenant=tenant, username=username, **fields)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password_changed_at"])
    roles = Role.objects.filter(tenant=tenant, code__in=role_codes)
    UserRole.objects.bulk_create([UserRole(tenant=tenant, user=user, role=role, assigned_by=by) for role in roles])
    return user


def user_register(*, username: str, email: str, password: str, **fields) -> User:
    """Desk self-registration into the tenant named by ``system.register.tenant_code``."""
    from accounts.auth_services import password_validate
    from portal.config import get_config

    code = get_config("system.register.tenant_code")
    tenant = Tenant.objects.filter(code=code).first() if code else None
    if tenant is None or not tenant.is_usable:
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("Self-registration is disabled."))
    password_validate(password, tenant=tenant)
    return user_create(
        tenant=tenant,
        username=username,
        email=email,
        password=password,
        role_codes=["user"],
        **{k: v for k, v in fields.items() if v},
    )


# --- Permission-change log ------------------------------------------------------------------------


def _log_permission_change(
    *,
    tenant,
    by: User | None,
    operation_type: str,
    description: str,
    target_user: User | None = None,
    target_role: Role | None = None,
    old_value=None,
    new_value=None,
    ip: str | None = None,
):
    from accounts.models import PermissionChangeLog

    return PermissionChangeLog.objects.create(
        tenant=tenant,
        target_user=target_user,
        target_username=target_user.username if target_user else "",
        target_role=target_role,
        operator=by,
        operator_name=by.username if by else "",
        operation_type=operation_type,
        operation_description=description[:255],
        old_value=old_value,
        new_value=new_value,
        ip_address=ip,
    )


@transaction.atomic
def role_permissions_logged(*, role: Role, by: User | None, before, after, ip: str | None = None) -> None:
    """Record a change of ``role``'s permissions made outside the role services (the Django
    admin's role form saves them itself); nothing is written when they did not change."""
    before, after = set(before), set(after)
    if before == after:
        return
    _log_permission_change(
        tenant=role.tenant,
        by=by,
        target_role=role,
        operation_type="permission_change",
        description=_("Changed permissions of role: %(name)s") % {"name": role.name},
        old_value=",".join(sorted(before)) or None,
        new_value=",".join(sorted(after)) or None,
        ip=ip,
    )


def _check_grantable(*, by: User | None, codes) -> None:
    """Nobody hands out permissions they do not hold themselves (no escalation by role
    editing), and platform-only codes never go to a tenant role."""
    from accounts.permission_catalog import PLATFORM_ONLY_PREFIXES

    codes = set(codes)
    platform = {c for c in codes if c.startswith(PLATFORM_ONLY_PREFIXES)}
    if platform:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("Platform permissions cannot be granted to a tenant role."),
            field="permission_codes",
        )
    if by is not None and not by.is_platform_admin:
        missing = codes - set(by.permission_codes)
        if missing:
            raise DomainError(
                ErrorCode.INSUFFICIENT_PERMISSIONS,
                _("You cannot grant permissions you do not hold: %(codes)s") % {"codes": ", ".join(sorted(missing))},
            )


def _role_closure_codes(role: Role) -> set[str]:
    codes: set[str] = set()
    seen = set()
    current = role
    while current is not None and current.pk not in seen:
        seen.add(current.pk)
        codes |= set(current.permissions.values_list("code", flat=True))
        current = current.parent
    return codes


def user_set_roles(*, user: User, roles, by: User | None, ip: str | None = None) -> None:
    """Make ``roles`` the user's roles, logging each assignment and revocation."""
    roles = list(roles)
    for role in roles:
        if role.tenant_id != user.tenant_id:
            raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown role."), field="role_ids")
        _check_grantable(by=by, codes=_role_closure_codes(role))
    current = {grant.role_id: grant for grant in UserRole.objects.filter(user=user).select_related("role")}
    wanted = {role.pk: role for role in roles}
    for role_id, grant in current.items():
        if role_id not in wanted:
            grant.delete()
            _log_permission_change(
                tenant=user.tenant,
                by=by,
                target_user=user,
                target_role=grant.role,
                ip=ip,
                operation_type="role_revoke",
                description=_("Revoked role: %(name)s") % {"name": grant.role.name},
                old_value=grant.role.code,
            )
    for role_id, role in wanted.items():
        if role_id not in current:
            UserRole.objects.create(tenant_id=user.tenant_id, user=user, role=role, assigned_by=by)
            _log_permission_change(
                tenant=user.tenant,
                by=by,
                target_user=user,
                target_role=role,
                ip=ip,
                operation_type="role_assign",
                description=_("Assigned role: %(name)s") % {"name": role.name},
                new_value=role.code,
            )
    user.__dict__.pop("role_codes", None)
    user.__dict__.pop("permission_codes", None)
    user.__dict__.pop("_authz", None)


USER_FIELDS = (
    "real_name",
    "first_name",
    "last_name",
    "phone",
    "avatar",
    "user_type",
    "job_title",
    "employee_id",
    "work_location",
    "time_zone",
    "hire_date",
    "require_password_change",
)


def _check_relations(*, tenant, department=None, manager=None) -> None:
    if department is not None and department.tenant_id != tenant.pk:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown department."), field="department_id")
    if manager is not None and manager.tenant_id != tenant.pk:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown manager."), field="manager_id")


def user_create_problems(*, tenant: Tenant, username: str, email: str, password: str | None) -> dict[str, list[str]]:
    """Every reason ``user_admin_create`` would refuse these inputs, per field, so a form can
    show them all at once instead of one per submit (the service still checks each itself)."""
    from accounts.auth_services import password_policy_errors

    problems: dict[str, list[str]] = {}
    if username and User.objects.filter(tenant=tenant, username__iexact=username).exists():
        problems["username"] = [_("This username is already in use.")]
    if email and User.objects.filter(email__iexact=email).exists():
        problems["email"] = [_("This email is already in use.")]
    if password is not None:
        errors = password_policy_errors(password, tenant=tenant)
        if errors:
            problems["password"] = errors
    return problems


@transaction.atomic
def user_admin_create(
    *,
    tenant: Tenant,
    by: User | None,
    username: str,
    email: str,
    password: str,
    roles=None,
    status: str = UserStatus.ACTIVE,
    department=None,
    manager=None,
    ip: str | None = None,
    send_welcome_email: bool = False,
    **fields,
) -> User:
    """An administrator creates a user of their tenant (quota, policy, roles logged)."""
    from accounts.auth_services import password_validate

    password_validate(password, tenant=tenant)
    _check_relations(tenant=tenant, department=department, manager=manager)
    data = {k: v for k, v in fields.items() if k in USER_FIELDS and v is not None}
    user = user_create(
        tenant=tenant,
        username=username,
        email=email,
        password=password,
        role_codes=[],
        by=by,
        status=status,
        department=department,
        manager=manager,
        **data,
    )
    if roles is None:
        roles = list(Role.objects.filter(tenant=tenant, code="user"))
    user_set_roles(user=user, roles=roles, by=by, ip=ip)
    if send_welcome_email:
        from django.core.mail import send_mail

        subject = _("Your account has been created")
        body = _("An account was created for you (user name: %(username)s). Sign in and change your password.") % {
            "username": user.username
        }
        address = user.email
        transaction.on_commit(lambda: send_mail(subject, body, None, [address], fail_silently=True))
    return user


@transaction.atomic
def user_update(
    *, user: User, by: User | None, data: dict, roles=None, department=..., manager=..., ip: str | None = None
) -> User:
    """Update profile fields, department, manager, email and (when given) roles."""
    if department is not ...:
        _check_relations(tenant=user.tenant, department=department)
        user.department = department
    if manager is not ...:
        _check_relations(tenant=user.tenant, manager=manager)
        if manager is not None and manager.pk == user.pk:
            raise DomainError(ErrorCode.VALIDATION_FAILED, _("A user cannot manage themselves."), field="manager_id")
        user.manager = manager
    email = data.get("email")
    if email and email.lower() != user.email:
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise DomainError(ErrorCode.CONFLICT, _("This email is already in use."), field="email")
        user.email = email
    for name in USER_FIELDS:
        if name in data:
            setattr(user, name, data[name])
    user.save()
    if roles is not None:
        user_set_roles(user=user, roles=roles, by=by, ip=ip)
    return user


@transaction.atomic
def user_set_status(*, user: User, status: str, by: User | None = None, reason: str = "") -> User:
    """Apply a status now; any non-active status ends the user's sessions at once."""
    from accounts.auth_services import sessions_end_for_user
    from accounts.models import SessionEndReason

    if by is not None and by.pk == user.pk and status != UserStatus.ACTIVE:
        raise DomainError(ErrorCode.CONFLICT, _("You cannot deactivate yourself."))
    if status == UserStatus.ACTIVE and user.status != UserStatus.ACTIVE and user.tenant_id:
        _check_user_quota(user.tenant)
    user.status = status
    fields = ["status", "updated_at"]
    if status == UserStatus.ACTIVE:
        user.failed_login_count, user.locked_until = 0, None
        fields += ["failed_login_count", "locked_until"]
    user.save(update_fields=fields)
    if status != UserStatus.ACTIVE:
        sessions_end_for_user(user=user, reason=SessionEndReason.DEACTIVATED)
    return user


@transaction.atomic
def user_schedule_status(*, user: User, status: str, effective_time, by: User | None, reason: str = ""):
    """Status change now, or stored for ``effective_time`` and applied by the periodic job."""
    from accounts.models import ScheduledStatusChange

    if effective_time is None or effective_time <= timezone.now():
        user_set_status(user=user, status=status, by=by, reason=reason)
        return None
    if by is not None and by.pk == user.pk and status != UserStatus.ACTIVE:
        raise DomainError(ErrorCode.CONFLICT, _("You cannot deactivate yourself."))
    # A newer schedule replaces pending ones: the last word of an administrator counts.
    ScheduledStatusChange.objects.filter(user=user, applied_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
    return ScheduledStatusChange.objects.create(
        tenant=user.tenant, user=user, status=status, reason=reason, effective_time=effective_time, created_by=by
    )


def apply_due_status_changes(*, now=None, batch: int = 200) -> int:
    """Apply every scheduled status change that is due. Idempotent and safe to run in
    parallel: rows are claimed with SKIP LOCKED and marked applied in the same transaction."""
    from accounts.models import ScheduledStatusChange

    now = now or timezone.now()
    applied = 0
    while True:
        with transaction.atomic():
            rows = list(
                ScheduledStatusChange.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(applied_at__isnull=True, cancelled_at__isnull=True, effective_time__lte=now)
                .select_related("user__tenant")
                .order_by("effective_time", "id")[:batch]
            )
            for row in rows:
                user_set_status(user=row.user, status=row.status, reason=row.reason)
                row.applied_at = timezone.now()
                row.save(update_fields=["applied_at"])
            applied += len(rows)
        if len(rows) < batch:
            return applied


@transaction.atomic
def user_deactivate(*, user: User, by: User | None) -> User:
    """v1 DELETE users/{id}: users are never deleted; their tickets keep their references."""
    return user_set_status(user=user, status=UserStatus.INACTIVE, by=by)


@transaction.atomic
def user_admin_reset_password(*, user: User, by: User | None, new_password: str | None, reset_url: str) -> str:
    """Set a new password chosen by the administrator (the user must change it), or email the
    user a reset link. Returns ``"password"`` or ``"email"``."""
    from accounts.auth_services import password_reset_request, password_set

    if new_password:
        password_set(user=user, password=new_password, field_name="new_password", reset=True)
        User.objects.filter(pk=user.pk).update(require_password_change=True)
        return "password"
    password_reset_request(email=user.email, tenant_code=user.tenant.code if user.tenant else None, reset_url=reset_url)
    return "email"


# --- Roles --------------------------------------------------------------------------------------------


@transaction.atomic
def role_create(
    *,
    tenant: Tenant,
    by: User | None,
    code: str,
    name: str,
    description: str = "",
    role_type: str = RoleType.BUSINESS,
    permission_codes=(),
    parent: Role | None = None,
    ip: str | None = None,
) -> Role:
    if parent is not None and parent.tenant_id != tenant.pk:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown parent role."), field="parent_role_id")
    codes = sorted(set(permission_codes))
    known = {p.code: p for p in Permission.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("Unknown permission codes: %(codes)s") % {"codes": ", ".join(unknown)},
            field="permission_codes",
        )
    inherited = _role_closure_codes(parent) if parent is not None else set()
    _check_grantable(by=by, codes=set(codes) | inherited)
    if Role.objects.filter(tenant=tenant, code=code).exists():
        raise DomainError(ErrorCode.CONFLICT, _("This role code is already in use."), field="role_code")
    role = Role.objects.create(
        tenant=tenant,
        code=code,
        name=name,
        description=description,
        role_type=role_type or RoleType.BUSINESS,
        parent=parent,
    )
    role.permissions.set(known.values())
    _log_permission_change(
        tenant=tenant,
        by=by,
        target_role=role,
        ip=ip,
        operation_type="role_create",
        description=_("Created role: %(name)s") % {"name": name},
        new_value=",".join(codes) or None,
    )
    return role


@transaction.atomic
def role_update(
    *,
    role: Role,
    by: User | None,
    name: str,
    description: str = "",
    permission_codes=None,
    ip: str | None = None,
) -> Role:
    """Rename a role and (for roles the tenant made) replace its permissions, logging the
    change. Built-in roles keep their permission sets: provisioning owns them."""
    role = Role.objects.select_for_update().get(pk=role.pk)
    old_codes = sorted(role.permissions.values_list("code", flat=True))
    if permission_codes is not None:
        codes = sorted(set(permission_codes))
        if role.is_system and codes != old_codes:
            raise DomainError(
                ErrorCode.CONFLICT, _("The permissions of a built-in role cannot be changed."), field="permissions"
            )
        known = {p.code: p for p in Permission.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED,
                _("Unknown permission codes: %(codes)s") % {"codes": ", ".join(unknown)},
                field="permissions",
            )
        # Only what is added has to be grantable: keeping a code the editor lacks is no escalation.
        _check_grantable(by=by, codes=set(codes) - set(old_codes))
    else:
        codes = old_codes
    old_name = role.name
    role.name = name
    role.description = description
    role.save(update_fields=["name", "description", "updated_at"])
    if codes != old_codes:
        role.permissions.set(Permission.objects.filter(code__in=codes))
        from accounts import authz

        for user_id in UserRole.objects.filter(role=role).values_list("user_id", flat=True):
            authz.invalidate_user(user_id)
    if codes != old_codes or name != old_name:
        _log_permission_change(
            tenant=role.tenant,
            by=by,
            target_role=role,
            ip=ip,
            operation_type="role_update",
            description=_("Updated role: %(name)s") % {"name": name},
            old_value=",".join(old_codes) or None,
            new_value=",".join(codes) or None,
        )
    return role


# --- Departments ----------------------------------------------------------------------------------------


@transaction.atomic
def department_create(
    *,
    tenant: Tenant,
    code: str,
    name: str,
    description: str = "",
    parent=None,
    manager=None,
    sort_order: int = 0,
):
    """Insert a node into the tenant's tree, under the shared tree-write lock
    (``portal.trees.tree_write``), so concurrent inserts cannot corrupt the nested-set numbers."""
    from accounts.models import Department

    with tree_write(Department):
        if parent is not None:
            if parent.tenant_id != tenant.pk:
                raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown parent department."), field="parent_id")
            parent = Department.objects.get(pk=parent.pk)  # fresh tree numbers, read under the lock
        _check_relations(tenant=tenant, manager=manager)
        if Department.objects.filter(tenant=tenant, code=code).exists():
            raise DomainError(ErrorCode.CONFLICT, _("This department code is already in use."), field="department_code")
        return Department.objects.create(
            tenant=tenant,
            code=code,
            name=name,
            description=description,
            parent=parent,
            manager=manager,
            sort_order=sort_order,
        )


@transaction.atomic
def department_update(*, department, by: User | None, name: str, parent=None, sort_order: int = 0):
    """Rename and/or move a department under the tree-write lock. A department cannot move
    under itself or one of its descendants, nor under another tenant's node."""
    from accounts.models import Department

    with tree_write(Department):
        node = Department.objects.get(pk=department.pk)  # fresh tree numbers, read under the lock
        if parent is not None:
            if parent.tenant_id != node.tenant_id:
                raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown parent department."), field="parent")
            parent = Department.objects.get(pk=parent.pk)
            if parent.pk == node.pk or parent.is_descendant_of(node):
                raise DomainError(
                    ErrorCode.VALIDATION_FAILED,
                    _("A department cannot move under itself or one of its sub-departments."),
                    field="parent",
                )
        node.name = name
        node.sort_order = sort_order
        if parent != node.parent:
            node.parent = parent
        node.save()
        return node


@transaction.atomic
def department_delete(*, department, by: User | None) -> None:
    """Delete an empty department (no sub-departments, no users) under the tree-write lock."""
    from accounts.models import Department

    with tree_write(Department):
        node = Department.objects.get(pk=department.pk)
        if not node.is_leaf_node():
            raise DomainError(ErrorCode.CONFLICT, _("Move or delete its sub-departments first."))
        if User.objects.filter(department=node).exists():
            raise DomainError(ErrorCode.CONFLICT, _("Move its users to another department first."))
        node.delete()


# --- Periodic cleanup of expired credentials ------------------------------------------------

#: Ended or expired login sessions are kept this long (the sessions page and the login log
#: show them), then deleted; login log rows keep their history (their FK is SET_NULL).
SESSION_RETENTION_DAYS = 30
CLEANUP_BATCH = 1000


def _delete_in_batches(queryset) -> int:
    """Delete ``queryset`` in short transactions of ``CLEANUP_BATCH`` rows. Safe to run twice at
    once: deleting a row the other run already deleted deletes nothing, and each batch
    re-selects what is still there."""
    total = 0
    while True:
        ids = list(queryset.order_by().values_list("pk", flat=True)[:CLEANUP_BATCH])
        if not ids:
            return total
        with transaction.atomic():
            deleted = queryset.model.objects.filter(pk__in=ids).delete()[1].get(queryset.model._meta.label, 0)
        total += deleted
        if len(ids) < CLEANUP_BATCH:
            return total


def cleanup_expired_credentials(*, now=None, session_retention_days: int = SESSION_RETENTION_DAYS) -> dict[str, int]:
    """Delete what can no longer be used: refresh tokens past expiry (their blacklist rows go
    with them), login sessions ended or expired more than ``session_retention_days`` ago,
    expired trusted devices and expired password-reset links. Returns counts per kind."""
    from datetime import timedelta

    from django.db.models import Q
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    from accounts.models import LoginSession, PasswordResetToken, TrustedDevice

    now = now or timezone.now()
    horizon = now - timedelta(days=session_retention_days)
    return {
        "tokens": _delete_in_batches(OutstandingToken.objects.filter(expires_at__lt=now)),
        "sessions": _delete_in_batches(
            LoginSession.objects.filter(Q(ended_at__lt=horizon) | Q(ended_at__isnull=True, expires_at__lt=horizon))
        ),
        "trusted_devices": _delete_in_batches(TrustedDevice.objects.filter(expires_at__lt=now)),
        "password_reset_tokens": _delete_in_batches(PasswordResetToken.objects.filter(expires_at__lt=now)),
    }
