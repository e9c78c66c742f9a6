"""What the operations half of system administration registers at start-up: the task-history
signal handlers and the navigation entries of its pages."""

from django.utils.translation import gettext_lazy as _


def ready() -> None:
    from portal import navigation
    from portal.system import ops_admin, scheduling  # noqa: F401 - ops_admin registers the admin classes

    scheduling.connect_signals()
    for item in (
        navigation.NavItem(_("System status"), "system:status", permission="system:monitor:read",
                           platform_only=True, icon="monitor"),
        navigation.NavItem(_("Scheduled tasks"), "system:tasks", permission="system:task:read",
                           platform_only=True, icon="clock"),
        navigation.NavItem(_("Audit log"), "system:audit", permission="system:audit:read", icon="shield"),
    ):  # fmt: skip
        navigation.register_item("admin", item, before="admin:index")
