from __future__ import annotations

from decimal import Decimal

import pytest

from engineers.models import EngineerProfile, EngineerSkill, Skill
from tests.tickets.conftest import _cast

ALWAYS_ON_DUTY = {
    "timezone": "Asia/Shanghai",
    "work_hours": {"start": "00:00", "end": "23:59"},
    "work_days": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "break_time": None,
    "follow_holidays": False,
}


def skill(tenant, code, name, keywords=()):
    return Skill.objects.get_or_create(tenant=tenant, code=code, defaults={"name": name, "keywords": list(keywords)})[0]


def engineer(user, *, skills=None, city="北京市", district="朝阳区", lat=None, lon=None, max_workload=8,
             online_status="online", schedule=None, **fields):  # fmt: skip
    profile = EngineerProfile.objects.create(
        tenant=user.tenant, user=user, city=city, district=district,
        latitude=None if lat is None else Decimal(str(lat)), longitude=None if lon is None else Decimal(str(lon)),
        max_workload=max_workload, online_status=online_status, work_schedule=schedule or ALWAYS_ON_DUTY, **fields,
    )  # fmt: skip
    for code, level in (skills or {}).items():
        EngineerSkill.objects.create(
            tenant=user.tenant, engineer=profile, skill=Skill.objects.get(tenant=user.tenant, code=code), level=level
        )
    return profile


class Crew:
    """A desk plus engineer profiles: ``agent`` (printer expert, Beijing Chaoyang) and
    ``other_agent`` (printer novice with network skills, Beijing Haidian)."""

    def __init__(self, desk):
        self.desk = desk
        t = desk.tenant
        skill(t, "printer", "打印机", ["打印", "printer", "卡纸"])
        skill(t, "network", "网络", ["网络", "vpn", "network"])
        skill(t, "hardware", "硬件", [])
        self.expert = engineer(desk.agent, skills={"printer": 5, "hardware": 4}, lat=39.92, lon=116.45)
        self.novice = engineer(
            desk.other_agent, skills={"printer": 2, "network": 5}, district="海淀区", lat=39.99, lon=116.31
        )


@pytest.fixture
def desk(tenant_a, make_user):
    return _cast(tenant_a, make_user, "a_")


@pytest.fixture
def other_desk(tenant_b, make_user):
    return _cast(tenant_b, make_user, "b_")


@pytest.fixture
def crew(desk):
    return Crew(desk)


@pytest.fixture
def other_crew(other_desk):
    return Crew(other_desk)
