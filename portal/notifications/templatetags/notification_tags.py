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


@register.simple_tag(takes_context=True)
def live_socket_path(context) -> str:
    """``/api/ws`` when this page is served by the ASGI server (daphne), which also serves the
    socket; "" under a WSGI server (e.g. pytest-django's ``live_server``), where the socket does
    not exist and live.js must not try it. DESIGN: production serves pages and sockets over ASGI."""
    from django.core.handlers.asgi import ASGIRequest

    request = context.get("request")
    return "/api/ws" if isinstance(request, ASGIRequest) else ""
