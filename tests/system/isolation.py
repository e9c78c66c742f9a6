"""Isolation makers for system administration (see tests/isolation.py)."""

from tests.isolation import MARKER, maker, page_object


@maker("system.Announcement")
def _announcement(tenant):
    from django.utils import timezone

    from portal.system.models import Announcement

    return Announcement.objects.create(
        tenant=tenant,
        title=MARKER,
        content=MARKER,
        status="published",
        target_audience="tenant",
        target_tenants=[tenant.pk],
        publish_time=timezone.now(),
    )


# Pages that name an announcement by id (tests/portal/test_page_isolation.py)
page_object("system:announcement-dismiss", "system.Announcement")
