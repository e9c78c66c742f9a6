"""The ticket pages' assignee pickers offer exactly the people the assignment service accepts:
one rule (``tickets.selectors.assignees_of``), the same one ``User.permission_codes`` applies
to a single user — ``ticket:process`` held through an active role or an active ancestor of it.
The picker once counted only codes granted on a role itself (so it missed inherited holders and
offered holders of a switched-off role the service then refused)."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants, get_messages
from django.urls import reverse

from accounts.models import Permission, Role, User, UserRole, UserStatus
from portal.errors import DomainError
from tickets import services
from tickets.forms import AssignForm, BulkForm, CategoryForm, EscalateForm
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _role(tenant, code, *, parent=None, grants_process=False, active=True):
    role = Role.objects.create(tenant=tenant, code=code, name=code, parent=parent, is_active=active)
    if grants_process:
        role.permissions.add(Permission.objects.get(code="ticket:process"))
    return role


def _holder(tenant, username, role, make_user):
    user = make_user(tenant, username=username)  # a plain "user" role: no ticket:process of its own
    UserRole.objects.create(tenant=tenant, user=user, role=role)
    return user


@pytest.fixture
def cast(desk, other_desk, make_user):
    tenant = desk.tenant
    agent_role = Role.objects.get(tenant=tenant, code="agent")
    inherits = _role(tenant, "field_tech", parent=agent_role)
    switched_off = _role(tenant, "retired_desk", grants_process=True, active=False)
    off_middle = _role(tenant, "paused_team", parent=agent_role, active=False)
    below_off = _role(tenant, "paused_member", parent=off_middle)
    inactive_agent = make_user(tenant, "agent", username="gone_agent")
    User.objects.filter(pk=inactive_agent.pk).update(status=UserStatus.INACTIVE)
    return {
        "agent": desk.agent,
        "inherited": _holder(tenant, "inherited", inherits, make_user),
        "switched_off_role": _holder(tenant, "switched_off", switched_off, make_user),
        "below_switched_off_parent": _holder(tenant, "below_off", below_off, make_user),
        "inactive_agent": User.objects.get(pk=inactive_agent.pk),
        "requester": desk.requester,
        "other_tenant_agent": other_desk.agent,
    }


def _service_accepts(tenant, user) -> bool:
    try:
        services.eligible_assignee(tenant=tenant, user_id=user.pk)
    except DomainError:
        return False
    return True


def _offered(form_class, field, by, **kwargs) -> set[int]:
    return set(form_class(user=by, **kwargs).fields[field].queryset.values_list("pk", flat=True))


def test_every_assignee_picker_offers_exactly_whom_the_service_accepts(desk, cast):
    # given a tenant whose people hold ticket:process directly, through a parent role, through a
    # switched-off role, below a switched-off parent, or not at all (and another tenant's agent)
    everyone = [*User.objects.filter(tenant=desk.tenant), cast["other_tenant_agent"]]
    accepted = {user.pk for user in everyone if _service_accepts(desk.tenant, user)}
    # then the service accepts the direct and the inherited holder, not the others of the cast …
    assert {name for name, user in cast.items() if user.pk in accepted} == {"agent", "inherited"}
    # … which is what each user's own permission set says
    assert accepted == {
        user.pk
        for user in everyone
        if user.tenant_id == desk.tenant.pk and User.objects.get(pk=user.pk).has_contract_permission("ticket:process")
    }
    # and every assignee picker of the ticket pages offers exactly those people
    for form_class, field in (
        (AssignForm, "assignee"),
        (EscalateForm, "escalate_to"),
        (BulkForm, "assignee"),
        (CategoryForm, "auto_assign_user"),
    ):
        assert _offered(form_class, field, desk.supervisor) == accepted, form_class.__name__


def test_page_assigns_an_inherited_holder_and_refuses_a_switched_off_roles_holder(client, desk, cast):
    ticket = desk.ticket()
    client.force_login(desk.supervisor)
    # when the supervisor picks someone who holds ticket:process only through a switched-off role
    refused = client.post(
        reverse("tickets:action", args=[ticket.pk, "assign"]), {"assignee": cast["switched_off_role"].pk}
    )
    # then the page refuses (the picker does not offer them) and the ticket is unchanged
    assert {m.level for m in get_messages(refused.wsgi_request)} == {constants.ERROR}
    assert Ticket.objects.get(pk=ticket.pk).assigned_to_id is None
    # when they pick the holder through a parent role, the ticket is assigned to them
    client.post(reverse("tickets:action", args=[ticket.pk, "assign"]), {"assignee": cast["inherited"].pk})
    assert Ticket.objects.get(pk=ticket.pk).assigned_to_id == cast["inherited"].pk


def test_platform_principal_is_offered_no_assignees(desk, make_user):
    platform = make_user(None, username="operator")
    assert _offered(AssignForm, "assignee", platform) == set()
