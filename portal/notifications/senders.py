"""The three outbound channels. Each sender either returns (delivered) or raises
``DeliveryError``/any exception (not delivered: the outbox row stays pending and is retried).

HTTP goes through ``urllib.request``: one short POST of JSON per robot message needs no
connection pooling, sessions or async, and the stdlib keeps the dependency list unchanged.
Secrets (the signing secret, the WeCom key in the URL, the SMTP password) never reach a log
line or an error message stored in the outbox.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.utils import formataddr

from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.html import escape, linebreaks

from portal import realtime
from portal.config import get_config
from portal.timestamps import iso_utc

logger = logging.getLogger(__name__)

HTTP_TIMEOUT = 5  # seconds; a robot that does not answer in time is retried later
SMTP_TIMEOUT = 10


class DeliveryError(Exception):
    """A channel refused or failed; the message is safe to store (no secrets)."""


# --- WebSocket ------------------------------------------------------------------------------


def websocket_payload(notification) -> dict:
    """The desk contract's ``notification`` message data."""
    return {
        "id": notification.id,
        "type": notification.type,
        "title": notification.title,
        "message": notification.message,
        "ticket_id": notification.ticket_id,
        "created_at": iso_utc(notification.created_at),
    }


def push_websocket(notification) -> None:
    # With Redis down, group_send raises: the delivery stays pending and is retried.
    realtime.publish(realtime.user_group(notification.recipient_id), "notification", websocket_payload(notification))


# --- Email ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailSettings:
    enabled: bool
    host: str
    port: int
    username: str
    password: str
    use_tls: bool
    use_ssl: bool
    sender: str
    sender_name: str

    @property
    def from_header(self) -> str:
        return formataddr((self.sender_name, self.sender)) if self.sender_name else self.sender


def email_settings(tenant=None) -> EmailSettings:
    """SMTP settings from system config: the tenant's override, else the global value."""

    def value(name):
        return get_config(f"notification.email.{name}", tenant=tenant)

    return EmailSettings(
        enabled=value("enabled"),
        host=value("smtp_host"),
        port=value("smtp_port"),
        username=value("smtp_username"),
        password=value("smtp_password"),
        use_tls=value("use_tls"),
        use_ssl=value("use_ssl"),
        sender=value("smtp_from"),
        sender_name=value("smtp_from_name"),
    )


def smtp_connection(cfg: EmailSettings):
    """A real SMTP connection (never the project's EMAIL_BACKEND, which tests replace)."""
    if not cfg.host:
        raise DeliveryError("SMTP host is not configured")
    return get_connection(
        backend="django.core.mail.backends.smtp.EmailBackend",
        host=cfg.host,
        port=cfg.port,
        username=cfg.username or None,
        password=cfg.password or None,
        use_tls=cfg.use_tls,
        use_ssl=cfg.use_ssl,
        timeout=SMTP_TIMEOUT,
        fail_silently=False,
    )


def _portal_link(notification) -> str:
    base = (get_config("notification.portal_url", tenant=notification.tenant) or "").rstrip("/")
    path = action_url(notification)
    return f"{base}{path}" if base and path else ""


def action_url(notification) -> str:
    if notification.data.get("action_url"):
        return str(notification.data["action_url"])
    if notification.ticket_id:
        return f"/tickets/{notification.ticket_id}/"
    return "/notifications/"


def render_email(notification, site_name: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML. The frame is bilingual (Chinese first, then English): the
    recipient's language is not stored, and the title/message are in the language they were
    written in."""
    link = _portal_link(notification)
    subject = f"[{site_name}] {notification.title}"
    lines = [notification.title, "", notification.message, ""]
    if link:
        lines += [f"查看详情 / View details: {link}", ""]
    lines += [
        "——",
        f"此邮件由 {site_name} 自动发送，请勿直接回复。",
        f"This message was sent automatically by {site_name}; please do not reply.",
    ]
    text = "\n".join(lines)
    link_html = f'<p><a href="{escape(link)}">查看详情 / View details</a></p>' if link else ""
    html = (
        f"<h2>{escape(notification.title)}</h2>{linebreaks(escape(notification.message))}{link_html}"
        f'<hr><p style="color:#666;font-size:12px">此邮件由 {escape(site_name)} 自动发送，请勿直接回复。<br>'
        f"This message was sent automatically by {escape(site_name)}; please do not reply.</p>"
    )
    return subject, text, html


def send_email(notification, address: str) -> None:
    cfg = email_settings(notification.tenant)
    if not cfg.enabled:
        raise DeliveryError("email is disabled in the system configuration")
    site_name = get_config("site_name", tenant=notification.tenant)
    subject, text, html = render_email(notification, site_name)
    message = EmailMultiAlternatives(subject, text, cfg.from_header, [address], connection=smtp_connection(cfg))
    message.attach_alternative(html, "text/html")
    _send_smtp(message)


def send_test_email(*, tenant, to: str) -> None:
    """Connect to the configured server and send a short bilingual test mail (raises on failure)."""
    cfg = email_settings(tenant)
    site_name = get_config("site_name", tenant=tenant)
    text = (
        f"这是一封来自 {site_name} 的测试邮件，收到即表示邮件配置可用。\n"
        f"This is a test message from {site_name}; receiving it means the email settings work."
    )
    message = EmailMultiAlternatives(
        f"[{site_name}] 邮件测试 / Email test", text, cfg.from_header, [to], connection=smtp_connection(cfg)
    )
    _send_smtp(message)


def _send_smtp(message) -> None:
    try:
        sent = message.send()
    except OSError as exc:  # smtplib errors are OSErrors; so are refused connections and timeouts
        raise DeliveryError(f"SMTP: {type(exc).__name__}: {_safe(exc)}") from None
    if sent != 1:
        raise DeliveryError("SMTP server accepted no recipient")


def _safe(exc: Exception) -> str:
    # smtplib's auth errors echo the server's answer, never the password; trim anyway.
    return str(exc)[:200]


# --- Chat robots ----------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk: base64(HMAC-SHA256(key=secret, msg="timestamp\\nsecret")), then URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu/Lark: base64(HMAC-SHA256(key="timestamp\\nsecret", msg=""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def robot_text(notification) -> str:
    site_name = get_config("site_name", tenant=notification.tenant)
    link = _portal_link(notification)
    recipient = notification.recipient
    who = recipient.real_name or recipient.username
    parts = [f"【{site_name}】{notification.title}", notification.message, f"@{who}"]
    if link:
        parts.append(link)
    return "\n".join(p for p in parts if p)


def build_robot_request(robot, notification, *, now: float | None = None) -> tuple[str, dict]:
    """The URL and JSON body to POST for ``robot`` (signed where the platform requires it)."""
    now = time.time() if now is None else now
    text = robot_text(notification)
    url = robot.webhook_url
    if robot.platform == "dingtalk":
        body = {"msgtype": "text", "text": {"content": text}}
        if robot.secret:
            timestamp = int(now * 1000)
            sign = urllib.parse.quote_plus(dingtalk_sign(robot.secret, timestamp))
            url += ("&" if "?" in url else "?") + f"timestamp={timestamp}&sign={sign}"
        return url, body
    if robot.platform == "feishu":
        body = {"msg_type": "text", "content": {"text": text}}
        if robot.secret:
            timestamp = int(now)
            body = {"timestamp": str(timestamp), "sign": feishu_sign(robot.secret, timestamp), **body}
        return url, body
    if robot.platform == "wecom":  # the key in the URL authenticates; WeCom has no signature
        return url, {"msgtype": "text", "text": {"content": text}}
    raise DeliveryError(f"unknown chat platform {robot.platform!r}")


def post_to_robot(robot, notification) -> None:
    url, body = build_robot_request(robot, notification)
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError(f"{robot.platform}: webhook URL must be http(s)")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 - scheme checked above
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"{robot.platform}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{robot.platform}: {type(reason).__name__}") from None
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        raise DeliveryError(f"{robot.platform}: answer is not JSON") from None
    # DingTalk/WeCom answer {"errcode": 0}; Feishu {"code": 0} (older bots {"StatusCode": 0}).
    code = answer.get("errcode", answer.get("code", answer.get("StatusCode", 0)))
    if code not in (0, "0"):
        message = str(answer.get("errmsg") or answer.get("msg") or "")[:120]
        raise DeliveryError(f"{robot.platform}: error {code} {message}".strip())
