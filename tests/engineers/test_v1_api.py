"""The v1 engineers API end to end: shapes as documented, filters, writes through the services,
refusals with the contract's error format, and nothing changed by a refused call."""

from __future__ import annotations

import pytest

from engineers.models import EngineerProfile, EngineerSkill, Skill, SkillAssessment
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
BASE = "/api/v1/engineers"


def _ticket(crew, assignee, status, n, **fields):
    from django.utils import timezone

    return Ticket.objects.create(
        tenant=crew.tenant, number=f"TAPI{n:04d}", title="t", created_by=crew.requester,
        assigned_to=assignee, status=status, assigned_at=timezone.now(), **fields,
    )  # fmt: skip


# --- list ---------------------------------------------------------------------------------------


def test_list_shows_documented_fields_with_workload(crew, api):
    _ticket(crew, crew.engineer.user, "in_progress", 1)
    _ticket(crew, crew.engineer.user, "resolved", 2)
    response = api(crew.supervisor).get(BASE)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == 200 and body["data"]["total"] == 2 and body["data"]["page"] == 1
    first = body["data"]["items"][0]
    assert first["name"] == "张工程师" and first["employee_id"] == crew.engineer.employee_no
    assert first["team"] == {"id": crew.engineer.team_id, "name": "基础设施团队"}
    assert first["location"] == {"city": "北京市", "district": "朝阳区"}
    assert first["current_workload"] == 1 and first["max_workload"] == 8
    assert first["skills"] == [{"code": "linux", "name": "Linux系统管理", "level": 4}]
    assert first["status"] == "active" and first["online_status"] == "online"


def test_list_query_count_does_not_grow_with_rows(crew, api, make_engineer, give_skill):
    client = api(crew.supervisor)
    client.get(BASE)  # warm caches (permissions)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(BASE)
    for _ in range(6):
        give_skill(make_engineer(crew.tenant), crew.vpn, 3)
    with CaptureQueriesContext(connection) as many:
        assert client.get(BASE).json()["data"]["total"] == 8
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "query, names",
    [
        ("status=online", ["张工程师"]),
        ("status=offline", ["李工程师"]),
        ("status=active", ["张工程师", "李工程师"]),
        ("status=inactive", []),
        ("skill_codes=linux", ["张工程师"]),
        ("skill_codes=linux,vpn", []),
        ("location=浦东", ["李工程师"]),
        ("keyword=zhang", ["张工程师"]),
        ("sort=name&order=asc", ["张工程师", "李工程师"]),  # code-point order of real_name
        ("sort=name&order=desc", ["李工程师", "张工程师"]),
        ("sort=workload&order=desc", ["李工程师", "张工程师"]),
    ],
)
def test_list_filters_and_sorts(crew, api, query, names):
    _ticket(crew, crew.colleague.user, "assigned", 1)
    response = api(crew.supervisor).get(f"{BASE}?{query}")
    assert response.status_code == 200, response.json()
    assert [i["name"] for i in response.json()["data"]["items"]] == names


def test_team_filter(crew, api):
    response = api(crew.supervisor).get(f"{BASE}?team_id={crew.engineer.team_id}")
    assert [i["id"] for i in response.json()["data"]["items"]] == [crew.engineer.pk]


@pytest.mark.parametrize(
    "query", ["status=sleeping", "sort=salary", "order=sideways", "team_id=abc", "team_id=99999999999999999999"]
)
def test_bad_list_parameters_are_400_in_the_v1_format(crew, api, query):
    response = api(crew.supervisor).get(f"{BASE}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and body["data"]["errors"][0]["field"] in query


# --- detail -------------------------------------------------------------------------------------


def test_detail_has_every_documented_section(crew, api):
    _ticket(crew, crew.engineer.user, "assigned", 1)
    data = api(crew.engineer.user).get(f"{BASE}/{crew.engineer.pk}").json()["data"]
    assert data["team"]["name"] == "基础设施团队" and data["team"]["member_count"] == 1
    assert data["location"]["latitude"] == 39.9042 and data["location"]["timezone"] == "Asia/Shanghai"
    assert set(data["contact_info"]) >= {"work_phone", "emergency_contact", "wechat", "preferred_contact"}
    assert set(data["employment_info"]) >= {"join_date", "contract_type", "employment_status"}
    skill = data["skills"][0]
    assert (skill["code"], skill["level"], skill["category"]) == ("linux", 4, "操作系统")
    assert data["work_schedule"]["work_days"][0] == "monday"
    assert set(data["performance"]) >= {"rating", "total_tickets", "completed_tickets", "avg_resolution_time"}
    status = data["current_status"]
    assert status["current_workload"] == 1 and status["max_workload"] == 8
    assert status["online_status"] == "online" and status["availability"] == "available"


def test_unknown_and_other_tenant_engineers_are_404(crew, api, tenant_b, make_engineer, make_user):
    theirs = make_engineer(tenant_b)
    for path in (f"{BASE}/{theirs.pk}", f"{BASE}/999999", f"{BASE}/{theirs.pk}/workload", f"{BASE}/{theirs.pk}/skills"):
        response = api(crew.supervisor).get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == 404


# --- create -------------------------------------------------------------------------------------


def _create_body(user, **extra):
    body = {
        "user_id": user.pk,
        "employee_id": "ENG900",
        "title": "运维工程师",
        "level": "intermediate",
        "location": {"city": "北京市", "district": "海淀区", "latitude": 39.96, "longitude": 116.3},
        "max_workload": 6,
        "skills": [{"skill_code": "linux", "skill_level": 2, "experience_years": 2.0}],
        "work_schedule": {"timezone": "Asia/Shanghai", "work_hours": {"start": "09:00", "end": "18:00"}},
        "certifications": [{"code": "RHCE", "name": "Red Hat Certified Engineer", "issuer": "Red Hat"}],
    }
    body.update(extra)
    return body


def test_admin_opens_a_profile_for_an_agent(crew, api):
    response = api(crew.admin).post(BASE, _create_body(crew.agent_without_profile), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["name"] == "新人" and data["employee_id"] == "ENG900"
    assert data["current_status"]["max_workload"] == 6
    assert data["location"]["district"] == "海淀区"
    assert [s["code"] for s in data["skills"]] == ["linux"]
    assert data["certifications"][0]["code"] == "RHCE"
    assert EngineerProfile.objects.get(user=crew.agent_without_profile).max_workload == 6


@pytest.mark.parametrize(
    "case, status, field",
    [
        ("requester_user", 400, "user_id"),
        ("other_tenant_user", 404, "user_id"),
        ("already_engineer", 409, "user_id"),
        ("bad_schedule", 400, "work_schedule.timezone"),
        ("unknown_skill", 400, "skill_code"),
        ("duplicate_employee_id", 409, "employee_id"),
        ("bad_latitude", 400, "location.latitude"),
    ],
)
def test_create_refusals_change_nothing(crew, api, tenant_b, make_user, case, status, field):
    target = crew.agent_without_profile
    extra = {}
    if case == "requester_user":
        target = crew.requester
    elif case == "other_tenant_user":
        target = make_user(tenant_b, "agent")
    elif case == "already_engineer":
        target = crew.engineer.user
    elif case == "bad_schedule":
        extra = {"work_schedule": {"timezone": "Moon/Base"}}
    elif case == "unknown_skill":
        extra = {"skills": [{"skill_code": "cobol", "skill_level": 2}]}
    elif case == "duplicate_employee_id":
        extra = {"employee_id": crew.engineer.employee_no}
    elif case == "bad_latitude":
        extra = {"location": {"latitude": 123, "longitude": 1}}
    before = (EngineerProfile.all_objects.count(), EngineerSkill.objects.count(), Skill.objects.count())
    response = api(crew.admin).post(BASE, _create_body(target, **extra), format="json")
    assert response.status_code == status, response.json()
    data = response.json()["data"]
    named = [e["field"] for e in data.get("errors") or []] + list(data)
    assert any(name.endswith(field) for name in named), response.json()
    assert (EngineerProfile.all_objects.count(), EngineerSkill.objects.count(), Skill.objects.count()) == before


# --- update -------------------------------------------------------------------------------------


def test_supervisor_updates_profile_and_performance_is_not_writable(crew, api):
    response = api(crew.supervisor).put(
        f"{BASE}/{crew.engineer.pk}",
        {"max_workload": 12, "location": {"city": "深圳市", "district": "南山区"}, "title": "高级运维工程师",
         "performance": {"rating": 5}, "avg_rating": 5, "performance_score": 100},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.json()
    engineer = EngineerProfile.objects.get(pk=crew.engineer.pk)
    assert (engineer.max_workload, engineer.city, engineer.title) == (12, "深圳市", "高级运维工程师")
    assert engineer.avg_rating is None and engineer.performance_score is None


def test_a_whole_day_shift_ending_at_24_00_is_saved_through_the_api(crew, api):
    whole_day = {"work_hours": {"start": "00:00", "end": "24:00"}, "break_time": None}
    response = api(crew.supervisor).put(f"{BASE}/{crew.engineer.pk}", {"work_schedule": whole_day}, format="json")
    assert response.status_code == 200, response.json()
    assert EngineerProfile.objects.get(pk=crew.engineer.pk).work_schedule["work_hours"]["end"] == "24:00"
    assert response.json()["data"]["work_schedule"]["work_hours"] == {"start": "00:00", "end": "24:00"}
    before = EngineerProfile.objects.get(pk=crew.engineer.pk).work_schedule
    bad = {"work_hours": {"start": "24:00", "end": "24:00"}}
    response = api(crew.supervisor).put(f"{BASE}/{crew.engineer.pk}", {"work_schedule": bad}, format="json")
    assert response.status_code == 400
    assert EngineerProfile.objects.get(pk=crew.engineer.pk).work_schedule == before


# --- status -------------------------------------------------------------------------------------


def test_engineer_sets_own_status_and_it_is_pushed_live(crew, api, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(
        "portal.realtime.publish_to_tenant", lambda tenant, kind, data, **options: sent.append((tenant, kind, data))
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api(crew.engineer.user).put(
            f"{BASE}/{crew.engineer.pk}/status",
            {"online_status": "busy", "availability": "limited", "status_message": "正在处理紧急工单",
             "location": {"latitude": 31.23, "longitude": 121.47}},
            format="json",
        )  # fmt: skip
    assert response.status_code == 200, response.json()
    engineer = EngineerProfile.objects.get(pk=crew.engineer.pk)
    assert (engineer.online_status, engineer.availability) == ("busy", "limited")
    assert float(engineer.latitude) == 31.23
    assert sent == [
        (crew.tenant.pk, "engineer_status_changed", sent[0][2]),
    ]
    assert sent[0][2]["online_status"] == "busy" and "latitude" not in sent[0][2]


@pytest.mark.parametrize(
    "body", [{"online_status": "sleeping"}, {"availability": "maybe"}, {}, {"location": {"latitude": 1}}]
)
def test_bad_status_is_400_and_changes_nothing(crew, api, body):
    response = api(crew.engineer.user).put(f"{BASE}/{crew.engineer.pk}/status", body, format="json")
    assert response.status_code == 400
    engineer = EngineerProfile.objects.get(pk=crew.engineer.pk)
    assert (engineer.online_status, engineer.availability, engineer.status_updated_at) == ("online", "available", None)


def test_an_agent_cannot_set_a_colleague_status_but_a_supervisor_can(crew, api):
    path = f"{BASE}/{crew.colleague.pk}/status"
    refused = api(crew.engineer.user).put(path, {"online_status": "online"}, format="json")
    assert refused.status_code == 403
    assert EngineerProfile.objects.get(pk=crew.colleague.pk).online_status == "offline"
    allowed = api(crew.supervisor).put(path, {"online_status": "online"}, format="json")
    assert allowed.status_code == 200
    assert EngineerProfile.objects.get(pk=crew.colleague.pk).online_status == "online"


# --- workload -----------------------------------------------------------------------------------


def test_workload_counts_trend_and_forecast(crew, api):
    from django.utils import timezone

    for n, status in enumerate(["assigned", "assigned", "in_progress", "paused"]):
        _ticket(crew, crew.engineer.user, status, n)
    _ticket(crew, crew.engineer.user, "resolved", 9, resolved_at=timezone.now())
    response = api(crew.supervisor).get(f"{BASE}/{crew.engineer.pk}/workload?days=5")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["current_workload"] == 4 and data["utilization_rate"] == 50.0
    assert data["tickets"] == {"pending": 2, "in_progress": 1, "paused": 1, "total": 4}
    assert len(data["workload_trend"]) == 5 and data["workload_trend"][-1]["workload"] == 4
    assert data["workload_trend"][-1]["assigned"] == 5 and data["workload_trend"][-1]["resolved"] == 1
    forecast = data["capacity_forecast"]
    assert forecast["recommended_max_new"] == 4 and forecast["can_take_urgent"] is True
    assert data["estimated_completion"] is not None


def test_workload_days_out_of_range_is_400(crew, api):
    assert api(crew.supervisor).get(f"{BASE}/{crew.engineer.pk}/workload?days=99").status_code == 400


# --- skills -------------------------------------------------------------------------------------


def test_skill_rows_crud(crew, api):
    client = api(crew.supervisor)
    listed = client.get(f"{BASE}/{crew.engineer.pk}/skills").json()["data"]
    assert listed[0]["skill_code"] == "linux" and listed[0]["skill_level"] == 4
    added = client.post(
        f"{BASE}/{crew.engineer.pk}/skills",
        {"skill_code": "kubernetes", "skill_name": "Kubernetes容器编排", "skill_level": 2, "proficiency_score": 78.0,
         "certification": "CKA认证", "experience_years": 2.0},
        format="json",
    )  # fmt: skip
    assert added.status_code == 201, added.json()
    row_id = added.json()["data"]["id"]
    assert Skill.objects.filter(tenant=crew.tenant, code="kubernetes").exists()
    updated = client.put(f"{BASE}/{crew.engineer.pk}/skills/{row_id}", {"skill_level": 3}, format="json")
    assert updated.status_code == 200 and updated.json()["data"]["level"] == 3
    assert client.put(f"{BASE}/{crew.engineer.pk}/skills/vpn", {"skill_level": 3}, format="json").status_code == 404
    assert client.delete(f"{BASE}/{crew.engineer.pk}/skills/kubernetes").status_code == 200
    assert not EngineerSkill.objects.filter(pk=row_id).exists()


def test_skill_row_of_another_engineer_is_404(crew, api):
    row = EngineerSkill.objects.get(engineer=crew.colleague)
    response = api(crew.supervisor).put(f"{BASE}/{crew.engineer.pk}/skills/{row.pk}", {"skill_level": 5}, format="json")
    assert response.status_code == 404
    assert EngineerSkill.objects.get(pk=row.pk).level == 2


def test_assessment_sets_the_level_from_the_score(crew, api):
    response = api(crew.supervisor).post(
        f"{BASE}/{crew.colleague.pk}/skills/assessment",
        {"skill_code": "vpn", "assessment_type": "manager", "questions": [{"question_id": 1, "answer": "A"}],
         "practical_score": 85.0, "assessor_comment": "良好"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["level"] == 4 and response.json()["data"]["previous_level"] == 2
    row = EngineerSkill.objects.get(engineer=crew.colleague, skill=crew.vpn)
    assert row.level == 4 and row.certified
    assert SkillAssessment.objects.get().questions == [{"question_id": 1, "answer": "A"}]


def test_library_lists_levels_related_skills_and_certifications(crew, api):
    response = api(crew.engineer.user).get("/api/v1/skills")
    assert response.status_code == 200
    linux = next(s for s in response.json()["data"] if s["code"] == "linux")
    assert [lvl["level"] for lvl in linux["levels"]] == [1, 2, 3, 4, 5]
    assert linux["levels"][0] == {"level": 1, "name": "初级", "description": "基本命令"}
    assert linux["related_skills"] == ["vpn"] and linux["certifications"] == ["RHCE"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/engineers/99999999999999999999"),
        ("get", "/api/v1/engineers/99999999999999999999/workload"),
        ("put", "/api/v1/engineers/{id}/skills/99999999999999999999"),
        ("delete", "/api/v1/engineers/{id}/skills/99999999999999999999"),
        ("get", "/api/v1/engineers?page=9223372036854775808"),
    ],
)
def test_hostile_ids_are_clean_4xx(crew, api, method, path):
    client, path = api(crew.supervisor), path.format(id=crew.engineer.pk)
    if method == "get":  # DRF's test client replaces the query string with ``data``: pass it as data
        base, _, query = path.partition("?")
        response = client.get(base, dict(p.split("=") for p in query.split("&") if p))
    else:
        response = getattr(client, method)(path, {"skill_level": 2}, format="json")
    assert response.status_code in (400, 404), response.content[:200]


def test_hostile_bodies_are_400(crew, api):
    client = api(crew.admin)
    deep = f'{{"user_id": {crew.agent_without_profile.pk}, "work_schedule": ' + '{"a": ' * 5000 + "1" + "}" * 5001
    response = client.post(BASE, deep, content_type="application/json")
    assert response.status_code == 400, response.content[:200]
    for body in (
        {"user_id": 2**70},
        {"user_id": crew.agent_without_profile.pk, "skills": [{"skill_code": "../etc", "skill_level": 1}]},
        {"user_id": crew.agent_without_profile.pk, "max_workload": 0},
    ):
        response = client.post(BASE, body, format="json")
        assert response.status_code == 400, (body, response.content[:200])
    assert not EngineerProfile.objects.filter(user=crew.agent_without_profile).exists()
