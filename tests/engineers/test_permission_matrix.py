"""The permission matrix of every engineers endpoint: anonymous (401), another tenant's admin
(404), a requester (403 naming the documented code), the engineer themselves (an agent), a
supervisor and the tenant admin. Every refused call leaves the data exactly as it was."""

from __future__ import annotations

import pytest

from engineers.models import EngineerCertification, EngineerProfile, EngineerSkill, Skill, SkillAssessment

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "other_tenant", "requester", "engineer", "supervisor", "admin"]
E = "/api/v1/engineers"

# (method, path, body, required code, expected status per actor in ACTORS order)
MATRIX = [
    ("get", E, None, "engineer:read", [401, 200, 403, 200, 200, 200]),
    ("post", E, {"user_id": "{newbie}", "max_workload": 5}, "engineer:create", [401, 404, 403, 403, 201, 201]),
    ("get", E + "/{id}", None, "engineer:read", [401, 404, 403, 200, 200, 200]),
    ("put", E + "/{id}", {"max_workload": 3}, "engineer:update", [401, 404, 403, 403, 200, 200]),
    ("put", E + "/{id}/status", {"online_status": "away"}, "engineer:update-status", [401, 404, 403, 200, 200, 200]),
    ("put", E + "/{other}/status", {"online_status": "away"}, "engineer:update-status", [401, 404, 403, 403, 200, 200]),
    ("get", E + "/{id}/workload", None, "engineer:read", [401, 404, 403, 200, 200, 200]),
    ("get", E + "/{id}/skills", None, "engineer:read", [401, 404, 403, 200, 200, 200]),
    (
        "post",
        E + "/{id}/skills",
        {"skill_code": "vpn", "skill_level": 2},
        "engineer:update",
        [401, 404, 403, 403, 201, 201],
    ),
    ("put", E + "/{id}/skills/{row}", {"skill_level": 1}, "engineer:update", [401, 404, 403, 403, 200, 200]),
    ("delete", E + "/{id}/skills/{row}", None, "engineer:update", [401, 404, 403, 403, 200, 200]),
    (
        "post",
        E + "/{id}/skills/assessment",
        {"skill_code": "linux", "assessment_type": "manager", "practical_score": 95},
        "engineer:assess",
        [401, 404, 403, 403, 201, 201],
    ),
    ("get", "/api/v1/skills", None, "skill:read", [401, 200, 403, 200, 200, 200]),
]


def _snapshot():
    return (
        list(EngineerProfile.all_objects.order_by("pk").values()),
        list(EngineerSkill.objects.order_by("pk").values()),
        list(EngineerCertification.objects.order_by("pk").values()),
        list(SkillAssessment.objects.order_by("pk").values()),
        list(Skill.objects.order_by("pk").values()),
    )


def _fill(value, ids):
    if isinstance(value, str):
        for key, number in ids.items():
            if value == "{" + key + "}":
                return number
            value = value.replace("{" + key + "}", str(number))
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "code", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, *_ in MATRIX]
)
@pytest.mark.parametrize("actor_index", range(len(ACTORS)), ids=ACTORS)
def test_matrix(crew, api, make_user, tenant_b, method, path, body, code, expected, actor_index):
    actor = ACTORS[actor_index]
    users = {
        "anonymous": None,
        "other_tenant": make_user(tenant_b, "admin", username="b_admin"),
        "requester": crew.requester,
        "engineer": crew.engineer.user,
        "supervisor": crew.supervisor,
        "admin": crew.admin,
    }
    ids = {
        "id": crew.engineer.pk,
        "other": crew.colleague.pk,
        "row": EngineerSkill.objects.get(engineer=crew.engineer).pk,
        "newbie": crew.agent_without_profile.pk,
    }
    client = api(users[actor]) if users[actor] is not None else api()
    before = _snapshot()
    response = getattr(client, method)(_fill(path, ids), _fill(body, ids), format="json")
    status = expected[actor_index]
    assert response.status_code == status, (actor, response.json())
    if status >= 400:
        assert response.json()["code"] == status
        assert _snapshot() == before, "a refused call changed data"
    if status == 403 and actor == "requester":
        assert response.json()["data"]["required_permission"] == code
    if actor == "other_tenant" and status == 200:
        assert "张工程师" not in response.content.decode()
