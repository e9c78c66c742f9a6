"""ASGI entry point: HTTP and the ``/api/ws`` WebSocket in one process (daphne)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
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


application = RememberLoop(
    ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        }
    )
)

if settings.EMBEDDED_BEAT:
    from portal.embedded import start_embedded_beat

    start_embedded_beat()
