"""The portal's navigation and top-bar widgets, as registries.

Pages are added by several apps over time, so the sidebar is declared here once, with the URL
names the apps are going to use. An entry is shown when

- its URL name reverses (the page exists yet: entries for pages not built are hidden silently),
- the user holds its ``permission`` (a v1 permission code, ``user.has_contract_permission``),
- and, for ``platform_only`` entries, the user is a platform super admin.

Apps may add entries with :func:`register_item` (e.g. from ``AppConfig.ready``) instead of editing
this module. Top-bar widgets (the notification bell …) are template names included only when the
template exists, so the app that owns a widget just ships its template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None = None
    platform_only: bool = False
    icon: str = "dot"  # symbol id in static/img/icons.svg

    def allows(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        if self.platform_only and not getattr(user, "is_platform_admin", False):
            return False
        return not self.permission or user.has_contract_permission(self.permission)


@dataclass
class NavSection:
    key: str
    label: str | Promise | None  # None: no heading (the top section)
    items: list[NavItem] = field(default_factory=list)


NAVIGATION: list[NavSection] = [
    NavSection("main", None, [NavItem(_("Dashboard"), "portal:dashboard", icon="home")]),
    NavSection(
        "tickets",
        _("Tickets"),
        [
            NavItem(_("All tickets"), "tickets:list", icon="ticket"),
            NavItem(_("My tickets"), "tickets:mine", icon="user-check"),
            NavItem(_("Unassigned"), "tickets:unassigned", icon="inbox"),
            NavItem(_("New ticket"), "tickets:create", icon="plus"),
            NavItem(_("Categories"), "tickets:categories", permission="ticket:category:create", icon="tree"),
        ],
    ),
    NavSection(
        "work",
        _("Work"),
        [
            NavItem(_("Notifications"), "notifications:list", icon="bell"),
            NavItem(_("Knowledge base"), "knowledge:list", icon="book"),
            NavItem(_("Dispatch"), "dispatch:index", icon="send"),
            NavItem(_("Engineers"), "engineers:list", icon="users"),
        ],
    ),
    NavSection(
        "admin",
        _("Administration"),
        [
            NavItem(_("Users"), "accounts:users", permission="user:read", icon="users"),
            NavItem(_("Roles"), "accounts:roles", permission="role:read", icon="shield"),
            NavItem(_("Departments"), "accounts:departments", permission="department:read", icon="tree"),
            NavItem(_("Tenants"), "tenants:list", platform_only=True, icon="building"),
            NavItem(_("Back office"), "admin:index", platform_only=True, icon="settings"),
        ],
    ),
    NavSection(
        "personal",
        _("My account"),
        [
            NavItem(_("Profile"), "accounts:profile", icon="user"),
            NavItem(_("Two-factor authentication"), "accounts:mfa", icon="key"),
            NavItem(_("Trusted devices"), "accounts:devices", icon="monitor"),
            NavItem(_("Sessions"), "accounts:sessions", icon="clock"),
        ],
    ),
]

# Templates included in the top bar, left of the user menu, when they exist.
TOPBAR_WIDGETS: list[str] = ["notifications/_bell.html"]

# Panels other apps contribute to a named slot of a page, e.g. the knowledge base's suggested
# articles in "ticket_detail_aside": the page renders ``{% page_panels "slot" as panels %}`` and
# includes each (with its context), so the page's app never imports the contributing app.
PAGE_PANELS: dict[str, list[str]] = {}


def register_item(section_key: str, item: NavItem, *, before: str | None = None) -> None:
    """Add an entry to a section (idempotent by URL name); ``before`` names an existing entry's URL."""
    section = next(s for s in NAVIGATION if s.key == section_key)
    if any(existing.url_name == item.url_name for existing in section.items):
        return
    index = next((i for i, e in enumerate(section.items) if e.url_name == before), len(section.items))
    section.items.insert(index, item)


def register_widget(template_name: str) -> None:
    if template_name not in TOPBAR_WIDGETS:
        TOPBAR_WIDGETS.append(template_name)
        _template_exists.cache_clear()


def register_panel(slot: str, template_name: str) -> None:
    panels = PAGE_PANELS.setdefault(slot, [])
    if template_name not in panels:
        panels.append(template_name)
        _template_exists.cache_clear()


def page_panels(slot: str) -> list[str]:
    return [name for name in PAGE_PANELS.get(slot, []) if _template_exists(name)]


def _reverse(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


@lru_cache(maxsize=64)
def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def topbar_widgets() -> list[str]:
    return [name for name in TOPBAR_WIDGETS if _template_exists(name)]


@dataclass(frozen=True)
class VisibleItem:
    label: str | Promise
    url_name: str
    url: str
    icon: str
    active: bool


@dataclass(frozen=True)
class VisibleSection:
    key: str
    label: str | Promise | None
    items: list[VisibleItem]


def _active_url(urls: list[str], view_name: str | None, path: str, by_name: dict[str, str]) -> str | None:
    """The entry to highlight: the current view's own entry, else the longest entry URL that
    prefixes the path (``/tickets/42/`` highlights ``/tickets/``). The root URL only matches itself."""
    if view_name and view_name in by_name:
        return by_name[view_name]
    candidates = [u for u in urls if u != "/" and path.startswith(u)]
    if candidates:
        return max(candidates, key=len)
    return "/" if path == "/" and "/" in urls else None


def navigation_for(user, request=None) -> list[VisibleSection]:
    """The sections and entries ``user`` may see, with the current page's entry marked active.
    Sections left without entries are dropped."""
    allowed: list[tuple[NavSection, list[tuple[NavItem, str]]]] = []
    for section in NAVIGATION:
        entries = []
        for item in section.items:
            if not item.allows(user):
                continue
            url = _reverse(item.url_name)
            if url is not None:
                entries.append((item, url))
        if entries:
            allowed.append((section, entries))

    urls = [url for _section, entries in allowed for _item, url in entries]
    by_name = {item.url_name: url for _section, entries in allowed for item, url in entries}
    match = getattr(request, "resolver_match", None) if request is not None else None
    active = _active_url(urls, getattr(match, "view_name", None), getattr(request, "path", ""), by_name)

    return [
        VisibleSection(
            section.key,
            section.label,
            [VisibleItem(item.label, item.url_name, url, item.icon, url == active) for item, url in entries],
        )
        for section, entries in allowed
    ]
