"""Issue 13 points 7 and 8 on the identity pages: forgot password, sign out the other sessions,
two-factor enrolment that keeps the QR code, one-time recovery codes, and the smaller wording
and format fixes (lockout duration, 403 advice, admin section names, one date format)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import auth_services as auth
from accounts.models import LoginSession, PasswordResetToken, RecoveryCode
from tests.accounts.helpers import enrol_totp, totp_now
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def page_login(client, user, password=TEST_PASSWORD):
    return client.post(
        reverse("accounts:login"), {"tenant_code": user.tenant.code, "username": user.username, "password": password}
    )


def codes_on(response) -> list[str]:
    return re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", response.content.decode())


def unthrottle(device):
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    device.refresh_from_db()


class TestForgotPassword:
    def test_login_page_links_to_it_and_it_emails_a_working_link(
        self, tenant_a, make_user, django_capture_on_commit_callbacks
    ):
        user = make_user(tenant_a, email="amy@example.com")
        assert reverse("accounts:password-forgot") in Client().get(reverse("accounts:login")).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(
                reverse("accounts:password-forgot"), {"tenant_code": tenant_a.code, "email": "amy@example.com"}
            )
        assert response.status_code == 302 and PasswordResetToken.objects.filter(user=user).count() == 1
        link = re.search(r"http://\S+", mail.outbox[-1].body).group(0)
        assert link.startswith("http://testserver/accounts/password/reset/confirm/?token=")
        done = Client().post(
            link.split("testserver")[1].split("?")[0],
            {"token": link.split("token=")[1], "new_password": "N3w-Passw0rd!"},
        )
        assert done.status_code == 302
        user.refresh_from_db()
        assert user.check_password("N3w-Passw0rd!")

    def test_unknown_address_reads_the_same_and_sends_nothing(self, tenant_a, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = Client().post(reverse("accounts:password-forgot"), {"email": "nobody@example.com"}, follow=True)
        assert "If an account matches" in response.content.decode() or "如果" in response.content.decode()
        assert not mail.outbox and not PasswordResetToken.objects.exists()


def test_sign_out_all_other_sessions_keeps_this_one(tenant_a, make_user):
    user = make_user(tenant_a)
    here, there, elsewhere = Client(), Client(), Client()
    for client in (here, there, elsewhere):
        page_login(client, user)
    response = here.post(reverse("accounts:sessions"), {"action": "others"})
    assert response.status_code == 302
    active = LoginSession.objects.filter(user=user, ended_at__isnull=True)
    assert list(active.values_list("key", flat=True)) == [here.session["login_sid"]]
    assert here.get(reverse("accounts:profile")).status_code == 200
    assert there.get(reverse("accounts:profile")).status_code == 302  # signed out


class TestTwoFactorEnrolment:
    def test_wrong_code_keeps_the_same_qr_code(self, tenant_a, make_user):
        user = make_user(tenant_a)
        client = Client()
        client.force_login(user)
        setup = client.post(reverse("accounts:mfa"), {"action": "setup"})
        secret = setup.context["setup"]["secret"]
        wrong = client.post(reverse("accounts:mfa"), {"action": "enable", "code": "000000"})
        assert wrong.status_code == 400
        assert wrong.context["setup"]["secret"] == secret and 'id="mfa-qr"' in wrong.content.decode()
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        unthrottle(device)
        ok = client.post(reverse("accounts:mfa"), {"action": "enable", "code": totp_now(device)})
        assert ok.status_code == 200 and auth.mfa_enabled(user)
        assert len(codes_on(ok)) == auth.RECOVERY_CODE_COUNT


class TestRecoveryCodes:
    def _enrolled(self, tenant, make_user):
        user = make_user(tenant)
        enrol_totp(user)
        return user, auth.recovery_codes_generate(user=user)

    def test_hashed_at_rest_and_shown_once(self, tenant_a, make_user):
        user, codes = self._enrolled(tenant_a, make_user)
        stored = list(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
        assert len(stored) == len(set(codes)) == 10
        assert not any(code in stored or code.replace("-", "") in stored for code in codes)
        client = Client()
        client.force_login(user)
        page = client.get(reverse("accounts:mfa"))
        assert codes_on(page) == [] and not any(code in page.content.decode() for code in codes)

    def test_a_code_signs_in_once_at_the_challenge(self, tenant_a, make_user):
        user, codes = self._enrolled(tenant_a, make_user)
        first = Client()
        assert page_login(first, user)["Location"] == reverse("accounts:login-otp")
        ok = first.post(reverse("accounts:login-otp"), {"code": codes[0].upper()})
        assert ok.status_code == 302 and LoginSession.objects.filter(user=user).count() == 1
        assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
        # the same code again: refused, no new session
        second = Client()
        page_login(second, user)
        again = second.post(reverse("accounts:login-otp"), {"code": codes[0]})
        assert again.status_code == 200 and LoginSession.objects.filter(user=user).count() == 1
        # another unused code still works
        third = Client()
        page_login(third, user)
        assert third.post(reverse("accounts:login-otp"), {"code": codes[1]}).status_code == 302

    def test_regenerate_replaces_the_old_set_and_needs_the_password(self, tenant_a, make_user):
        user, old = self._enrolled(tenant_a, make_user)
        client = Client()
        client.force_login(user)
        refused = client.post(reverse("accounts:mfa"), {"action": "recovery", "password": "wrong"})
        assert refused.status_code == 302 and auth.recovery_code_use(user=user, code=old[0])
        response = client.post(reverse("accounts:mfa"), {"action": "recovery", "password": TEST_PASSWORD})
        new = codes_on(response)
        assert len(new) == 10 and not set(new) & set(old)
        assert not auth.recovery_code_use(user=user, code=old[1])
        assert auth.recovery_code_use(user=user, code=new[0])

    def test_turning_two_factor_off_deletes_the_codes(self, tenant_a, make_user):
        user, _codes = self._enrolled(tenant_a, make_user)
        device = TOTPDevice.objects.get(user=user)
        auth.mfa_disable(user=user, password=TEST_PASSWORD, code=totp_now(device))
        assert not RecoveryCode.objects.filter(user=user).exists()


class TestWording:
    def test_lockout_message_says_how_long(self, tenant_a, make_user):
        from django.utils import timezone

        user = make_user(tenant_a)
        type(user).objects.filter(pk=user.pk).update(
            locked_until=timezone.now() + timezone.timedelta(minutes=14, seconds=30)
        )
        response = page_login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)
        assert "Try again in 15 minutes" in response.content.decode()

    def test_403_does_not_send_a_tenant_admin_to_the_tenant_admin(self, tenant_a, make_user):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(make_user(tenant_a, "admin"))
        page = client.get(reverse("tenants:list")).content.decode()
        assert "ask your tenant administrator" not in page and "platform operator" in page
        requester = Client(HTTP_ACCEPT_LANGUAGE="en")
        requester.force_login(make_user(tenant_a, "user", username="req"))
        assert "ask your tenant administrator" in requester.get(reverse("accounts:users")).content.decode()

    def test_django_admin_sections_are_chinese(self, db):
        root = UserFactory(tenant=None, username="root", email="root@ops.local", is_superuser=True, is_staff=True)
        root.save()
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(root)
        html = client.get("/admin/").content.decode()
        sections = [s.strip() for s in re.findall(r"<caption>\s*<a[^>]*>(.*?)</a>", html, re.S)]
        assert sections and not [s for s in sections if re.search(r"[A-Za-z]{4,}", s)]

    @pytest.mark.parametrize("language", ["zh-hans", "en"])
    def test_one_date_format_per_language(self, language):
        from django.template import Context, Template
        from django.utils import translation

        when = datetime(2026, 11, 30, 16, 17, tzinfo=UTC)  # 00:17 in Shanghai
        with translation.override(language):
            text = Template("{% load portal_ui %}{{ w|portal_datetime }}|{{ w }}").render(Context({"w": when}))
        assert text == "2026-12-01 00:17|2026-12-01 00:17"
