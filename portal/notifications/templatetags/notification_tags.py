from django import template

from portal.notifications import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    """The signed-in user's unread inbox count (0 for anonymous or platform accounts)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.tenant_id:
        return 0
    return selectors.unread_count(user)
