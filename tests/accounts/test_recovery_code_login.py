"""A recovery code in place of the TOTP code on every sign-in path (issue 13 point 7): the desk
contract's one-step login (``otp_code``), the v1 second step (``mfa/verify``), and v1
enrolment handing the codes out once. Each code works once; a wrong one changes nothing."""

from __future__ import annotations

import pytest

from accounts import auth_services as auth
from accounts.models import LoginLog, LoginSession, RecoveryCode
from portal.notifications.models import Notification
from tests.accounts.helpers import desk_login, enrol_totp, totp_now, v1_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(tenant_a, make_user):
    user = make_user(tenant_a, "agent", username="carol")
    enrol_totp(user)
    return user


@pytest.fixture
def codes(carol):
    return auth.recovery_codes_generate(user=carol)


def unused(user) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


class TestDeskOneStepLogin:
    def test_recovery_code_signs_in_once_and_is_logged_as_such(self, api, carol, codes):
        response = desk_login(api(), carol, otp_code=codes[0])
        assert response.status_code == 200 and response.json()["data"]["access_token"]
        assert unused(carol) == len(codes) - 1
        assert LoginLog.objects.filter(user=carol, result="success").get().login_method == "password+recovery"
        assert LoginSession.objects.get(user=carol).login_method == "password+recovery"
        # the owner is told, through the notice nobody can mute
        notice = Notification.objects.get(recipient=carol, type="security")
        assert notice.in_app and "9" in notice.message
        # the login history of the desk contract shows the method
        history = api(carol).get("/api/user/login-history").json()["data"]["items"]
        assert "password+recovery" in {row["login_method"] for row in history}

        # the same code again: refused, nothing more spent, no session opened
        again = desk_login(api(), carol, otp_code=codes[0])
        assert again.status_code == 401 and again.json()["error_code"] == "INVALID_OTP"
        assert unused(carol) == len(codes) - 1
        assert LoginSession.objects.filter(user=carol, login_method="password+recovery").count() == 1
        refused = LoginLog.objects.filter(user=carol, result="failure").get()
        assert refused.login_method == "password+recovery" and refused.failure_reason == "invalid_otp"

    def test_wrong_code_is_refused_and_changes_nothing(self, api, carol, codes):
        response = desk_login(api(), carol, otp_code="abcde-fghjk")
        assert response.status_code == 401 and response.json()["error_code"] == "INVALID_OTP"
        assert unused(carol) == len(codes)
        assert not LoginSession.objects.filter(user=carol).exists()
        assert not Notification.objects.filter(recipient=carol).exists()

    def test_another_users_code_does_not_work(self, api, carol, codes, tenant_a, make_user):
        dave = make_user(tenant_a, "agent", username="dave")
        enrol_totp(dave)
        auth.recovery_codes_generate(user=dave)
        assert desk_login(api(), dave, otp_code=codes[1]).status_code == 401
        assert unused(carol) == len(codes) and not LoginSession.objects.filter(user=dave).exists()

    def test_totp_still_works_and_is_logged_as_otp(self, api, carol, codes):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        response = desk_login(api(), carol, otp_code=totp_now(TOTPDevice.objects.get(user=carol)))
        assert response.status_code == 200
        assert LoginSession.objects.get(user=carol).login_method == "password+otp"
        assert unused(carol) == len(codes)


class TestV1SecondStep:
    def _mfa_token(self, api, user) -> str:
        first = v1_login(api(), user).json()["data"]
        assert first["mfa_required"] is True
        return first["mfa_token"]

    def test_verify_accepts_a_recovery_code_once(self, api, carol, codes):
        token = self._mfa_token(api, carol)
        ok = api().post(
            "/api/v1/auth/mfa/verify",
            {"mfa_token": token, "mfa_type": "recovery_code", "code": codes[2].upper()},
            format="json",
        )
        assert ok.status_code == 200 and ok.json()["data"]["access_token"]
        assert LoginSession.objects.get(user=carol).login_method == "password+recovery"
        assert unused(carol) == len(codes) - 1
        # reused with a fresh challenge: refused, nothing changed
        token = self._mfa_token(api, carol)
        again = api().post("/api/v1/auth/mfa/verify", {"mfa_token": token, "code": codes[2]}, format="json")
        assert again.status_code == 401 and again.json()["code"] == 40006
        assert unused(carol) == len(codes) - 1 and LoginSession.objects.filter(user=carol).count() == 1

    def test_wrong_recovery_code_changes_nothing(self, api, carol, codes):
        token = self._mfa_token(api, carol)
        wrong = api().post("/api/v1/auth/mfa/verify", {"mfa_token": token, "code": "zzzzz-zzzzz"}, format="json")
        assert wrong.status_code == 401 and wrong.json()["code"] == 40006
        assert unused(carol) == len(codes) and not LoginSession.objects.exists()


def test_v1_enable_returns_the_recovery_codes_once(api, tenant_a, make_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user(tenant_a)
    client = api(user)
    client.post("/api/v1/auth/mfa/setup")
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/api/v1/auth/mfa/enable", {"code": totp_now(device)}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["mfa_enabled"] is True  # the documented field is unchanged
    assert len(data["recovery_codes"]) == auth.RECOVERY_CODE_COUNT == unused(user)
    # only hashes are stored, and each returned code signs in
    assert not RecoveryCode.objects.filter(code_hash__in=data["recovery_codes"]).exists()
    assert desk_login(api(), user, otp_code=data["recovery_codes"][0]).status_code == 200
    # a second enable is refused and hands out nothing
    refused = client.post("/api/v1/auth/mfa/enable", {"code": "123456"}, format="json")
    assert refused.status_code == 409 and "recovery_codes" not in (refused.json().get("data") or {})
