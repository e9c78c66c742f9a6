"""``/api/ws``: who may connect, and who receives what (channels' WebsocketCommunicator
against the full ASGI application: origin check, session middleware, routing, consumer)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from portal import realtime
from portal.asgi import application
from portal.consumers import CLOSE_UNAUTHENTICATED
from tenants.models import TenantStatus
from tests.conftest import bearer_for
from tests.ws_support import clean_layer, close_executor_connections  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

RECEIVE_TIMEOUT = 3
SILENCE = 0.3  # how long "nothing arrives" is watched for


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, username="alice")


@pytest.fixture
def arthur(tenant_a, make_user):
    return make_user(tenant_a, username="arthur")


@pytest.fixture
def bella(tenant_b, make_user):
    return make_user(tenant_b, username="bella")


@database_sync_to_async
def token_for(user) -> str:
    return bearer_for(user)


@database_sync_to_async
def session_cookie(user) -> bytes:
    """The cookie header of a browser signed in to the portal as ``user``."""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


@database_sync_to_async
def update(obj, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save()


async def open_socket(path="/api/ws", headers=()):
    communicator = WebsocketCommunicator(application, path, headers=list(headers))
    connected, code = await communicator.connect(timeout=RECEIVE_TIMEOUT)
    if not connected:
        # The refused consumer is still listening on the channel layer: end it as daphne does,
        # or the event loop's shutdown waits on its blocked Redis read.
        await communicator.disconnect()
    return communicator, connected, code


async def connect_as(user):
    communicator, connected, code = await open_socket(f"/api/ws?token={await token_for(user)}")
    assert connected, f"refused with {code}"
    hello = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
    assert hello["type"] == "connected"
    return communicator


async def test_token_in_query_connects_and_announces_the_user(alice):
    # Given a user of tenant A with an access token
    user = alice
    # When the client connects with ?token=
    communicator, connected, _ = await open_socket(f"/api/ws?token={await token_for(user)}")
    # Then the socket is accepted and the first message names the user and the connection
    assert connected
    hello = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
    assert hello["type"] == "connected"
    assert hello["data"]["user_id"] == user.id
    assert hello["data"]["connection_id"].startswith("conn_")
    await communicator.disconnect()


async def test_token_in_authorization_header_without_origin_connects(alice):
    # Given a non-browser integration (no Origin header) sending the desk contract's header
    user = alice
    headers = [(b"authorization", f"Bearer {await token_for(user)}".encode())]
    # When it connects
    communicator, connected, _ = await open_socket(headers=headers)
    # Then it is accepted as that user
    assert connected
    hello = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
    assert hello["data"]["user_id"] == user.id
    await communicator.disconnect()


async def test_portal_session_cookie_connects(alice):
    # Given a user signed in to the portal pages (session cookie, same-site Origin)
    user = alice
    headers = [(b"cookie", await session_cookie(user)), (b"origin", b"http://localhost")]
    # When the page opens the socket without a token
    communicator, connected, _ = await open_socket(headers=headers)
    # Then the session identifies the user
    assert connected
    hello = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
    assert hello["data"]["user_id"] == user.id
    await communicator.disconnect()


async def test_a_page_of_another_site_cannot_open_the_socket(alice):
    # Given a signed-in user's cookie, sent along by a page of another site (browsers send Origin)
    headers = [(b"cookie", await session_cookie(alice)), (b"origin", b"http://evil.test")]
    # When that page opens the socket
    _, connected, _ = await open_socket(headers=headers)
    # Then it is refused
    assert not connected


def _expired_token(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=timezone.now() - timedelta(hours=3), lifetime=timedelta(hours=1))
    return str(token)


@pytest.mark.parametrize(
    "make_path",
    [
        pytest.param(lambda user: "/api/ws", id="no-credentials"),
        pytest.param(lambda user: "/api/ws?token=not-a-jwt", id="garbage-token"),
        pytest.param(lambda user: f"/api/ws?token={bearer_for(user)[:-4]}AAAA", id="bad-signature"),
        pytest.param(lambda user: f"/api/ws?token={_expired_token(user)}", id="expired-token"),
    ],
)
async def test_missing_invalid_or_expired_token_is_refused_before_accept(alice, make_path):
    # Given a connection attempt without a valid token
    path = await database_sync_to_async(make_path)(alice)
    # When the client connects
    _, connected, code = await open_socket(path)
    # Then the handshake is refused with 4401 and nothing was ever accepted
    assert not connected
    assert code == CLOSE_UNAUTHENTICATED


async def test_a_bad_token_is_refused_even_with_a_valid_session(alice):
    headers = [(b"cookie", await session_cookie(alice))]
    _, connected, code = await open_socket("/api/ws?token=forged", headers=headers)
    assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)


async def test_inactive_user_is_refused(alice):
    # Given a token issued before the user was deactivated
    token = await token_for(alice)
    await update(alice, status="inactive")
    # When they connect with it
    _, connected, code = await open_socket(f"/api/ws?token={token}")
    # Then they are refused
    assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"status": TenantStatus.DISABLED}, id="disabled"),
        pytest.param({"status": TenantStatus.EXPIRED}, id="expired-status"),
        pytest.param({"expire_time": timezone.now() - timedelta(days=1)}, id="past-expire-time"),
    ],
)
async def test_user_of_an_unusable_tenant_is_refused(alice, tenant_a, change):
    # Given a token issued while the tenant was usable
    token = await token_for(alice)
    # When the tenant is disabled or expires, and the user connects
    await update(tenant_a, **change)
    _, connected, code = await open_socket(f"/api/ws?token={token}")
    # Then they are refused
    assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)


async def test_session_user_of_a_disabled_tenant_is_refused(alice, tenant_a):
    headers = [(b"cookie", await session_cookie(alice))]
    await update(tenant_a, status=TenantStatus.DISABLED)
    _, connected, code = await open_socket(headers=headers)
    assert (connected, code) == (False, CLOSE_UNAUTHENTICATED)


async def test_events_reach_only_the_addressed_user_and_tenant(alice, arthur, bella, tenant_a, tenant_b):
    # Given two users of tenant A and one of tenant B, all connected
    sockets = {"alice": await connect_as(alice), "arthur": await connect_as(arthur), "bella": await connect_as(bella)}
    layer = get_channel_layer()

    # When an event is sent to Alice's group
    await layer.group_send(realtime.user_group(alice.id), realtime._message("notification", {"id": 1}))
    # Then only Alice receives it
    assert await sockets["alice"].receive_json_from(timeout=RECEIVE_TIMEOUT) == {
        "type": "notification",
        "data": {"id": 1},
    }
    assert await sockets["arthur"].receive_nothing(timeout=SILENCE)
    assert await sockets["bella"].receive_nothing(timeout=SILENCE)

    # When an event is sent to tenant B's group
    await layer.group_send(realtime.tenant_group(tenant_b.id), realtime._message("ticket_updated", {"ticket_id": 7}))
    # Then Bella receives it and nobody of tenant A does
    assert (await sockets["bella"].receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "ticket_updated"
    assert await sockets["alice"].receive_nothing(timeout=SILENCE)
    assert await sockets["arthur"].receive_nothing(timeout=SILENCE)

    # When an event is sent to tenant A's group
    await layer.group_send(realtime.tenant_group(tenant_a.id), realtime._message("ticket_updated", {"ticket_id": 8}))
    # Then both of tenant A receive it, Bella does not
    assert (await sockets["alice"].receive_json_from(timeout=RECEIVE_TIMEOUT))["data"] == {"ticket_id": 8}
    assert (await sockets["arthur"].receive_json_from(timeout=RECEIVE_TIMEOUT))["data"] == {"ticket_id": 8}
    assert await sockets["bella"].receive_nothing(timeout=SILENCE)

    for communicator in sockets.values():
        await communicator.disconnect()


async def test_ping_gets_pong_and_bad_frames_do_not_close_the_socket(alice):
    communicator = await connect_as(alice)
    # Malformed and binary frames are ignored...
    await communicator.send_to(text_data="{not json")
    await communicator.send_to(bytes_data=b"\x00\x01")
    await communicator.send_json_to({"type": "something-else"})
    assert await communicator.receive_nothing(timeout=SILENCE)
    # ...and the socket still answers the heartbeat
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT) == {"type": "pong", "data": {}}
    await communicator.disconnect()


async def test_disconnecting_a_users_group_closes_only_their_sockets(alice, arthur):
    # Given two connected users of the same tenant
    alice_socket, arthur_socket = await connect_as(alice), await connect_as(arthur)
    # When Alice is disabled and the identity layer closes her sockets
    await database_sync_to_async(realtime.disconnect)(realtime.user_group(alice.id))
    # Then her socket is closed with 4401 and Arthur's stays open
    closed = await alice_socket.receive_output(timeout=RECEIVE_TIMEOUT)
    assert (closed["type"], closed["code"]) == ("websocket.close", CLOSE_UNAUTHENTICATED)
    await arthur_socket.send_json_to({"type": "ping"})
    assert (await arthur_socket.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "pong"
    await arthur_socket.disconnect()


@database_sync_to_async
def logout_with(token: str, path: str) -> int:
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.post(path).status_code


@pytest.mark.parametrize("path", ["/api/v1/auth/logout", "/api/auth/logout"])
async def test_a_plain_logout_closes_the_sockets_of_that_session_only(alice, path):
    # Given Alice signed in twice (two sessions), a socket open on each
    token, other_token = await token_for(alice), await token_for(alice)
    this_socket, connected, _ = await open_socket(f"/api/ws?token={token}")
    assert connected and (await this_socket.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "connected"
    other_socket, connected, _ = await open_socket(f"/api/ws?token={other_token}")
    assert connected and (await other_socket.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "connected"
    # When she signs out of the first session (an ordinary logout, not a forced one)
    assert await logout_with(token, path) == 200
    # Then that session's socket is closed with 4401 and stops receiving her events
    closed = await this_socket.receive_output(timeout=RECEIVE_TIMEOUT)
    assert (closed["type"], closed["code"]) == ("websocket.close", CLOSE_UNAUTHENTICATED)
    # and the other session's socket stays open
    await other_socket.send_json_to({"type": "ping"})
    assert (await other_socket.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "pong"
    await other_socket.disconnect()
    # and reconnecting with the ended session's token is refused
    _again, connected, code = await open_socket(f"/api/ws?token={token}")
    assert not connected and code == CLOSE_UNAUTHENTICATED


async def test_a_portal_logout_closes_the_pages_socket(alice):
    # Given a portal page signed in by the login form (a login session behind the cookie)
    @database_sync_to_async
    def sign_in():
        from accounts import auth_services as auth

        client = Client()
        client.force_login(alice)
        outcome = auth.login_finish(
            user=alice, info=auth.ClientInfo(ip_address="127.0.0.1"), method="password", channel="web"
        )
        session = client.session
        session["login_sid"] = outcome.session.key
        session.save()
        return client

    client = await sign_in()
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    socket, connected, _ = await open_socket(headers=[(b"cookie", cookie), (b"origin", b"http://localhost")])
    assert connected and (await socket.receive_json_from(timeout=RECEIVE_TIMEOUT))["type"] == "connected"
    # When the user signs out on the page
    status = await database_sync_to_async(lambda: client.post("/accounts/logout/").status_code)()
    assert status in (200, 302)
    # Then the page's socket is closed
    closed = await socket.receive_output(timeout=RECEIVE_TIMEOUT)
    assert (closed["type"], closed["code"]) == ("websocket.close", CLOSE_UNAUTHENTICATED)


async def test_the_handshake_fails_cleanly_when_the_channel_layer_is_down(alice, monkeypatch):
    # Given Redis (the channel layer) is unreachable
    import redis.exceptions

    from portal.consumers import CLOSE_TRY_AGAIN_LATER

    async def down(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    layer = get_channel_layer()
    monkeypatch.setattr(layer, "group_add", down)
    monkeypatch.setattr(layer, "group_discard", down)
    # When a client opens the socket
    communicator, connected, _ = await open_socket(f"/api/ws?token={await token_for(alice)}")
    # Then it is told to try again later (1013), not a server error, and nothing crashed
    assert connected
    error = await communicator.receive_json_from(timeout=RECEIVE_TIMEOUT)
    assert error == {"type": "error", "data": {"code": "SERVICE_UNAVAILABLE", "retry": True}}
    closed = await communicator.receive_output(timeout=RECEIVE_TIMEOUT)
    assert (closed["type"], closed["code"]) == ("websocket.close", CLOSE_TRY_AGAIN_LATER)
