"""The engineer edit page: each section (profile, skills, service areas, capacity, work schedule)
saves through the same services as ``PUT engineers/{id}`` and the skill calls; invalid input
comes back with every error at once and changes nothing; the people the API refuses
(``engineer:update``: agents, requesters; another tenant) are refused here too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from engineers.models import EngineerCertification, EngineerProfile, EngineerSkill, EngineerTeam, Skill
from engineers.schedule import weekly_periods

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(EngineerProfile.all_objects.order_by("pk").values()),
        list(EngineerSkill.objects.order_by("pk").values()),
        list(EngineerCertification.objects.order_by("pk").values()),
        list(Skill.objects.order_by("pk").values()),
    )


def _url(engineer):
    return reverse("engineers:edit", args=[engineer.pk])


def _profile_body(**overrides):
    body = {
        "section": "profile", "team": "", "employee_no": "ENG900", "title": "高级工程师", "level": "senior",
        "city": "上海市", "district": "浦东新区", "address": "世纪大道 100 号", "latitude": "31.2304",
        "longitude": "121.4737", "work_phone": "021-5555", "emergency_contact": "王女士 139", "wechat": "zhang_it",
        "preferred_contact": "wechat", "join_date": "2024-03-01", "contract_type": "full_time",
        "employment_status": "active", "probation_end": "2024-06-01", "next_review": "2027-03-01",
    }  # fmt: skip
    body.update(overrides)
    return body


@pytest.fixture
def supervisor(crew):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the messages asserted below are the English msgids
    client.force_login(crew.supervisor)
    return client


def test_the_page_shows_every_section_with_current_values(supervisor, crew):
    page = supervisor.get(_url(crew.engineer)).content.decode()
    expected = [
        'name="section" value="profile"', 'value="北京市"', "Linux系统管理", 'name="service_areas"',
        'name="max_workload"', 'value="09:00"', 'value="18:00"', 'value="monday" id="id_work_days_0" checked',
    ]  # fmt: skip
    for text in expected:
        assert text in page, text
    # a refused section comes back scrolled to itself, not to the top of a long page
    assert f'action="{_url(crew.engineer)}#schedule"' in page
    # the library skill the engineer lacks is offered; the one held is not
    assert f'<option value="{crew.vpn.pk}">VPN (vpn)</option>' in page
    assert "Linux系统管理 (linux)</option>" not in page
    # and the profile links to it for someone who may edit
    profile = supervisor.get(reverse("engineers:detail", args=[crew.engineer.pk])).content.decode()
    assert f'href="{_url(crew.engineer)}"' in profile


def test_profile_section_saves_team_location_contact_and_employment(supervisor, crew):
    team = EngineerTeam.objects.create(tenant=crew.tenant, code="desk", name="桌面支持组")
    response = supervisor.post(_url(crew.engineer), _profile_body(team=team.pk))
    assert response.status_code == 302 and response["Location"].endswith("#profile")
    e = EngineerProfile.objects.get(pk=crew.engineer.pk)
    assert (e.team_id, e.employee_no, e.title, e.level) == (team.pk, "ENG900", "高级工程师", "senior")
    assert (e.city, e.district, e.address) == ("上海市", "浦东新区", "世纪大道 100 号")
    assert (e.latitude, e.longitude) == (Decimal("31.230400"), Decimal("121.473700"))
    assert (e.work_phone, e.emergency_contact, e.wechat, e.preferred_contact) == (
        "021-5555", "王女士 139", "zhang_it", "wechat",
    )  # fmt: skip
    assert (e.join_date, e.probation_end, e.next_review) == (date(2024, 3, 1), date(2024, 6, 1), date(2027, 3, 1))
    # clearing both coordinates (match by city) is allowed
    supervisor.post(_url(crew.engineer), _profile_body(team=team.pk, latitude="", longitude=""))
    assert EngineerProfile.objects.get(pk=crew.engineer.pk).coordinates is None


def test_invalid_profile_shows_every_error_at_once_and_saves_nothing(supervisor, crew):
    before = _snapshot()
    response = supervisor.post(
        _url(crew.engineer),
        _profile_body(
            employee_no=crew.colleague.employee_no,  # taken by the colleague: the service's 409 rule
            latitude="95",
            preferred_contact="pigeon",
            join_date="2024-13-45",
            team="999999",
            level="guru",
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count('class="field-error"') == 6, page
    assert f"Employee number {crew.colleague.employee_no} is already used." in page
    assert "Ensure this value is less than or equal to 90." in page
    assert _snapshot() == before


def test_a_lone_coordinate_is_refused_by_the_page_and_by_the_api(supervisor, crew, api):
    before = _snapshot()
    response = supervisor.post(_url(crew.engineer), _profile_body(latitude="31.2", longitude=""))
    assert response.status_code == 400 and "Give latitude and longitude together." in response.content.decode()
    assert _snapshot() == before
    # the same rule, in the service, for the API (one coordinate set to null)
    body = api(crew.supervisor).put(
        f"/api/v1/engineers/{crew.engineer.pk}", {"location": {"latitude": 30.0, "longitude": None}}, format="json"
    )
    assert body.status_code == 400 and _snapshot() == before


def test_skills_are_added_relevelled_and_removed_from_the_library(supervisor, crew):
    url = _url(crew.engineer)
    response = supervisor.post(
        url, {"section": "skill_add", "skill": crew.vpn.pk, "level": "2", "experience_years": "1.5"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#skills")
    added = EngineerSkill.objects.get(engineer=crew.engineer, skill=crew.vpn)
    assert (added.level, added.experience_years) == (2, Decimal("1.5"))

    linux = EngineerSkill.objects.get(engineer=crew.engineer, skill=crew.linux)
    supervisor.post(url, {"section": "skill_level", "row": linux.pk, f"row{linux.pk}-level": "5"})
    assert EngineerSkill.objects.get(pk=linux.pk).level == 5

    supervisor.post(url, {"section": "skill_remove", "row": added.pk})
    assert not EngineerSkill.objects.filter(pk=added.pk).exists()


def test_invalid_skill_input_changes_nothing(supervisor, crew, tenant_b):
    url = _url(crew.engineer)
    linux = EngineerSkill.objects.get(engineer=crew.engineer, skill=crew.linux)
    theirs = Skill.objects.create(tenant=tenant_b, code="sap", name="SAP")
    before = _snapshot()
    bad_level = supervisor.post(url, {"section": "skill_level", "row": linux.pk, f"row{linux.pk}-level": "9"})
    assert bad_level.status_code == 400
    assert "Ensure this value is less than or equal to 5." in bad_level.content.decode()
    for body in (
        {"section": "skill_add", "skill": theirs.pk, "level": "3"},  # another tenant's library
        {"section": "skill_add", "skill": crew.linux.pk, "level": "3"},  # already held
        {"section": "skill_add", "skill": crew.vpn.pk, "level": "0", "experience_years": "99"},
    ):
        response = supervisor.post(url, body)
        assert response.status_code == 400, body
    assert bad_level.content.decode().count('class="field-error"') == 1
    # a colleague's skill row is not this engineer's: 404, nothing removed
    theirs_row = EngineerSkill.objects.get(engineer=crew.colleague)
    assert supervisor.post(url, {"section": "skill_remove", "row": theirs_row.pk}).status_code == 404
    assert _snapshot() == before


def test_service_areas_and_capacity_save(supervisor, crew):
    url = _url(crew.engineer)
    supervisor.post(url, {"section": "areas", "service_areas": " 北京市\n上海市/浦东新区\n\n北京市 "})
    assert EngineerProfile.objects.get(pk=crew.engineer.pk).service_areas == ["北京市", "上海市/浦东新区"]
    response = supervisor.post(url, {"section": "capacity", "max_workload": "12"})
    assert response.status_code == 302 and response["Location"].endswith("#capacity")
    assert EngineerProfile.objects.get(pk=crew.engineer.pk).max_workload == 12
    before = _snapshot()
    for value in ("0", "201", "many"):
        assert supervisor.post(url, {"section": "capacity", "max_workload": value}).status_code == 400
    too_long = supervisor.post(url, {"section": "areas", "service_areas": "北京市\n" + "长" * 129})
    assert too_long.status_code == 400 and "is longer than 128 characters" in too_long.content.decode()
    assert _snapshot() == before


def test_schedule_saves_days_and_a_whole_day_shift(supervisor, crew):
    url = _url(crew.engineer)
    response = supervisor.post(
        url,
        {"section": "schedule", "work_days": ["saturday", "sunday"], "start": "00:00", "end": "24:00",
         "break_start": "", "break_end": "", "timezone": "Asia/Shanghai", "follow_holidays": ""},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("#schedule")
    schedule = EngineerProfile.objects.get(pk=crew.engineer.pk).work_schedule
    assert schedule["work_days"] == ["saturday", "sunday"]
    assert schedule["work_hours"] == {"start": "00:00", "end": "24:00"} and schedule["break_time"] is None
    assert schedule["follow_holidays"] is False
    from datetime import time

    # the whole of Saturday and Sunday, as the dispatch duty check reads it
    assert weekly_periods(schedule) == [(5, time(0), time(0)), (6, time(0), time(0))]
    page = supervisor.get(url).content.decode()
    assert 'value="24:00"' in page and 'value="saturday" id="id_work_days_5" checked' in page
    # an overnight shift with a break
    supervisor.post(
        url,
        {"section": "schedule", "work_days": ["monday"], "start": "22:00", "end": "06:00",
         "break_start": "02:00", "break_end": "02:30", "timezone": "Asia/Shanghai", "follow_holidays": "on"},
    )  # fmt: skip
    schedule = EngineerProfile.objects.get(pk=crew.engineer.pk).work_schedule
    assert schedule["work_hours"] == {"start": "22:00", "end": "06:00"}
    assert schedule["break_time"] == {"start": "02:00", "end": "02:30"}


def test_invalid_schedule_shows_every_error_at_once_and_saves_nothing(supervisor, crew):
    before = _snapshot()
    response = supervisor.post(
        _url(crew.engineer),
        {"section": "schedule", "work_days": ["monday", "someday"], "start": "25:00", "end": "9am",
         "break_start": "12:00", "break_end": "", "timezone": "Mars/Olympus"},
    )  # fmt: skip
    assert response.status_code == 400
    page = response.content.decode()
    for text in ("Use a time written HH:MM, e.g. 09:00.", "Give both ends of the break.",
                 "Unknown time zone; use an IANA name such as Asia/Shanghai.", "someday"):  # fmt: skip
        assert text in page, text
    assert page.count('class="field-error"') == 5
    assert "Nothing was saved" in page
    assert _snapshot() == before
    # 24:00 is the end of a day, never a start
    response = supervisor.post(
        _url(crew.engineer),
        {"section": "schedule", "work_days": ["monday"], "start": "24:00", "end": "08:00", "timezone": "Asia/Shanghai"},
    )
    assert response.status_code == 400 and _snapshot() == before


@pytest.mark.parametrize("section", ["profile", "areas", "capacity", "schedule", "skill_add"])
def test_agents_requesters_and_other_tenants_are_refused(client, crew, make_user, tenant_b, section):
    body = {
        "profile": _profile_body(),
        "areas": {"section": "areas", "service_areas": "广州市"},
        "capacity": {"section": "capacity", "max_workload": "50"},
        "schedule": {
            "section": "schedule",
            "work_days": ["sunday"],
            "start": "00:00",
            "end": "24:00",
            "timezone": "Asia/Shanghai",
        },
        "skill_add": {"section": "skill_add", "skill": crew.vpn.pk, "level": "5"},
    }[section]
    before = _snapshot()
    url = _url(crew.engineer)
    # the engineer themselves: the API lets an agent set only their status (engineer:update-status)
    for user, status in [(crew.engineer.user, 403), (crew.requester, 403), (make_user(tenant_b, "admin"), 404)]:
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, body).status_code == status
    client.logout()
    assert client.post(url, body).status_code == 302  # to sign in
    assert _snapshot() == before
    # the agent's own profile page offers no edit link
    client.force_login(crew.engineer.user)
    assert url not in client.get(reverse("engineers:detail", args=[crew.engineer.pk])).content.decode()


def test_skill_row_refusals_change_nothing(client, crew):
    row = EngineerSkill.objects.get(engineer=crew.engineer, skill=crew.linux)
    before = _snapshot()
    client.force_login(crew.engineer.user)
    url = _url(crew.engineer)
    assert client.post(url, {"section": "skill_level", "row": row.pk, f"row{row.pk}-level": "5"}).status_code == 403
    assert client.post(url, {"section": "skill_remove", "row": row.pk}).status_code == 403
    assert _snapshot() == before


def test_admin_may_edit_too(client, crew):
    client.force_login(crew.admin)
    assert client.post(_url(crew.engineer), {"section": "capacity", "max_workload": "3"}).status_code == 302
    assert EngineerProfile.objects.get(pk=crew.engineer.pk).max_workload == 3
