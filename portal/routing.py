from django.urls import path

from portal.consumers import LiveConsumer

websocket_urlpatterns = [
    path("api/ws", LiveConsumer.as_asgi()),
]
