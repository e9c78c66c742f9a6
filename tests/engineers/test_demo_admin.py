"""Demo engineers (idempotent, meaningful for a first dispatch) and the Django admin pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from engineers import selectors
from engineers.models import EngineerCertification, EngineerProfile, EngineerSkill, Skill

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_agents_profiles_skills_places_and_schedules():
    call_command("seed_demo", stdout=io.StringIO())
    counts = [m.objects.count() for m in (EngineerProfile, EngineerSkill, Skill, EngineerCertification)]
    call_command("seed_demo", stdout=io.StringIO())
    assert [m.objects.count() for m in (EngineerProfile, EngineerSkill, Skill, EngineerCertification)] == counts

    for tenant_code in ("demo_company", "tech_corp"):
        profiles = EngineerProfile.objects.filter(tenant__code=tenant_code).select_related("user")
        assert sorted(p.user.username for p in profiles) == ["agent1", "agent2", "agent3"]
        for profile in profiles:
            assert profile.has_coordinates and profile.city and profile.district
            assert profile.skill_rows.count() >= 4
            assert profile.work_schedule["work_days"]
            assert profile.performance_computed_at is not None
        tenant = profiles[0].tenant
        assert "printer" in selectors.infer_skill_codes(tenant=tenant, text="三楼打印机卡纸无法打印")
        assert "vpn" in selectors.infer_skill_codes(tenant=tenant, text="VPN 连接频繁断开")
    agent2 = EngineerProfile.objects.get(tenant__code="demo_company", user__username="agent2")
    assert (agent2.city, agent2.district) == ("北京市", "海淀区")
    assert selectors.with_workload(EngineerProfile.objects.filter(pk=agent2.pk)).get().current_workload > 0


def test_admin_pages_of_every_engineers_model_render(admin_client, tenant_a, make_user, crew):
    for path in (
        "/admin/engineers/engineerprofile/",
        f"/admin/engineers/engineerprofile/{crew.engineer.pk}/change/",
        "/admin/engineers/skill/",
        f"/admin/engineers/skill/{crew.linux.pk}/change/",
        "/admin/engineers/engineerteam/",
        "/admin/engineers/engineerskill/",
        "/admin/engineers/engineercertification/",
        "/admin/engineers/skillassessment/",
    ):
        assert admin_client.get(path).status_code == 200, path
