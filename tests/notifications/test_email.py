"""Email through a real SMTP connection to a local server (aiosmtpd) started by the test."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from portal.config import set_config
from portal.notifications.models import Delivery, EmailTestResult
from portal.notifications.services import notify
from portal.notifications.tasks import deliver_notification, retry_pending_deliveries
from tests.notifications.conftest import configure_smtp, free_port

pytestmark = pytest.mark.django_db


def parse(envelope):
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, "agent", username="alice", email="alice@a.test")


class TestNotificationEmail:
    def test_reaches_the_smtp_server_bilingual_with_html(self, alice, smtp_server, in_memory_layer):
        # given SMTP configured for alice's tenant and a portal address for links
        configure_smtp(smtp_server.port, tenant=alice.tenant)
        set_config("notification.portal_url", "https://ops.example.com")
        # when she is assigned a ticket and the worker delivers
        notification = notify(
            recipient=alice,
            type="ticket_assigned",
            title="工单已分配",
            message="工单 TK-2025-001 已分配给您",
            ticket_id=1,
        )
        deliver_notification(notification.pk)
        # then exactly one mail reached the server, to her, readable in Chinese and English
        assert len(smtp_server.messages) == 1
        envelope = smtp_server.messages[0]
        assert envelope.rcpt_tos == ["alice@a.test"]
        message = parse(envelope)
        assert "工单已分配" in message["Subject"]
        assert "noreply@ops.test" in message["From"]
        text = message.get_body(("plain",)).get_content()
        assert "工单 TK-2025-001 已分配给您" in text
        assert "View details: https://ops.example.com/tickets/1/" in text
        assert "请勿直接回复" in text and "please do not reply" in text
        assert "<h2>工单已分配</h2>" in message.get_body(("html",)).get_content()
        assert Delivery.objects.get(channel="email").status == "sent"

    def test_smtp_down_then_back_delivers_once(self, alice, in_memory_layer):
        from aiosmtpd.controller import Controller

        from tests.notifications.conftest import _Inbox

        port = free_port()
        configure_smtp(port)
        notification = notify(recipient=alice, type="sla_breached", title="SLA 违约", message="TK-9 已超时")
        delivery = notification.deliveries.get(channel="email")
        with time_machine.travel(timezone.now(), tick=False) as clock:
            deliver_notification(notification.pk)  # nothing listens on the port
            delivery.refresh_from_db()
            assert (delivery.status, delivery.attempts) == ("pending", 1)
            assert "SMTP" in delivery.last_error
            inbox = _Inbox()
            controller = Controller(inbox, hostname="127.0.0.1", port=port)
            controller.start()
            try:
                clock.shift(timedelta(seconds=31))
                retry_pending_deliveries()
                retry_pending_deliveries()
            finally:
                controller.stop()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("sent", 2)
        assert len(inbox.messages) == 1

    def test_no_email_row_when_email_is_disabled(self, alice):
        configure_smtp(2525, enabled=False)
        notification = notify(recipient=alice, type="ticket_assigned", title="t", message="m")
        assert not notification.deliveries.filter(channel="email").exists()


class TestEmailConfigApi:
    def test_get_returns_effective_settings_without_password(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        configure_smtp(2525)
        set_config("notification.email.smtp_password", "S3cret-pass!")
        set_config("notification.email.smtp_username", "system@example.com")
        set_config("notification.email.smtp_port", 587, tenant=tenant_a)  # the tenant's override wins
        response = api(admin).get("/api/admin/email-config")
        assert response.status_code == 200
        data = response.json()["data"]
        assert data["smtp_host"] == "127.0.0.1" and data["smtp_port"] == 587
        assert data["smtp_username"] == "system@example.com"
        assert data["is_enabled"] is True and data["has_password"] is True
        assert data["last_test_at"] is None and data["test_status"] is None
        assert "S3cret-pass!" not in response.content.decode()
        assert "smtp_password" not in data

    def test_another_tenants_override_and_test_result_stay_with_it(self, api, tenant_a, tenant_b, make_user):
        set_config("notification.email.smtp_host", "smtp.a.example", tenant=tenant_a)
        EmailTestResult.objects.create(tenant=tenant_a, tested_at="2025-01-01T10:00:00Z", status="success")
        data = api(make_user(tenant_b, "admin")).get("/api/admin/email-config").json()["data"]
        assert data["smtp_host"] == "" and data["test_status"] is None

    def test_refusals(self, api, tenant_a, make_user):
        assert api().get("/api/admin/email-config").status_code == 401
        response = api(make_user(tenant_a, "agent")).get("/api/admin/email-config")
        assert response.status_code == 403

    def test_test_sends_a_real_mail_and_records_success(self, api, tenant_a, make_user, smtp_server):
        admin = make_user(tenant_a, "admin")
        configure_smtp(smtp_server.port, tenant=tenant_a)
        response = api(admin).post("/api/admin/email-config/test", {"test_email": "ops@a.test"}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["message"] == "邮件测试完成"
        assert body["data"]["status"] == "success" and body["data"]["message"] == "邮件发送成功"
        assert body["data"]["test_time"]
        assert [m.rcpt_tos for m in smtp_server.messages] == [["ops@a.test"]]
        assert "邮件测试" in parse(smtp_server.messages[0])["Subject"]
        data = api(admin).get("/api/admin/email-config").json()["data"]
        assert data["test_status"] == "success" and data["last_test_at"]

    def test_test_reports_a_failure_and_records_it(self, api, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        configure_smtp(free_port(), tenant=tenant_a)  # nobody listens
        response = api(admin).post("/api/admin/email-config/test", {"test_email": "ops@a.test"}, format="json")
        assert response.status_code == 200
        assert response.json()["data"]["status"] == "failed"
        assert "ConnectionRefusedError" in response.json()["data"]["message"]
        assert EmailTestResult.objects.get(tenant=tenant_a).status == "failed"

    def test_bad_address_is_422_and_nothing_sent(self, api, tenant_a, make_user, smtp_server):
        admin = make_user(tenant_a, "admin")
        configure_smtp(smtp_server.port, tenant=tenant_a)
        response = api(admin).post("/api/admin/email-config/test", {"test_email": "not-an-address"}, format="json")
        assert response.status_code == 422
        assert response.json()["error_code"] == "VALIDATION_FAILED"
        assert smtp_server.messages == [] and not EmailTestResult.objects.exists()

    def test_without_config_update_nothing_is_sent(self, api, tenant_a, make_user, smtp_server):
        configure_smtp(smtp_server.port, tenant=tenant_a)
        body = {"test_email": "ops@a.test"}
        assert api().post("/api/admin/email-config/test", body, format="json").status_code == 401
        assert (
            api(make_user(tenant_a, "supervisor")).post("/api/admin/email-config/test", body, format="json").status_code
            == 403
        )
        assert smtp_server.messages == [] and not EmailTestResult.objects.exists()
