from __future__ import annotations

import itertools

import pytest

from engineers.models import EngineerProfile, EngineerSkill, Skill

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
