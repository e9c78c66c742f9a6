"""Isolation makers for the engineers app (see tests/isolation.py)."""

from tests.isolation import MARKER, maker, page_object


@maker("engineers.EngineerProfile")
def _engineer(tenant):
    from engineers.models import EngineerProfile, EngineerSkill, Skill
    from tests.factories import UserFactory

    user = UserFactory(
        tenant=tenant, roles=["agent"], username=f"isoeng{tenant.pk}", real_name=MARKER,
        email=f"isoeng{tenant.pk}@iso.test",
    )  # fmt: skip
    profile = EngineerProfile.objects.create(
        tenant=tenant, user=user, employee_no=MARKER, title=MARKER, city=MARKER, status_message=MARKER
    )
    skill = Skill.objects.create(tenant=tenant, code=f"iso-eng-{tenant.pk}", name=MARKER, keywords=[MARKER])
    EngineerSkill.objects.create(tenant=tenant, engineer=profile, skill=skill, level=3, certification=MARKER)
    return profile


@maker("engineers.Skill")
def _skill(tenant):
    from engineers.models import Skill

    return Skill.objects.create(
        tenant=tenant, code=f"iso-{tenant.pk}", name=MARKER, description=MARKER, category=MARKER, keywords=[MARKER]
    )


# Pages that name an engineer profile by id (tests/portal/test_page_isolation.py)
page_object("engineers:detail", "engineers.EngineerProfile")
page_object("engineers:status", "engineers.EngineerProfile")
page_object("engineers:edit", "engineers.EngineerProfile")
