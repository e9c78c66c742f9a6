"""Isolation makers for the identity models served by GET routes (User/Role/Permission makers are
the foundation's, in tests/isolation.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.isolation import MARKER, maker, page_object


def _user(tenant, name):
    from tests.factories import UserFactory

    return UserFactory(
        tenant=tenant, username=f"{name}{tenant.pk}", real_name=MARKER, email=f"{name}{tenant.pk}@iso.test"
    )


@maker("tenants.Tenant")
def _tenant(tenant):
    tenant.name = MARKER
    tenant.save(update_fields=["name"])
    return tenant


@maker("accounts.Department")
def _department(tenant):
    from accounts.services import department_create

    return department_create(tenant=tenant, code=f"iso{tenant.pk}", name=MARKER)


@maker("accounts.LoginSession")
def _session(tenant):
    from accounts.models import LoginSession

    user = _user(tenant, "isosess")
    return LoginSession.objects.create(
        tenant=tenant,
        user=user,
        key=f"iso-{tenant.pk}",
        login_method="password",
        device_name=MARKER,
        expires_at=timezone.now() + timedelta(hours=1),
    )


@maker("accounts.LoginLog")
def _login_log(tenant):
    from accounts.models import LoginLog

    user = _user(tenant, "isolog")
    return LoginLog.objects.create(tenant=tenant, user=user, username=MARKER, result="success", user_agent=MARKER)


@maker("accounts.PermissionChangeLog")
def _permission_log(tenant):
    from accounts.models import PermissionChangeLog

    user = _user(tenant, "isoperm")
    return PermissionChangeLog.objects.create(
        tenant=tenant,
        target_user=user,
        target_username=MARKER,
        operation_type="role_assign",
        operation_description=MARKER,
    )


# Pages that name an identity object by id (tests/portal/test_page_isolation.py)
page_object("accounts:user-edit", "accounts.User")
page_object("accounts:user-password", "accounts.User")
page_object("accounts:user-status", "accounts.User")
page_object("accounts:role-edit", "accounts.Role")
page_object("accounts:department-edit", "accounts.Department")
page_object("accounts:department-delete", "accounts.Department")
page_object("tenants:edit", "tenants.Tenant")
