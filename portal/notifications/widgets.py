"""What notifications contribute to the workbench: the unread inbox and announcements."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.dashboard.registry import Widget, register_widget
from portal.notifications import selectors, senders
from portal.notifications.models import NotificationType
from portal.timestamps import iso_utc

ALL = frozenset({"user", "agent", "supervisor", "admin"})


def _items(rows) -> list[dict]:
    return [
        {
            "id": n.pk,
            "title": n.title,
            "status": "read" if n.read_at else "unread",
            "url": senders.action_url(n),
            "created_at": iso_utc(n.created_at),
        }
        for n in rows
    ]


def _inbox(user, query) -> dict:
    inbox = selectors.inbox_for(user)
    unread = inbox.filter(read_at__isnull=True)
    return {"items": _items(unread[:6]), "summary": {"unread": unread.count()}}


def _announcements(user, query) -> dict:
    rows = selectors.inbox_for(user).filter(type=NotificationType.ANNOUNCEMENT)
    return {"items": _items(rows[:6]), "summary": {"total": rows.count()}}


register_widget(
    Widget(
        code="notifications",
        name=_("Unread notifications"),
        description=_("Your latest unread notifications."),
        data=_inbox,
        widget_type="list",
        chart_type=None,
        permission="notification:read",
        module="notifications",
        width=4,
        default_for=ALL,
        order=80,
    )
)
register_widget(
    Widget(
        code="announcements",
        name=_("Announcements"),
        description=_("Announcements sent to you."),
        data=_announcements,
        widget_type="list",
        chart_type=None,
        permission="notification:read",
        module="notifications",
        width=4,
        default_for=ALL,
        order=90,
    )
)
