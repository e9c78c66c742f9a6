"""Reads of the identity domain. Request-serving querysets are scoped by the API/page base
classes; these add the joins each list shows so that lists cost a fixed number of queries."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from accounts.models import Permission, Role, User, UserRole, UserStatus, role_closure


def role_list():
    return (
        Role.objects.select_related("parent")
        .prefetch_related(Prefetch("permissions", queryset=Permission.objects.order_by("code")))
        .annotate(user_count=Count("grants", distinct=True))
        .order_by("id")
    )


def permission_list():
    return Permission.objects.order_by("code")


def user_list():
    return User.objects.select_related("tenant", "department").prefetch_related("roles").order_by("id")


def user_search(queryset, keyword: str):
    keyword = (keyword or "").strip()
    if not keyword:
        return queryset
    return queryset.filter(
        Q(username__icontains=keyword)
        | Q(email__icontains=keyword)
        | Q(real_name__icontains=keyword)
        | Q(phone__icontains=keyword)
    )


def _tenant_rows(queryset, user):
    """``queryset`` restricted to the principal's tenant; nothing for platform principals (a
    tenant's users, roles and departments are edited by that tenant's administrators)."""
    from portal.tenancy import principal_tenant

    tenant = principal_tenant(user)
    if tenant is None:
        return queryset.none()
    return queryset.filter(tenant=tenant)


def users_for(user):
    """The users ``user`` may administer: those of their tenant. Another tenant's user is a 404."""
    return _tenant_rows(User.objects.select_related("department").prefetch_related("roles"), user)


def users_holding(*, tenant, code: str):
    """Active users of ``tenant`` whose permissions include ``code``: granted by one of their
    active roles or by an active ancestor of it, the rule ``User.permission_codes`` applies to
    one user (``accounts.models.role_closure``), here for a whole tenant: one query for the tenant's
    roles, then the users' queryset. Nothing for ``tenant=None``."""
    if tenant is None:
        return User.objects.none()
    grants = Role.permissions.through.objects.filter(role_id=OuterRef("pk"), permission__code=code)
    parents, granting = {}, set()
    for role_id, parent_id, grants_code in Role.objects.filter(tenant=tenant, is_active=True).values_list(
        "id", "parent_id", Exists(grants)
    ):
        parents[role_id] = parent_id
        if grants_code:
            granting.add(role_id)
    carrying = {role_id for role_id in parents if role_closure(parents, [role_id]) & granting}
    holders = UserRole.objects.filter(tenant=tenant, role_id__in=carrying).values("user_id")
    return User.objects.filter(tenant=tenant, status=UserStatus.ACTIVE, pk__in=holders)


def roles_for(user):
    """The roles of the caller's tenant (none for platform principals), with what the role
    lists and pages show; both role lists (``roles``, ``admin/roles``) and the role pages."""
    return _tenant_rows(role_list(), user)


def role_choices_for(user):
    """Every role of the caller's tenant, plain (a parent-role picker, a role named by id or
    code in an API body)."""
    return _tenant_rows(Role.objects.all(), user).order_by("id")


def assignable_roles_for(user):
    """The roles a page offers to grant: the caller's tenant's active roles."""
    return role_choices_for(user).filter(is_active=True)


def role_for(user, pk) -> Role | None:
    """One of the caller's tenant's roles named by id in a request body; ``None`` if there is
    no such role in that tenant."""
    if pk in (None, ""):
        return None
    return role_choices_for(user).filter(pk=pk).first()


def department_tree(departments):
    """``departments`` in tree order with their manager and ``user_count`` (members who are
    not deactivated): what the organisation tree shows, in the API and on the page."""
    return (
        departments.select_related("manager")
        .annotate(user_count=Count("users", filter=~Q(users__status=UserStatus.INACTIVE), distinct=True))
        .order_by("tree_id", "lft")
    )


def departments_for(user):
    from accounts.models import Department

    return _tenant_rows(Department.objects.all(), user)


def department_choices_for(user):
    """The caller's tenant's departments in tree order, for department pickers."""
    return departments_for(user).order_by("tree_id", "lft")


def grantable_permissions_for(user):
    """``grantable_permissions`` for the caller's tenant (a role form's permission picker)."""
    from portal.tenancy import principal_tenant

    return grantable_permissions(tenant=principal_tenant(user))


def grantable_permissions(*, tenant):
    """The permissions a tenant role may be given: not platform-only, and belonging to a
    module that is installed and switched on for ``tenant`` (or to no switchable module)."""
    from accounts.permission_catalog import PLATFORM_ONLY_PREFIXES, module_of_code
    from portal import modules

    disabled = modules.disabled_codes(tenant.pk) if tenant is not None else frozenset()
    keep = []
    for permission in Permission.objects.order_by("module", "code"):
        if permission.code.startswith(PLATFORM_ONLY_PREFIXES):
            continue
        module = module_of_code(permission.code)
        if module is not None and (module not in modules.MODULES or module in disabled):
            continue
        keep.append(permission.pk)
    return Permission.objects.filter(pk__in=keep).order_by("module", "code")
