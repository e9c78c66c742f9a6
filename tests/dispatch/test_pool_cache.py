"""The roster part of the pool is cached per process under the tenant's roster token; every
roster write moves the token, so the next dispatch scores what the database says — never a
stale engineer, skill, status or capacity — while workload and duty are read on every call."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.services import user_set_status
from dispatch import services
from engineers import services as engineer_services
from engineers.models import EngineerSkill
from engineers.performance import performance_recompute
from engineers.roster import roster_token
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _roster_reads(func) -> int:
    """Queries that read profiles or engineer skills (2 when the roster is loaded)."""
    with CaptureQueriesContext(connection) as ctx:
        func()
    tables = ('FROM "engineers_engineerprofile"', 'FROM "engineers_engineerskill"')
    return sum(any(t in q["sql"] for t in tables) for q in ctx.captured_queries)


def _row(pool, profile):
    return pool.rows[pool.index[profile.pk]]


def test_an_unchanged_roster_is_not_read_again_but_workload_is(crew, desk):
    assert _roster_reads(lambda: services.load_pool(desk.tenant)) == 2
    Ticket.objects.create(tenant=desk.tenant, number="W-1", title="x", created_by=desk.requester,
                          assigned_to=desk.agent, status="in_progress")  # fmt: skip
    pools = []
    assert _roster_reads(lambda: pools.append(services.load_pool(desk.tenant))) == 0
    pool = pools[0]
    assert pool.load(pool.index[crew.expert.pk]) == 1
    assert pool.load(pool.index[crew.novice.pk]) == 0


def test_each_roster_write_is_seen_by_the_next_load(crew, desk):
    tenant, by = desk.tenant, desk.supervisor
    services.load_pool(tenant)  # cached

    engineer_services.engineer_skill_save(engineer=crew.novice, by=by, data={"skill_code": "hardware", "level": 3})
    assert _row(services.load_pool(tenant), crew.novice).skills["hardware"] == 3

    row = EngineerSkill.objects.get(engineer=crew.novice, skill__code="printer")
    engineer_services.engineer_skill_update(row=row, by=by, data={"level": 4})
    assert _row(services.load_pool(tenant), crew.novice).skills["printer"] == 4

    engineer_services.engineer_skill_remove(row=row, by=by)
    assert "printer" not in _row(services.load_pool(tenant), crew.novice).skills

    engineer_services.engineer_set_status(engineer=crew.novice, by=by, data={"online_status": "offline"})
    pool = services.load_pool(tenant)
    assert pool.offline[pool.index[crew.novice.pk]]

    desk.agent.real_name = "赵工程师"
    desk.agent.save()
    assert _row(services.load_pool(tenant), crew.expert).name == "赵工程师"

    user_set_status(user=desk.agent, status="inactive", by=desk.admin)
    assert crew.expert.pk not in services.load_pool(tenant).index

    engineer_services.engineer_delete(engineer=crew.novice, by=by)
    assert crew.novice.pk not in services.load_pool(tenant).index


def test_a_login_does_not_move_the_token(crew, desk):
    before = roster_token(desk.tenant.pk)
    desk.agent.save(update_fields=["last_login"])
    assert roster_token(desk.tenant.pk) == before


def test_the_performance_job_moves_the_token(crew, desk):
    before = roster_token(desk.tenant.pk)
    performance_recompute(tenant_id=desk.tenant.pk)
    assert roster_token(desk.tenant.pk) != before


def test_a_rolled_back_write_leaves_the_cached_roster_right(crew, desk):
    services.load_pool(desk.tenant)
    before = roster_token(desk.tenant.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        engineer_services.engineer_set_status(
            engineer=crew.expert, by=desk.supervisor, data={"online_status": "offline"}
        )
        inside = services.load_pool(desk.tenant)  # the writer sees its own change
        assert inside.offline[inside.index[crew.expert.pk]]
        raise RuntimeError
    assert roster_token(desk.tenant.pk) == before
    pool = services.load_pool(desk.tenant)
    assert not pool.offline[pool.index[crew.expert.pk]]


def test_tenants_have_their_own_rosters(crew, other_crew, desk, other_desk):
    mine, theirs = services.load_pool(desk.tenant), services.load_pool(other_desk.tenant)
    assert set(mine.index).isdisjoint(theirs.index)
    engineer_services.engineer_set_status(
        engineer=other_crew.expert, by=other_desk.supervisor, data={"online_status": "offline"}
    )
    assert _roster_reads(lambda: services.load_pool(desk.tenant)) == 0
    assert _roster_reads(lambda: services.load_pool(other_desk.tenant)) == 2
