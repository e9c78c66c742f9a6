"""Maintenance mode closes ``/api/ws`` to whoever the HTTP gate shuts out (channels'
WebsocketCommunicator against the full ASGI application), and lets through whoever it lets in."""

from __future__ import annotations

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from portal.asgi import application
from portal.consumers import CLOSE_MAINTENANCE
from portal.system import maintenance
from tests.conftest import bearer_for
from tests.ws_support import clean_layer, close_executor_connections  # noqa: F401

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

TIMEOUT = 3
MESSAGE = "升级中，两小时后恢复"


@pytest.fixture(autouse=True)
def clean_state():
    layer = get_channel_layer()
    if hasattr(layer, "flush"):
        async_to_sync(layer.flush)()
    maintenance.forget()
    yield
    maintenance.forget()


@pytest.fixture
def made(make_user):
    """``await made(tenant, *roles)``: a user created from the test's event loop."""
    return database_sync_to_async(make_user)


@database_sync_to_async
def switch_on(by, **data):
    return maintenance.maintenance_set(by=by, data={"is_maintenance": True, "maintenance_message": MESSAGE, **data})


async def open_socket(user, *, ip="198.51.100.7"):
    token = await database_sync_to_async(bearer_for)(user)
    communicator = WebsocketCommunicator(application, f"/api/ws?token={token}")
    communicator.scope["client"] = [ip, 50000]  # daphne always fills it; read before the app first runs
    connected, code = await communicator.connect(timeout=TIMEOUT)
    assert connected, f"refused at the handshake with {code}"
    return communicator


async def assert_live(communicator, user):
    hello = await communicator.receive_json_from(timeout=TIMEOUT)
    assert hello["type"] == "connected" and hello["data"]["user_id"] == user.pk
    await communicator.send_json_to({"type": "ping"})
    assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "pong"
    await communicator.disconnect()


async def assert_shut_out(communicator):
    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["type"] == "error"
    assert frame["data"]["code"] == "MAINTENANCE" and frame["data"]["message"] == MESSAGE
    closed = await communicator.receive_output(timeout=TIMEOUT)
    assert (closed["type"], closed["code"]) == ("websocket.close", CLOSE_MAINTENANCE)
    await communicator.disconnect()


async def test_platform_window_shuts_out_tenant_users_but_not_the_platform_admin(tenant_a, made, platform_admin):
    # Given the platform-wide window is on
    agent, tenant_admin = await made(tenant_a, "agent"), await made(tenant_a, "admin")
    await switch_on(platform_admin)
    # When an agent and a tenant admin open the socket, Then both get the error frame and 4503
    await assert_shut_out(await open_socket(agent))
    await assert_shut_out(await open_socket(tenant_admin))
    # And the platform admin still gets a live socket
    await assert_live(await open_socket(platform_admin), platform_admin)


async def test_tenant_window_concerns_its_tenant_only_and_lets_its_admin_in(tenant_a, tenant_b, made):
    # Given tenant A's administrator switched on tenant A's window
    admin_a, agent_a = await made(tenant_a, "admin"), await made(tenant_a, "agent")
    agent_b = await made(tenant_b, "agent")
    await switch_on(admin_a)
    # Then A's agent is shut out, A's admin and B's agent are live
    await assert_shut_out(await open_socket(agent_a))
    await assert_live(await open_socket(admin_a), admin_a)
    await assert_live(await open_socket(agent_b), agent_b)


async def test_allow_lists_let_users_roles_and_addresses_through(tenant_a, made):
    admin = await made(tenant_a, "admin")
    listed, supervisor, other = await made(tenant_a, "agent"), await made(tenant_a, "supervisor"), await made(tenant_a)
    # Given a window that allows one user, the supervisor role and one network
    await switch_on(admin, allowed_users=[listed.pk], bypass_roles=["supervisor"], allowed_ips=["10.8.0.0/16"])
    # Then those pass, as they would over HTTP
    await assert_live(await open_socket(listed), listed)
    await assert_live(await open_socket(supervisor), supervisor)
    await assert_live(await open_socket(other, ip="10.8.3.4"), other)
    # And anyone else, from elsewhere, is shut out
    await assert_shut_out(await open_socket(other))


async def test_the_socket_decision_is_the_http_gate_decision(api, tenant_a, made):
    # Given a tenant window, the same requester is refused over HTTP (503) and over the socket
    admin, requester = await made(tenant_a, "admin"), await made(tenant_a)
    await switch_on(admin)
    response = await database_sync_to_async(lambda: api(requester).get("/api/v1/tickets"))()
    assert response.status_code == 503 and response.json()["message"] == MESSAGE
    await assert_shut_out(await open_socket(requester))


async def test_an_open_socket_ends_at_its_next_heartbeat_once_maintenance_begins(tenant_a, made):
    # Given an agent with a live socket
    admin, agent = await made(tenant_a, "admin"), await made(tenant_a, "agent")
    communicator = await open_socket(agent)
    assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "connected"
    # When maintenance begins and the client sends its heartbeat
    await switch_on(admin)
    await communicator.send_json_to({"type": "ping"})
    # Then the socket is told why and closed instead of answered
    await assert_shut_out(communicator)


async def test_socket_opens_again_when_maintenance_ends(tenant_a, made):
    admin, agent = await made(tenant_a, "admin"), await made(tenant_a, "agent")
    await switch_on(admin)
    await assert_shut_out(await open_socket(agent))
    await database_sync_to_async(maintenance.maintenance_set)(by=admin, data={"is_maintenance": False})
    await assert_live(await open_socket(agent), agent)
