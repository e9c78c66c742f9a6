"""Tenant, role and department inputs are declared once (``accounts.fields`` + the scoped
selectors): the administration pages and the v1 API offer and accept the caller's tenant's rows
only, refuse another tenant's the same way (and create nothing), and check codes and names
with the same shapes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import selectors
from accounts.api.admin_serializers import DepartmentCreateSerializer, V1RoleCreateSerializer, V1UserWriteSerializer
from accounts.forms import DepartmentCreateForm, RoleCreateForm, TenantCreateForm, UserCreateForm, UserEditForm
from accounts.models import Role, User
from tenants.api.v1 import TenantCreateSerializer
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Str0ng-Pass!"


@pytest.fixture
def cast(tenant_a, tenant_b, make_user):
    return {
        "admin": make_user(tenant_a, "admin"),
        "own_department": DepartmentFactory(tenant=tenant_a, name="本部门"),
        "own_role": Role.objects.get(tenant=tenant_a, code="agent"),
        "foreign_department": DepartmentFactory(tenant=tenant_b, name="外部门"),
        "foreign_role": Role.objects.get(tenant=tenant_b, code="agent"),
    }


def _through_page(client, admin, username, department, role):
    client.force_login(admin)
    body = {
        "username": username,
        "email": f"{username}@example.com",
        "password": PASSWORD,
        "user_type": "internal",
        "status": "active",
        "department": department.pk,
        "roles": [role.pk],
    }
    response = client.post(reverse("accounts:users"), body)
    return response.status_code == 302


def _through_api(api, admin, username, department, role):
    body = {
        "username": username,
        "email": f"{username}@example.com",
        "password": PASSWORD,
        "department_id": department.pk,
        "role_ids": [role.pk],
    }
    response = api(admin).post("/api/v1/users", body, format="json")
    assert response.status_code in (200, 201, 400), response.content[:300]
    return response.status_code in (200, 201), response.json()


@pytest.mark.parametrize(
    ("department", "role", "accepted", "field"),
    [
        ("own_department", "own_role", True, None),
        ("foreign_department", "own_role", False, "department_id"),
        ("own_department", "foreign_role", False, "role_ids"),
    ],
)
def test_page_and_api_accept_own_rows_and_refuse_another_tenants(client, api, cast, department, role, accepted, field):
    # given a tenant administrator, and a department and a role of their tenant or another's
    admin, department, role = cast["admin"], cast[department], cast[role]
    # when they create a user with them on the users page and through the v1 API
    page_ok = _through_page(client, admin, "pageuser", department, role)
    api_ok, body = _through_api(api, admin, "apiuser", department, role)
    # then both accept or both refuse; a refusal names the field and creates nobody
    assert page_ok == api_ok == accepted
    created = User.objects.filter(username__in=["pageuser", "apiuser"])
    if accepted:
        assert {(u.department_id, tuple(u.roles.values_list("pk", flat=True))) for u in created} == {
            (department.pk, (role.pk,))
        }
    else:
        assert not created.exists()
        assert [e["field"] for e in body["data"]["errors"]] == [field]


def test_pickers_offer_the_scoped_selectors_rows(cast, tenant_a):
    admin = cast["admin"]
    Role.objects.filter(pk=cast["own_role"].pk).update(is_active=False)
    for form_class in (UserCreateForm, UserEditForm):
        form = form_class(user=admin)
        assert list(form.fields["department"].queryset) == list(selectors.department_choices_for(admin))
        assert list(form.fields["department"].queryset) == [cast["own_department"]]
        roles = list(form.fields["roles"].queryset)
        assert roles == list(selectors.assignable_roles_for(admin))
        assert roles and all(r.tenant_id == tenant_a.pk and r.is_active for r in roles)
        assert cast["own_role"] not in roles  # inactive roles are not offered for granting
    parents = list(RoleCreateForm(user=admin).fields["parent"].queryset)
    assert cast["own_role"] in parents and cast["foreign_role"] not in parents
    assert list(DepartmentCreateForm(user=admin).fields["parent"].queryset) == [cast["own_department"]]


def test_platform_principal_is_offered_no_tenant_rows(cast, make_user):
    platform = make_user(None, username="operator")
    form = UserCreateForm(user=platform)
    assert not form.fields["department"].queryset.exists()
    assert not form.fields["roles"].queryset.exists()


@pytest.mark.parametrize(
    ("form", "serializer", "fields", "bad"),
    [
        (RoleCreateForm, V1RoleCreateSerializer, ("role_code", "role_code"), "Bad-Code"),
        (RoleCreateForm, V1RoleCreateSerializer, ("role_name", "role_name"), "名" * 65),
        (DepartmentCreateForm, DepartmentCreateSerializer, ("code", "department_code"), "部门 1"),
        (DepartmentCreateForm, DepartmentCreateSerializer, ("name", "department_name"), "名" * 129),
        (UserCreateForm, V1UserWriteSerializer, ("username", "username"), "a b"),
        (TenantCreateForm, TenantCreateSerializer, ("tenant_code", "tenant_code"), "-Acme"),
        (TenantCreateForm, TenantCreateSerializer, ("tenant_name", "tenant_name"), "名" * 129),
        (TenantCreateForm, TenantCreateSerializer, ("admin_username", "admin_username"), "a"),
    ],
)
def test_page_and_api_check_codes_and_names_alike(cast, form, serializer, fields, bad):
    form_field, api_field = fields
    kwargs = {} if form is TenantCreateForm else {"user": cast["admin"]}
    page = form({form_field: bad}, **kwargs)
    api = serializer(data={api_field: bad})
    assert not page.is_valid() and form_field in page.errors
    assert not api.is_valid() and api_field in api.errors
    good = {"role_code": "night_shift", "code": "ops-2", "username": "li.lei"}
    if form_field in good:
        assert form_field not in form({form_field: good[form_field]}, **kwargs).errors
        accepted = serializer(data={api_field: good[form_field]})
        accepted.is_valid()
        assert api_field not in accepted.errors
