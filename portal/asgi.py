"""ASGI entry point: HTTP and the ``/api/ws`` WebSocket in one process (daphne).

In embedded mode (no ``REDIS_URL``) importing this module also starts the periodic schedule in a
thread of the server process (``portal.embedded``).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import OriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from portal import realtime  # noqa: E402
from portal.routing import websocket_urlpatterns  # noqa: E402


class RememberLoop:
    """Records the server's event loop for ``portal.realtime`` (embedded channel layer)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        realtime.remember_server_loop()
        return await self.app(scope, receive, send)


class BrowserOriginValidator(OriginValidator):
    """Refuses sockets opened by pages of other sites (cross-site WebSocket hijacking rides on
    the browser's cookies, and browsers always send ``Origin``). A request without ``Origin``
    comes from a non-browser client, such as a desk-contract integration authenticating with
    ``Authorization: Bearer``; channels' ``AllowedHostsOriginValidator`` would refuse those."""

    def valid_origin(self, parsed_origin):
        return parsed_origin is None or self.validate_origin(parsed_origin)


def allowed_origins() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = ["localhost", "127.0.0.1", "[::1]"]
    return hosts


websocket_application = BrowserOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)), allowed_origins())

application = RememberLoop(ProtocolTypeRouter({"http": django_asgi_app, "websocket": websocket_application}))

if settings.EMBEDDED_BEAT:
    from portal.embedded import start_embedded_beat

    start_embedded_beat()
