"""Isolation makers for the notifications app (see tests/isolation.py)."""

from tests.isolation import MARKER, maker, page_object


@maker("notifications.Notification")
def _notification(tenant):
    from portal.notifications.models import Notification
    from tests.factories import UserFactory

    recipient = UserFactory(tenant=tenant, username=f"iso-notified-{tenant.pk}")
    return Notification.objects.create(
        tenant=tenant, recipient=recipient, type="announcement", title=MARKER, message=MARKER, data={"m": MARKER}
    )


# Pages that name a notification by id (tests/portal/test_page_isolation.py)
page_object("notifications:read", "notifications.Notification")
