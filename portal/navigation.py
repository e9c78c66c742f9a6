"""The portal's navigation and top-bar widgets, as registries.

The core declares the sections and its own entries; each app registers its entries from its
``AppConfig.ready`` (``register_item``, ``register_section``). An entry is shown when

- its URL name reverses (the page exists yet: entries for pages not built are hidden silently),
- the user holds its ``permission`` (a v1 permission code, ``user.has_contract_permission``),
- for ``platform_only`` entries, the user is a platform super admin; for ``tenant_only`` entries
  (work inside a tenant), the user belongs to a tenant.

Top-bar widgets (the notification bell …) are template names included only when the
template exists, so the app that owns a widget just ships its template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None = None
    platform_only: bool = False
    #: Work inside a tenant (tickets, knowledge, …): hidden from platform principals, who have none.
    tenant_only: bool = False
    icon: str = "dot"  # symbol id in static/img/icons.svg

    def allows(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        if self.platform_only and not getattr(user, "is_platform_admin", False):
            return False
        if self.tenant_only and getattr(user, "tenant_id", None) is None:
            return False
        return not self.permission or user.has_contract_permission(self.permission)


@dataclass
class NavSection:
    key: str
    label: str | Promise | None  # None: no heading (the top section)
    items: list[NavItem] = field(default_factory=list)


# The shell's sections and the core's own entries. Each app adds its entries (and sections of
# its own) from its ``AppConfig.ready`` with ``register_item``/``register_section``: the core
# does not know the apps.
NAVIGATION: list[NavSection] = [
    NavSection("main", None, [NavItem(_("Dashboard"), "portal:dashboard", icon="home")]),
    NavSection("work", _("Work"), [NavItem(_("Notifications"), "notifications:list", icon="bell")]),
    NavSection(
        "admin",
        _("Administration"),
        [NavItem(_("Back office"), "admin:index", platform_only=True, icon="settings")],
    ),
    NavSection("personal", _("My account"), []),
]

# Templates included in the top bar, left of the user menu, when they exist.
TOPBAR_WIDGETS: list[str] = ["notifications/_bell.html"]

# Panels other apps contribute to a named slot of a page, e.g. the knowledge base's suggested
# articles in "ticket_detail_aside": the page renders ``{% page_panels "slot" as panels %}`` and
# includes each (with its context), so the page's app never imports the contributing app.
PAGE_PANELS: dict[str, list[str]] = {}


def _position(names: list[str], before: str | tuple[str, ...] | None) -> int:
    """Index of the first of ``before`` (one name or several, tried in order) that is present;
    the end when none is."""
    for name in (before,) if isinstance(before, str) else before or ():
        if name in names:
            return names.index(name)
    return len(names)


def register_section(key: str, label: str | Promise | None, *, before: str | tuple[str, ...] | None = None) -> None:
    """Add an empty section (idempotent by key); ``before`` names an existing section's key."""
    if any(section.key == key for section in NAVIGATION):
        return
    NAVIGATION.insert(_position([s.key for s in NAVIGATION], before), NavSection(key, label, []))


def register_item(section_key: str, item: NavItem, *, before: str | tuple[str, ...] | None = None) -> None:
    """Add an entry to a section (idempotent by URL name); ``before`` names an existing entry's
    URL name (or several, the first present wins)."""
    section = next(s for s in NAVIGATION if s.key == section_key)
    if any(existing.url_name == item.url_name for existing in section.items):
        return
    section.items.insert(_position([e.url_name for e in section.items], before), item)


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


@lru_cache(maxsize=256)
def _module_of_url(url: str) -> str | None:
    from portal.modules import module_of_view

    try:
        return module_of_view(resolve(url).func)
    except Resolver404:
        return None


def navigation_for(user, request=None) -> list[VisibleSection]:
    """The sections and entries ``user`` may see, with the current page's entry marked active.
    Entries of modules switched off for the user's tenant are left out (``portal.modules``).
    Sections left without entries are dropped."""
    from portal.modules import is_enabled

    allowed: list[tuple[NavSection, list[tuple[NavItem, str]]]] = []
    for section in NAVIGATION:
        entries = []
        for item in section.items:
            if not item.allows(user):
                continue
            url = _reverse(item.url_name)
            if url is not None and is_enabled(_module_of_url(url), user):
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
