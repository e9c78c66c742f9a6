"""Chat robots: each platform's signing checked by a local server that verifies it the way the
platform documents (DingTalk: HMAC-SHA256 over "timestamp\\nsecret" in the query; Feishu:
HMAC-SHA256 keyed with "timestamp\\nsecret" over nothing, in the body; WeCom: key in the URL)."""

from __future__ import annotations

import pytest

from portal.notifications.models import ChatRobot, Delivery
from portal.notifications.services import notify
from portal.notifications.tasks import deliver_notification

pytestmark = pytest.mark.django_db

SECRET = "SEC-test-secret-0123456789"


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, "agent", username="alice", real_name="李工")


def robot(tenant, platform, url, *, secret=SECRET, types=("sla_breached",)):
    return ChatRobot.objects.create(
        tenant=tenant, name=f"{platform} 群", platform=platform, webhook_url=url, secret=secret, types=list(types)
    )


def breach(user):
    return notify(
        recipient=user, type="sla_breached", title="SLA 违约", message="工单 TK-1 已超出解决时限", ticket_id=1
    )


@pytest.mark.parametrize(
    ("platform", "path"),
    [
        ("dingtalk", "/dingtalk?access_token=abc"),
        ("feishu", "/feishu"),
        ("wecom", "/cgi-bin/webhook/send?key=wecom-key"),
    ],
)
def test_signed_message_is_accepted_by_the_platform(alice, tenant_a, chat_platform, in_memory_layer, platform, path):
    robot(tenant_a, platform, chat_platform.url(path), secret="" if platform == "wecom" else SECRET)
    deliver_notification(breach(alice).pk)
    assert Delivery.objects.get(channel="chat").status == "sent"
    [received] = chat_platform.received
    text = received["body"]["content"]["text"] if platform == "feishu" else received["body"]["text"]["content"]
    assert "SLA 违约" in text and "TK-1" in text and "@李工" in text


@pytest.mark.parametrize(
    ("platform", "path"),
    [("dingtalk", "/dingtalk?access_token=abc"), ("feishu", "/feishu"), ("wecom", "/cgi-bin/webhook/send?key=wrong")],
)
def test_a_refused_signature_is_a_failure_to_retry(alice, tenant_a, chat_platform, in_memory_layer, platform, path):
    robot(tenant_a, platform, chat_platform.url(path), secret="SEC-wrong")
    deliver_notification(breach(alice).pk)
    delivery = Delivery.objects.get(channel="chat")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error.startswith(f"{platform}: error ")
    assert "SEC-wrong" not in delivery.last_error
    assert chat_platform.received == []


def test_only_subscribed_enabled_robots_of_the_tenant_receive(alice, tenant_a, tenant_b, chat_platform):
    robot(tenant_a, "wecom", chat_platform.url("/cgi-bin/webhook/send?key=wecom-key"), types=["ticket_assigned"])
    off = robot(tenant_a, "wecom", chat_platform.url("/cgi-bin/webhook/send?key=wecom-key"))
    off.enabled = False
    off.save()
    robot(tenant_b, "wecom", chat_platform.url("/cgi-bin/webhook/send?key=wecom-key"))
    assert not breach(alice).deliveries.filter(channel="chat").exists()


def test_the_secret_is_not_in_repr_or_str(tenant_a):
    bot = robot(tenant_a, "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=TOKEN")
    assert SECRET not in repr(bot) + str(bot) and "TOKEN" not in repr(bot) + str(bot)
