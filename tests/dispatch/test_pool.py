"""The pool the engine scores is what the database says about each engineer (dispatch.services.load_pool)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dispatch import services
from engineers.models import EngineerProfile
from tests.dispatch.conftest import ALWAYS_ON_DUTY, engineer

pytestmark = pytest.mark.django_db

# Wednesday 2026-12-02 03:00 in Shanghai: outside office hours, inside the always-on schedule.
NIGHT = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


def test_pool_carries_skills_areas_workload_and_duty(crew, desk):
    EngineerProfile.objects.filter(pk=crew.novice.pk).update(service_areas=["北京市/海淀区"])
    pool = services.load_pool(desk.tenant, at=NIGHT)
    expert, novice = (pool.rows[pool.index[p.pk]] for p in (crew.expert, crew.novice))
    assert expert.skills == {"printer": 5, "hardware": 4}
    assert novice.skills == {"printer": 2, "network": 5}
    assert (expert.service_areas, novice.service_areas) == ([], ["北京市/海淀区"])
    assert pool.on_duty[pool.index[crew.expert.pk]] and pool.on_duty[pool.index[crew.novice.pk]]
    assert (expert.latitude, expert.city, expert.district) == (39.92, "北京市", "朝阳区")


def test_a_malformed_stored_schedule_counts_as_office_hours(desk):
    # Given one engineer whose schedule was stored malformed (not through the services)
    odd = engineer(desk.agent)
    EngineerProfile.objects.filter(pk=odd.pk).update(work_schedule={"work_days": "sometimes"})
    regular = engineer(desk.other_agent, schedule=ALWAYS_ON_DUTY)
    # When the pool is loaded at night
    pool = services.load_pool(desk.tenant, at=NIGHT)
    # Then the malformed one is off duty (default office hours), the always-on one is on duty
    assert not pool.on_duty[pool.index[odd.pk]]
    assert pool.on_duty[pool.index[regular.pk]]
