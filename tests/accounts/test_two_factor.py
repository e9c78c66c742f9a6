"""Two-factor enrolment and sign-in, trusted devices, captcha and password reset."""

from __future__ import annotations

import re
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import auth_services as auth
from accounts.models import LoginLog, LoginSession, PasswordResetToken, TrustedDevice
from portal.config import set_config
from tests.accounts.helpers import desk_login, enrol_totp, totp_now, v1_login
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def bearer(client, token):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


class TestEnrolment:
    def test_setup_enable_disable(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        client = api(user)
        # when the user starts enrolment
        setup = client.post("/api/v1/auth/mfa/setup")
        assert setup.status_code == 200
        data = setup.json()["data"]
        # then they get the secret, an otpauth URI and a QR code rendered here (SVG)
        assert data["otpauth_uri"].startswith("otpauth://totp/") and f"secret={data['secret']}" in data["otpauth_uri"]
        assert data["qr_svg"].lstrip().startswith("<?xml") or "<svg" in data["qr_svg"]
        device = TOTPDevice.objects.get(user=user)
        assert device.confirmed is False and b32decode(data["secret"]) == device.bin_key
        # a wrong code does not enable it
        wrong = client.post("/api/v1/auth/mfa/enable", {"code": "000000"}, format="json")
        assert wrong.status_code == 401 and wrong.json()["code"] == 40006
        assert not auth.mfa_enabled(user)
        # the right code does (after the throttle delay of the wrong one)
        with time_machine.travel(timezone.now() + timedelta(seconds=2)):
            ok = client.post("/api/v1/auth/mfa/enable", {"code": totp_now(device)}, format="json")
        assert ok.status_code == 200 and ok.json()["data"]["mfa_enabled"] is True
        assert len(ok.json()["data"]["recovery_codes"]) == auth.RECOVERY_CODE_COUNT  # shown this once
        assert auth.mfa_enabled(user)
        assert client.get("/api/v1/auth/me").json()["data"]["mfa_enabled"] is True
        # setup again is refused while enabled
        assert client.post("/api/v1/auth/mfa/setup").status_code == 409
        # disable needs the password and a fresh code
        bad = client.post("/api/v1/auth/mfa/disable", {"password": "nope", "code": "123456"}, format="json")
        assert bad.status_code == 401 and auth.mfa_enabled(user)
        # a later time step than the enrolment code (codes are single use)
        with time_machine.travel(timezone.now() + timedelta(seconds=61)):
            device.refresh_from_db()
            off = client.post(
                "/api/v1/auth/mfa/disable", {"password": TEST_PASSWORD, "code": totp_now(device)}, format="json"
            )
            assert off.status_code == 200, off.json()
        assert not auth.mfa_enabled(user)

    def test_anonymous_cannot_enrol(self, api, db):
        assert api().post("/api/v1/auth/mfa/setup").status_code == 401
        assert api().post("/api/v1/auth/mfa/enable", {"code": "1"}, format="json").status_code == 401


class TestV1TwoFactorLogin:
    def test_mfa_required_then_verify(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        device = enrol_totp(user)
        # when the password is right
        first = v1_login(api(), user).json()
        # then no tokens yet: an mfa_token for the second step
        assert first["code"] == 200
        assert first["data"]["mfa_required"] is True and first["data"]["mfa_token"]
        assert "access_token" not in first["data"] and not LoginSession.objects.exists()
        # when the code is sent with device_trust
        verify = api().post(
            "/api/v1/auth/mfa/verify",
            {
                "mfa_token": first["data"]["mfa_token"],
                "mfa_type": "totp",
                "code": totp_now(device),
                "device_trust": True,
            },
            format="json",
        )
        assert verify.status_code == 200
        data = verify.json()["data"]
        assert data["access_token"] and data["refresh_token"] and data["user_info"]["id"] == user.pk
        assert data["trusted_device_token"]
        assert LoginLog.objects.filter(user=user, result="success").get().login_method == "password+otp"
        # the mfa_token is single use
        again = api().post(
            "/api/v1/auth/mfa/verify",
            {"mfa_token": first["data"]["mfa_token"], "code": totp_now(device)},
            format="json",
        )
        assert again.status_code == 401
        # next time the trusted device skips the code
        trusted = v1_login(api(), user, device_token=data["trusted_device_token"]).json()["data"]
        assert trusted.get("access_token") and not trusted.get("mfa_required")
        assert LoginLog.objects.filter(user=user, result="success").first().login_method == "password+trusted"

    def test_wrong_codes_are_throttled_and_burn_the_mfa_token(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        device = enrol_totp(user)
        token = v1_login(api(), user).json()["data"]["mfa_token"]
        wrong = api().post("/api/v1/auth/mfa/verify", {"mfa_token": token, "code": "000000"}, format="json")
        assert wrong.status_code == 401 and wrong.json()["code"] == 40006
        # right away, even the right code is throttled
        throttled = api().post("/api/v1/auth/mfa/verify", {"mfa_token": token, "code": totp_now(device)}, format="json")
        assert throttled.status_code == 429 and throttled.json()["code"] == 40007
        assert not LoginSession.objects.exists()
        assert LoginLog.objects.filter(user=user, failure_reason="invalid_otp").count() == 1

    def test_expired_mfa_token_is_refused(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        device = enrol_totp(user)
        token = v1_login(api(), user).json()["data"]["mfa_token"]
        from django.core.cache import cache

        cache.clear()  # what the 5-minute expiry does
        response = api().post("/api/v1/auth/mfa/verify", {"mfa_token": token, "code": totp_now(device)}, format="json")
        assert response.status_code == 401


class TestDeskTwoFactorLogin:
    def test_otp_code_required_and_remember_device(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        device = enrol_totp(user)
        missing = desk_login(api(), user).json()
        assert missing["error_code"] == "MFA_REQUIRED" and missing["code"] == 401
        ok = desk_login(api(), user, otp_code=totp_now(device), remember_device=True, device_name="Personal Mac")
        data = ok.json()["data"]
        assert ok.status_code == 200 and data["trusted_device_token"]
        stored = TrustedDevice.objects.get(user=user)
        # only a hash is stored
        assert stored.token_hash == auth.token_hash(data["trusted_device_token"])
        assert data["trusted_device_token"] not in stored.token_hash and stored.device_name == "Personal Mac"
        assert (stored.expires_at - timezone.now()).days in (29, 30)
        # the token skips the code next time
        again = desk_login(api(), user, device_token=data["trusted_device_token"])
        assert again.status_code == 200
        assert LoginLog.objects.filter(user=user, result="success").first().login_method == "password+trusted"

    def test_reused_code_is_refused(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        device = enrol_totp(user)
        code = totp_now(device)
        assert desk_login(api(), user, otp_code=code).status_code == 200
        assert desk_login(api(), user, otp_code=code).json()["error_code"] == "INVALID_OTP"


class TestTrustedDevices:
    def _trusted(self, api, user):
        device = enrol_totp(user)
        token = desk_login(api(), user, otp_code=totp_now(device), remember_device=True, device_name="Mac").json()
        return token["data"]["trusted_device_token"], token["data"]["access_token"]

    def test_list_and_revoke(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        raw, access = self._trusted(api, user)
        client = bearer(api(), access)
        body = client.get("/api/user/trusted-devices").json()
        assert body["code"] == 0 and len(body["data"]) == 1
        row = body["data"][0]
        assert set(row) == {
            "id",
            "device_name",
            "last_used_at",
            "last_ip",
            "user_agent",
            "expires_at",
            "revoked",
            "created_at",
            "updated_at",
        }
        assert row["revoked"] is False and raw not in str(body)
        revoked = client.delete(f"/api/user/trusted-devices/{row['id']}").json()
        assert revoked == {"code": 0, "msg": revoked["msg"], "data": None}
        assert desk_login(api(), user, device_token=raw).json()["error_code"] == "MFA_REQUIRED"
        assert client.get("/api/user/trusted-devices").json()["data"][0]["revoked"] is True

    def test_other_users_device_is_404_and_untouched(self, tenant_a, tenant_b, make_user, api):
        owner = make_user(tenant_a)
        _raw, _access = self._trusted(api, owner)
        device = TrustedDevice.objects.get(user=owner)
        for intruder in (make_user(tenant_a, "admin"), make_user(tenant_b, "admin")):
            response = api(intruder).delete(f"/api/user/trusted-devices/{device.pk}")
            assert response.status_code == 404
            assert api(intruder).get("/api/user/trusted-devices").json()["data"] == []
        device.refresh_from_db()
        assert device.revoked_at is None
        assert api().delete(f"/api/user/trusted-devices/{device.pk}").status_code == 401

    def test_token_is_bound_to_its_user(self, tenant_a, make_user, api):
        owner = make_user(tenant_a)
        raw, _access = self._trusted(api, owner)
        other = make_user(tenant_a)
        enrol_totp(other)
        assert desk_login(api(), other, device_token=raw).json()["error_code"] == "MFA_REQUIRED"

    def test_expires(self, tenant_a, make_user, api):
        set_config("system.trusted_device.days", 2)
        user = make_user(tenant_a)
        raw, _access = self._trusted(api, user)
        with time_machine.travel(timezone.now() + timedelta(days=3)):
            assert desk_login(api(), user, device_token=raw).json()["error_code"] == "MFA_REQUIRED"

    def test_password_change_revokes_all(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        raw, _access = self._trusted(api, user)
        auth.password_set(user=user, password="An0ther-Passw0rd")
        assert TrustedDevice.objects.get(user=user).revoked_at is not None
        assert desk_login(api(), user, "An0ther-Passw0rd", device_token=raw).json()["error_code"] == "MFA_REQUIRED"


class TestCaptcha:
    def test_captcha_image_and_enforcement(self, tenant_a, make_user, api, monkeypatch):
        set_config("login_captcha_enabled", True)
        user = make_user(tenant_a)
        answers = []
        real_svg = auth._captcha_svg
        monkeypatch.setattr(auth, "_captcha_svg", lambda answer, rng: answers.append(answer) or real_svg(answer, rng))
        body = api().get("/api/v1/auth/captcha").json()["data"]
        assert body["image"].startswith("data:image/svg+xml;base64,") and body["captcha_key"] and body["enabled"]
        # without or with a wrong captcha: 40004, nothing opened
        assert v1_login(api(), user).json()["code"] == 40004
        assert v1_login(api(), user, captcha_key=body["captcha_key"], captcha_code="ZZZZ").json()["code"] == 40004
        assert not LoginSession.objects.exists()
        # the wrong attempt burned that captcha; a fresh one with its answer passes
        body = api().get("/api/v1/auth/captcha").json()["data"]
        ok = v1_login(api(), user, captcha_key=body["captcha_key"], captcha_code=answers[-1].lower())
        assert ok.status_code == 200
        # and it is single use
        reuse = v1_login(api(), user, captcha_key=body["captcha_key"], captcha_code=answers[-1])
        assert reuse.json()["code"] == 40004

    def test_not_enforced_when_disabled(self, tenant_a, make_user, api):
        assert v1_login(api(), make_user(tenant_a)).status_code == 200


class TestPasswordReset:
    def test_reset_link_is_single_use_and_expires(self, tenant_a, make_user, api, django_capture_on_commit_callbacks):
        user = make_user(tenant_a, email="zhang@example.com")
        old = v1_login(api(), user).json()["data"]["access_token"]
        with django_capture_on_commit_callbacks(execute=True):
            response = api().post(
                "/api/v1/auth/password/reset",
                {"tenant_code": tenant_a.code, "email": "zhang@example.com", "reset_type": "email"},
                format="json",
            )
        assert response.status_code == 200 and len(mail.outbox) == 1
        token = re.search(r"token=([\w-]+)", mail.outbox[0].body).group(1)
        assert PasswordResetToken.objects.get().token_hash == auth.token_hash(token)
        # a weak password is refused and changes nothing
        weak = api().post(
            "/api/v1/auth/password/reset/confirm", {"token": token, "new_password": "short"}, format="json"
        )
        assert weak.status_code == 400 and weak.json()["data"]["errors"][0]["field"] == "new_password"
        user.refresh_from_db()
        assert user.check_password(TEST_PASSWORD)
        # a good one works, ends the sessions, and the link cannot be used twice
        ok = api().post(
            "/api/v1/auth/password/reset/confirm", {"token": token, "new_password": "Brand-N3w-pass"}, format="json"
        )
        assert ok.status_code == 200
        user.refresh_from_db()
        assert user.check_password("Brand-N3w-pass") and user.last_password_reset is not None
        assert bearer(api(), old).get("/api/v1/auth/me").status_code == 401
        twice = api().post(
            "/api/v1/auth/password/reset/confirm", {"token": token, "new_password": "Other-N3w-pass"}, format="json"
        )
        assert twice.status_code == 401

    def test_expired_link(self, tenant_a, make_user, api, django_capture_on_commit_callbacks):
        user = make_user(tenant_a, email="li@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            api().post("/api/v1/auth/password/reset", {"email": "li@example.com"}, format="json")
        token = re.search(r"token=([\w-]+)", mail.outbox[0].body).group(1)
        with time_machine.travel(timezone.now() + timedelta(minutes=31)):
            response = api().post(
                "/api/v1/auth/password/reset/confirm", {"token": token, "new_password": "Brand-N3w-pass"}, format="json"
            )
        assert response.status_code == 401
        user.refresh_from_db()
        assert user.check_password(TEST_PASSWORD)

    def test_unknown_email_answers_the_same_and_sends_nothing(self, db, api):
        response = api().post("/api/v1/auth/password/reset", {"email": "nobody@example.com"}, format="json")
        assert response.status_code == 200 and mail.outbox == []

    def test_policy_from_config(self, tenant_a, make_user):
        set_config("system.password.min_length", 12)
        set_config("system.password.require_special", True)
        errors = auth.password_policy_errors("Abcdef12", tenant=tenant_a)
        assert len(errors) == 2
        assert auth.password_policy_errors("Abcdef12345!", tenant=tenant_a) == []
        assert len(auth.password_policy_errors("abcdefghijkl!", tenant=tenant_a)) == 2  # upper + digit
