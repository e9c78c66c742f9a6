"""The engineers pages: who sees them, filters, profile sections, the status form through the
service (refusals change nothing), another tenant's engineer is a 404, the sidebar entries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from engineers.models import EngineerProfile
from portal.navigation import navigation_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_anonymous_is_sent_to_login_and_requesters_are_refused(client, crew, browser):
    for name, args in [("engineers:list", []), ("engineers:detail", [crew.engineer.pk]), ("engineers:skills", [])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302 and "/accounts/" in response["Location"]
    requester = browser(crew.requester)
    for name, args in [("engineers:list", []), ("engineers:detail", [crew.engineer.pk]), ("engineers:skills", [])]:
        assert requester.get(reverse(name, args=args)).status_code == 403


def test_directory_lists_and_filters(browser, crew):
    client = browser(crew.supervisor)
    page = client.get(reverse("engineers:list")).content.decode()
    assert "<strong>张工程师</strong>" in page and "<strong>李工程师</strong>" in page and "Linux系统管理" in page
    page = client.get(reverse("engineers:list"), {"skill_codes": "vpn"}).content.decode()
    assert "<strong>李工程师</strong>" in page and "<strong>张工程师</strong>" not in page
    page = client.get(reverse("engineers:list"), {"status": "bogus"}).content.decode()
    assert 'class="alert alert-error"' in page


def test_profile_shows_skills_schedule_workload_and_performance(browser, crew):
    page = browser(crew.supervisor).get(reverse("engineers:detail", args=[crew.engineer.pk])).content.decode()
    for text in ("Linux系统管理", "eng-chart-plot", "09:00–18:00", "基础设施团队", 'data-engineer-status="'):
        assert text in page, text


def test_other_tenant_engineer_is_404(browser, crew, tenant_b, make_engineer):
    theirs = make_engineer(tenant_b)
    assert browser(crew.supervisor).get(reverse("engineers:detail", args=[theirs.pk])).status_code == 404


def test_status_form_sets_own_status_and_refuses_a_colleagues(browser, crew):
    client = browser(crew.engineer.user)
    response = client.post(
        reverse("engineers:status", args=[crew.engineer.pk]),
        {"online_status": "away", "availability": "limited", "status_message": "午休"},
    )
    assert response.status_code == 302
    assert EngineerProfile.objects.get(pk=crew.engineer.pk).online_status == "away"
    page = client.get(reverse("engineers:detail", args=[crew.colleague.pk])).content.decode()
    assert f'action="/engineers/{crew.colleague.pk}/status/"' not in page
    client.post(
        reverse("engineers:status", args=[crew.colleague.pk]), {"online_status": "online", "availability": "available"}
    )
    assert EngineerProfile.objects.get(pk=crew.colleague.pk).online_status == "offline"
    bad = client.post(
        reverse("engineers:status", args=[crew.engineer.pk]), {"online_status": "asleep", "availability": "available"}
    )
    assert bad.status_code == 200 and EngineerProfile.objects.get(pk=crew.engineer.pk).online_status == "away"


def test_skill_library_page(browser, crew):
    page = browser(crew.engineer.user).get(reverse("engineers:skills")).content.decode()
    assert "Linux系统管理" in page and "RHCE" in page and "初级" in page and 'href="#skill-vpn"' in page


def test_sidebar_entries_follow_permissions(crew):
    def names(user):
        return {item.url_name for section in navigation_for(user) for item in section.items}

    assert {"engineers:list", "engineers:skills"} <= names(crew.engineer.user)
    assert not {"engineers:list", "engineers:skills"} & names(crew.requester)
