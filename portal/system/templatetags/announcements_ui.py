from django import template

from portal.system.announcements import visible_announcements

register = template.Library()


@register.simple_tag(takes_context=True)
def shell_announcements(context):
    """The announcements the signed-in user sees in the portal shell (banners and popups)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return visible_announcements(user) if user is not None else []
