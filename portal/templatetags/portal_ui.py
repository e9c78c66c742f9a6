"""Template tags of the portal shell: ``{% load portal_ui %}``.

- ``{% portal_nav %}`` renders the sidebar from ``portal.navigation``;
- ``{% topbar_widgets as widgets %}`` lists the top-bar widget templates that exist;
- ``{% icon "bell" %}`` renders an icon of ``static/img/icons.svg``;
- ``{{ page_obj|elided_pages }}`` page numbers with ellipses (used by ``portal/_pagination.html``);
- ``{{ when|portal_datetime }}`` / ``{{ day|portal_date }}`` the one date format of the current
  language (``portal/formats``), in the current time zone;
- ``{{ code|status_label }}`` / ``{{ code|priority_label }}`` give the translated ticket status
  and priority names used by the badge components (see docs/ui.md).
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal import navigation

register = template.Library()

# Built-in role codes (accounts.permission_catalog) named in the current language; custom roles
# show the name their tenant gave them.
ROLE_LABELS = {
    "user": _("Requester"),
    "agent": _("Agent"),
    "supervisor": _("Supervisor"),
    "admin": _("Tenant administrator"),
    "super_admin": _("Platform administrator"),
}

TICKET_STATUS_LABELS = {
    "new": pgettext_lazy("ticket status", "New"),
    "assigned": pgettext_lazy("ticket status", "Assigned"),
    "in_progress": pgettext_lazy("ticket status", "In progress"),
    "paused": pgettext_lazy("ticket status", "Paused"),
    "resolved": pgettext_lazy("ticket status", "Resolved"),
    "closed": pgettext_lazy("ticket status", "Closed"),
    "cancelled": pgettext_lazy("ticket status", "Cancelled"),
}
TICKET_PRIORITY_LABELS = {
    "low": pgettext_lazy("ticket priority", "Low"),
    "normal": pgettext_lazy("ticket priority", "Normal"),
    "high": pgettext_lazy("ticket priority", "High"),
    "urgent": pgettext_lazy("ticket priority", "Urgent"),
    "critical": pgettext_lazy("ticket priority", "Critical"),
}


@register.inclusion_tag("portal/_nav.html", takes_context=True)
def portal_nav(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return {"sections": navigation.navigation_for(user, request), "request": request}


def role_names(user) -> list[str]:
    """The names of the user's active roles, built-in ones translated."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_platform_admin:
        return [str(ROLE_LABELS["super_admin"])]
    roles = user.roles.filter(is_active=True).order_by("id").only("code", "name", "is_system")
    return [role_display(r.code, r.name, builtin=r.is_system) for r in roles]


def role_display(code: str, name: str, *, builtin: bool) -> str:
    """A role as people read it: built-in roles in the reader's language, custom roles as their
    tenant named them."""
    return str(ROLE_LABELS[code]) if builtin and code in ROLE_LABELS else name


@register.filter
def role_name(code: str) -> str:
    """A role code as people read it: built-in roles translated, other codes as they are."""
    return str(ROLE_LABELS[code]) if code in ROLE_LABELS else code


@register.simple_tag
def role_label(user):
    """The top bar's role line: the user's highest built-in role (the desk ``role``)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    code = "super_admin" if user.is_platform_admin else user.primary_role
    return ROLE_LABELS.get(code, code)


@register.simple_tag
def topbar_widgets():
    return navigation.topbar_widgets()


@register.simple_tag
def page_panels(slot):
    """Templates registered for a page slot (``portal.navigation.register_panel``)."""
    return navigation.page_panels(slot)


@register.simple_tag
def icon(name, css_class=""):
    href = f"{static('img/icons.svg')}#{name}"
    return format_html(
        '<svg class="icon {}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>', css_class, href
    )


@register.filter
def status_label(code):
    return TICKET_STATUS_LABELS.get(code, code)


@register.filter
def priority_label(code):
    return TICKET_PRIORITY_LABELS.get(code, code)


@register.filter
def elided_pages(page_obj, on_each_side=2):
    """Page numbers around the current page, with ``Paginator.ELLIPSIS`` in the gaps."""
    return page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=1)


@register.filter
def portal_datetime(value):
    """A date and time as every page shows it in the current language (empty when none)."""
    from django.utils import formats, timezone

    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")


@register.filter
def portal_date(value):
    from django.utils import formats

    if not value:
        return ""
    return formats.date_format(value, "DATE_FORMAT")
