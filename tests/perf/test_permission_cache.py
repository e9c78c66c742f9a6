"""A plain authenticated call costs at most two queries: the session (with the user and tenant)
and what the endpoint itself reads; the permission set comes from the cache, which forgets it
when a role is granted or revoked, a role's permissions change, or the session ends."""

from __future__ import annotations

import pytest

from accounts.models import Permission, Role, UserRole
from tests.tickets.conftest import _cast


@pytest.fixture
def desk(tenant_a, make_user):
    return _cast(tenant_a, make_user, "a_")


def test_a_plain_authenticated_call_costs_at_most_two_queries(desk, api, django_assert_max_num_queries):
    client = api(desk.agent)
    client.get("/api/v1/auth/me")  # the first call fills the permission cache
    with django_assert_max_num_queries(2):
        assert client.get("/api/v1/auth/me").status_code == 200
    with django_assert_max_num_queries(2):
        assert client.get("/api/auth/me").status_code == 200


def test_granting_and_revoking_a_role_takes_effect_on_the_next_request(desk, api):
    client = api(desk.requester)
    assert client.get("/api/v1/tickets/statistics/overview").status_code == 403
    supervisor = Role.objects.get(tenant=desk.tenant, code="supervisor")
    grant = UserRole.objects.create(tenant=desk.tenant, user=desk.requester, role=supervisor)
    assert client.get("/api/v1/tickets/statistics/overview").status_code == 200
    grant.delete()
    assert client.get("/api/v1/tickets/statistics/overview").status_code == 403


def test_a_role_permission_change_takes_effect_on_the_next_request(desk, api):
    client = api(desk.agent)
    assert client.get("/api/v1/tickets/statistics/overview").status_code == 403
    agent_role = Role.objects.get(tenant=desk.tenant, code="agent")
    agent_role.permissions.add(Permission.objects.get(code="ticket:statistics"))
    assert client.get("/api/v1/tickets/statistics/overview").status_code == 200
    agent_role.permissions.remove(Permission.objects.get(code="ticket:statistics"))
    assert client.get("/api/v1/tickets/statistics/overview").status_code == 403


def test_logout_refuses_the_token_and_forgets_the_cached_permissions(desk, api, monkeypatch):
    from accounts import authz

    forgotten = []
    original = authz.invalidate_user
    monkeypatch.setattr(authz, "invalidate_user", lambda user_id: (forgotten.append(user_id), original(user_id)))
    client = api(desk.agent)
    assert client.get("/api/v1/auth/me").status_code == 200
    assert client.post("/api/v1/auth/logout").status_code == 200
    assert desk.agent.pk in forgotten
    assert client.get("/api/v1/auth/me").status_code == 401
