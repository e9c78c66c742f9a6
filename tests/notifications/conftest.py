"""Fixtures of the notifications tests: eager celery, a local SMTP server, a local chat
platform that checks signatures like the real ones, and a notification maker."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.config import set_config
from portal.notifications.models import Notification


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    yield


@pytest.fixture
def make_notification():
    def make(user, **fields):
        fields.setdefault("type", "ticket_assigned")
        fields.setdefault("title", "工单已分配")
        fields.setdefault("message", "工单 TK-2025-001 已分配给您")
        return Notification.objects.create(tenant=user.tenant, recipient=user, **fields)

    return make


# --- SMTP -----------------------------------------------------------------------------------


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on 127.0.0.1:<free port>; ``.messages`` holds received envelopes."""
    from aiosmtpd.controller import Controller

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


def configure_smtp(port: int, *, tenant=None, enabled: bool = True) -> None:
    set_config("notification.email.enabled", enabled, tenant=tenant)
    set_config("notification.email.smtp_host", "127.0.0.1", tenant=tenant)
    set_config("notification.email.smtp_port", port, tenant=tenant)
    set_config("notification.email.smtp_from", "noreply@ops.test", tenant=tenant)


# --- Chat platforms -------------------------------------------------------------------------


class ChatPlatformServer:
    """Answers like DingTalk (/dingtalk), Feishu (/feishu) and WeCom (/wecom?key=…): checks the
    signature/key with ``secret`` and answers success or the platform's error."""

    def __init__(self, secret: str, key: str = "wecom-key"):
        self.secret, self.key = secret, key
        self.received: list[dict] = []
        self.fail_next = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                answer = outer.check(self.path, body)
                raw = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def check(self, path: str, body: dict) -> dict:
        parsed = urllib.parse.urlsplit(path)
        query = urllib.parse.parse_qs(parsed.query)
        if self.fail_next:
            self.fail_next -= 1
            return {"errcode": 130101, "errmsg": "send too fast"} if parsed.path != "/feishu" else {"code": 9499}
        if parsed.path == "/dingtalk":
            timestamp = query["timestamp"][0]
            if abs(int(timestamp) - time.time() * 1000) > 3600 * 1000:
                return {"errcode": 310000, "errmsg": "timestamp expired"}
            to_sign = f"{timestamp}\n{self.secret}".encode()
            expected = base64.b64encode(hmac.new(self.secret.encode(), to_sign, hashlib.sha256).digest()).decode()
            if query["sign"][0] != expected:  # parse_qs already URL-decoded it, as DingTalk does
                return {"errcode": 310000, "errmsg": "sign not match"}
        elif parsed.path == "/feishu":
            key = f"{body['timestamp']}\n{self.secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            if body.get("sign") != expected or abs(int(body["timestamp"]) - time.time()) > 3600:
                return {"code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time"}
            self.received.append({"path": parsed.path, "body": body})
            return {"code": 0, "msg": "success", "data": {}}
        elif parsed.path == "/cgi-bin/webhook/send":
            if query.get("key") != [self.key]:
                return {"errcode": 93000, "errmsg": "invalid webhook url"}
        else:
            return {"errcode": 404, "errmsg": "no such robot"}
        self.received.append({"path": parsed.path, "body": body})
        return {"errcode": 0, "errmsg": "ok"}

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def chat_platform():
    server = ChatPlatformServer(secret="SEC-test-secret-0123456789")
    yield server
    server.close()
