from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from engineers.models import EngineerProfile, EngineerSkill, EngineerTeam, Skill

_numbers = itertools.count(1)


@pytest.fixture
def make_engineer(make_user):
    """``make_engineer(tenant, **profile_fields)``: an agent user with an engineer profile."""

    def make(tenant, *, username=None, real_name="王工程师", roles=("agent",), **fields):
        n = next(_numbers)
        user = make_user(tenant, *roles, username=username or f"eng{n}", real_name=real_name)
        fields.setdefault("employee_no", f"ENG{n:03d}")
        return EngineerProfile.objects.create(tenant=tenant, user=user, **fields)

    return make


@pytest.fixture
def make_skill(db):
    def make(tenant, code, name=None, **fields):
        return Skill.objects.create(tenant=tenant, code=code, name=name or code, **fields)

    return make


@pytest.fixture
def give_skill(db):
    def give(engineer, skill, level=3, **fields):
        return EngineerSkill.objects.create(
            tenant=engineer.tenant, engineer=engineer, skill=skill, level=level, **fields
        )

    return give


@dataclass
class Crew:
    """One tenant's cast for the engineers API: admin, supervisor, two engineers (agents with
    profiles), a plain agent without a profile and a requester."""

    tenant: object
    admin: object
    supervisor: object
    engineer: object  # EngineerProfile
    colleague: object  # EngineerProfile
    agent_without_profile: object
    requester: object
    linux: object
    vpn: object


@pytest.fixture
def crew(tenant_a, make_user, make_engineer, make_skill, give_skill):
    linux = make_skill(
        tenant_a, "linux", "Linux系统管理", category="操作系统", certifications=["RHCE"], keywords=["服务器"],
        levels=[{"level": 1, "name": "初级", "description": "基本命令"}],
    )  # fmt: skip
    vpn = make_skill(tenant_a, "vpn", "VPN", category="网络")
    linux.related_skills.add(vpn)
    team = EngineerTeam.objects.create(tenant=tenant_a, code="infra", name="基础设施团队")
    engineer = make_engineer(
        tenant_a, username="zhang", real_name="张工程师", city="北京市", district="朝阳区", team=team,
        latitude=39.9042, longitude=116.4074, online_status="online",
    )  # fmt: skip
    colleague = make_engineer(tenant_a, username="li", real_name="李工程师", city="上海市", district="浦东新区")
    give_skill(engineer, linux, 4)
    give_skill(colleague, vpn, 2)
    return Crew(
        tenant=tenant_a,
        admin=make_user(tenant_a, "admin", username="boss"),
        supervisor=make_user(tenant_a, "supervisor", username="sup"),
        engineer=engineer,
        colleague=colleague,
        agent_without_profile=make_user(tenant_a, "agent", username="newbie", real_name="新人"),
        requester=make_user(tenant_a, "user", username="req"),
        linux=linux,
        vpn=vpn,
    )
