"""Pages the platform administrator shares with tenant administrators (maintenance windows,
announcements) read rows through one scope: the platform sees every tenant's, a tenant
administrator only their own, a platform account without the platform role nothing."""

from __future__ import annotations

import pytest

from accounts.models import Role, User
from portal.tenancy import scope_to_operator

pytestmark = pytest.mark.django_db


def test_the_platform_sees_every_tenant_and_a_tenant_admin_only_theirs(platform_admin, tenant_a, tenant_b, make_user):
    admin_a, user_b = make_user(tenant_a, "admin"), make_user(tenant_b, "user")
    roles = Role.objects.filter(is_active=True)
    assert set(scope_to_operator(roles, platform_admin).values_list("tenant_id", flat=True)) == {
        tenant_a.pk,
        tenant_b.pk,
    }
    assert set(scope_to_operator(roles, admin_a).values_list("tenant_id", flat=True)) == {tenant_a.pk}

    users = User.objects.all()
    assert platform_admin not in scope_to_operator(users, platform_admin)
    assert {platform_admin, admin_a, user_b} <= set(scope_to_operator(users, platform_admin, with_platform_rows=True))
    assert set(scope_to_operator(users, admin_a, with_platform_rows=True)) == set(User.objects.filter(tenant=tenant_a))


def test_a_tenant_admin_cannot_let_another_tenants_user_through_maintenance(tenant_a, tenant_b, make_user):
    from portal.system.views_maintenance import MaintenanceForm

    admin_a, stranger = make_user(tenant_a, "admin"), make_user(tenant_b, "user", username="b_stranger")
    form = MaintenanceForm(data={"allowed_users": "b_stranger"}, user=admin_a)
    form.is_valid()
    assert "allowed_users" in form.errors
    assert stranger.username in str(form.errors["allowed_users"])
