"""Sign-in, sessions and tokens of both contracts: fields, refusals, lockout, rotation, and
"a token dies on the very next request" after logout / forced logout / deactivation / password change."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.auth_services import password_set, session_end
from accounts.models import LoginLog, LoginSession, SessionEndReason, User, UserStatus
from portal.config import set_config
from tests.accounts.helpers import desk_login, v1_login
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "N3w-Passw0rd!"


def bearer(client, token):
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


class TestV1Login:
    def test_success_returns_tokens_and_user_info(self, tenant_a, make_user, api):
        # given an agent of tenant A
        user = make_user(tenant_a, "agent")
        # when they sign in with tenant code, username and password
        response = v1_login(api(), user, device_info={"device_id": "d1", "device_name": "Chrome", "os": "Windows"})
        # then the v1 envelope carries both tokens and user_info with roles and permissions
        assert response.status_code == 200
        body = response.json()
        assert body["code"] == 200 and body["trace_id"] and body["timestamp"]
        data = body["data"]
        assert data["access_token"] and data["refresh_token"] and data["expires_in"] == 7200
        info = data["user_info"]
        assert info["id"] == user.pk and info["username"] == user.username and info["tenant_id"] == tenant_a.pk
        assert info["tenant_name"] == tenant_a.name and info["roles"] == ["agent"]
        assert "ticket:process" in info["permissions"] and "user:create" not in info["permissions"]
        # and a session and a success log row were written, with the device
        session = LoginSession.objects.get(user=user)
        log = LoginLog.objects.get(user=user)
        assert log.result == "success" and log.login_method == "password" and log.session == session
        assert log.device_info["device_id"] == "d1" and log.ip_address == "127.0.0.1"
        # and the access token works
        me = bearer(api(), data["access_token"]).get("/api/v1/auth/me")
        assert me.status_code == 200 and me.json()["data"]["username"] == user.username

    def test_wrong_password_is_40001_and_logged_without_the_password(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        response = v1_login(api(), user, password="wrong-Passw0rd")
        assert response.status_code == 401
        assert response.json()["code"] == 40001
        log = LoginLog.objects.get(user=user)
        assert log.result == "failure" and log.failure_reason == "wrong_password"
        assert "wrong-Passw0rd" not in str(log.__dict__)
        assert not LoginSession.objects.exists()

    def test_unknown_user_is_40001(self, tenant_a, api):
        response = api().post(
            "/api/v1/auth/login", {"tenant_code": tenant_a.code, "username": "ghost", "password": "x"}, format="json"
        )
        assert response.status_code == 401 and response.json()["code"] == 40001
        assert LoginLog.objects.get().failure_reason == "unknown_user"

    @pytest.mark.parametrize("status", [2, 3])
    def test_disabled_or_expired_tenant_is_40003(self, tenant_a, make_user, api, status):
        user = make_user(tenant_a)
        tenant_a.status = status
        tenant_a.save()
        response = v1_login(api(), user)
        assert response.status_code == 403 and response.json()["code"] == 40003
        assert not LoginSession.objects.exists()

    def test_past_expiry_time_is_40003(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        tenant_a.expire_time = timezone.now() - timedelta(minutes=1)
        tenant_a.save()
        assert v1_login(api(), user).json()["code"] == 40003

    def test_unknown_tenant_is_40003(self, api, db):
        response = api().post(
            "/api/v1/auth/login", {"tenant_code": "nope", "username": "a", "password": "b"}, format="json"
        )
        assert response.json()["code"] == 40003

    def test_inactive_user_cannot_sign_in(self, tenant_a, make_user, api):
        user = make_user(tenant_a, status=UserStatus.INACTIVE)
        assert v1_login(api(), user).json()["code"] == 40001
        assert LoginLog.objects.get().failure_reason == "user_inactive"

    def test_missing_fields_are_400_with_errors(self, api, db):
        response = api().post("/api/v1/auth/login", {"username": "a"}, format="json")
        assert response.status_code == 400
        fields = {e["field"] for e in response.json()["data"]["errors"]}
        assert {"tenant_code", "password"} <= fields


class TestDeskLogin:
    def test_success_uses_code_msg_envelope(self, tenant_a, make_user, api):
        user = make_user(tenant_a, "supervisor")
        response = desk_login(api(), user)
        assert response.status_code == 200
        body = response.json()
        assert body["code"] == 0 and body["msg"] == "Login successful"
        data = body["data"]
        assert data["user"] == {"id": user.pk, "username": user.username, "email": user.email, "role": "supervisor"}
        assert data["token_type"] == "Bearer" and data["expires_in"] == 7200
        assert data["access_token"] and data["refresh_token"]
        assert "trusted_device_token" not in data

    def test_wrong_password_carries_both_error_shapes(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        body = desk_login(api(), user, password="nope").json()
        assert body["success"] is False and body["error_code"] == "INVALID_CREDENTIALS"
        assert body["code"] == 401 and body["msg"]

    def test_me_and_logout(self, tenant_a, make_user, api):
        user = make_user(tenant_a, first_name="三", last_name="张")
        token = desk_login(api(), user).json()["data"]["access_token"]
        client = bearer(api(), token)
        me = client.get("/api/auth/me").json()
        assert me["success"] is True
        assert set(me["data"]) == {
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "role",
            "status",
            "created_at",
            "updated_at",
        }
        assert me["data"]["role"] == "user" and me["data"]["status"] == "active"
        out = client.post("/api/auth/logout")
        assert out.status_code == 200 and out.json()["success"] is True
        # the very next request with the same token is refused
        assert client.get("/api/auth/me").status_code == 401
        assert LoginSession.objects.get(user=user).end_reason == SessionEndReason.LOGOUT

    def test_anonymous_me_is_401(self, api, db):
        assert api().get("/api/auth/me").status_code == 401
        assert api().get("/api/v1/auth/me").status_code == 401


class TestTokenDiesOnNextRequest:
    def _signed_in(self, api, user):
        data = v1_login(api(), user).json()["data"]
        return bearer(api(), data["access_token"]), data

    def test_v1_logout(self, tenant_a, make_user, api):
        client, _data = self._signed_in(api, make_user(tenant_a))
        assert client.post("/api/v1/auth/logout").json()["code"] == 200
        assert client.get("/api/v1/auth/me").status_code == 401

    def test_forced_logout(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        client, _data = self._signed_in(api, user)
        session_end(session=LoginSession.objects.get(user=user), reason=SessionEndReason.FORCED)
        assert client.get("/api/v1/auth/me").status_code == 401

    def test_deactivation(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        client, _data = self._signed_in(api, user)
        User.objects.filter(pk=user.pk).update(status=UserStatus.INACTIVE)
        assert client.get("/api/v1/auth/me").status_code == 401

    def test_password_change_ends_sessions_and_refresh(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        client, data = self._signed_in(api, user)
        password_set(user=user, password=NEW_PASSWORD)
        assert client.get("/api/v1/auth/me").status_code == 401
        refreshed = api().post("/api/v1/auth/refresh", {"refresh_token": data["refresh_token"]}, format="json")
        assert refreshed.status_code == 401

    def test_token_without_session_is_refused(self, tenant_a, make_user, api):
        from rest_framework_simplejwt.tokens import AccessToken

        token = str(AccessToken.for_user(make_user(tenant_a)))
        assert bearer(api(), token).get("/api/v1/auth/me").status_code == 401

    def test_expired_session_is_refused(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        client, _data = self._signed_in(api, user)
        LoginSession.objects.filter(user=user).update(expires_at=timezone.now() - timedelta(seconds=1))
        assert client.get("/api/v1/auth/me").status_code == 401


class TestRefresh:
    def test_v1_rotation_refuses_the_used_token(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        data = v1_login(api(), user).json()["data"]
        first = api().post("/api/v1/auth/refresh", {"refresh_token": data["refresh_token"]}, format="json")
        assert first.status_code == 200
        new = first.json()["data"]
        assert new["access_token"] and new["refresh_token"] != data["refresh_token"] and new["expires_in"]
        again = api().post("/api/v1/auth/refresh", {"refresh_token": data["refresh_token"]}, format="json")
        assert again.status_code == 401
        # the new pair belongs to the same session and works
        assert bearer(api(), new["access_token"]).get("/api/v1/auth/me").status_code == 200
        assert LoginSession.objects.filter(user=user).count() == 1

    def test_desk_refresh_token_in_authorization_header(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        data = desk_login(api(), user).json()["data"]
        response = bearer(api(), data["refresh_token"]).post("/api/auth/refresh")
        assert response.status_code == 200
        body = response.json()
        assert body["code"] == 0 and body["msg"] == "Refresh token successful"
        assert set(body["data"]) == {"access_token", "refresh_token", "expires_in", "token_type"}
        # used again: refused, in the code_msg error shape
        again = bearer(api(), data["refresh_token"]).post("/api/auth/refresh")
        assert again.status_code == 401 and again.json()["error_code"] == "INVALID_TOKEN"

    def test_desk_refresh_token_in_body(self, tenant_a, make_user, api):
        data = desk_login(api(), make_user(tenant_a)).json()["data"]
        response = api().post("/api/auth/refresh", {"refresh_token": data["refresh_token"]}, format="json")
        assert response.status_code == 200

    def test_access_token_is_not_a_refresh_token(self, tenant_a, make_user, api):
        data = v1_login(api(), make_user(tenant_a)).json()["data"]
        response = api().post("/api/v1/auth/refresh", {"refresh_token": data["access_token"]}, format="json")
        assert response.status_code == 401

    def test_refresh_after_logout_is_refused(self, tenant_a, make_user, api):
        data = v1_login(api(), make_user(tenant_a)).json()["data"]
        bearer(api(), data["access_token"]).post("/api/v1/auth/logout")
        response = api().post("/api/v1/auth/refresh", {"refresh_token": data["refresh_token"]}, format="json")
        assert response.status_code == 401


class TestLockout:
    def test_locks_after_max_attempts_even_for_the_right_password(self, tenant_a, make_user, api):
        # given max_attempts = 3
        set_config("system.login.max_attempts", 3)
        user = make_user(tenant_a)
        # when 3 wrong passwords arrive
        codes = [v1_login(api(), user, password="bad").json()["code"] for _ in range(3)]
        assert codes == [40001, 40001, 40001]
        # then the 4th attempt is locked, even with the right password
        response = v1_login(api(), user)
        assert response.status_code == 403 and response.json()["code"] == 40002
        assert desk_login(api(), user).json()["error_code"] == "ACCOUNT_LOCKED"
        assert LoginLog.objects.filter(failure_reason="account_locked").count() == 2

    def test_lock_expires_after_lockout_minutes(self, tenant_a, make_user, api):
        set_config("system.login.max_attempts", 2)
        set_config("system.login.lockout_minutes", 10)
        user = make_user(tenant_a)
        for _ in range(3):
            v1_login(api(), user, password="bad")
        assert v1_login(api(), user).json()["code"] == 40002
        with time_machine.travel(timezone.now() + timedelta(minutes=11)):
            assert v1_login(api(), user).status_code == 200
        user.refresh_from_db()
        assert user.failed_login_count == 0 and user.locked_until is None

    def test_success_resets_the_counter(self, tenant_a, make_user, api):
        set_config("system.login.max_attempts", 3)
        user = make_user(tenant_a)
        v1_login(api(), user, password="bad")
        v1_login(api(), user, password="bad")
        assert v1_login(api(), user).status_code == 200
        assert [v1_login(api(), user, password="bad").json()["code"] for _ in range(3)] == [40001] * 3


class TestLoginHistory:
    def test_desk_history_lists_own_attempts_with_filters(self, tenant_a, make_user, api):
        user = make_user(tenant_a)
        other = make_user(tenant_a)
        desk_login(api(), user, password="bad")
        token = desk_login(api(HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile"), user).json()
        desk_login(api(), other)
        client = bearer(api(), token["data"]["access_token"])
        body = client.get("/api/user/login-history").json()
        assert body["code"] == 0
        items = body["data"]["items"]
        assert body["data"]["pagination"] == {"page": 1, "page_size": 20, "total": 2}
        assert {i["status"] for i in items} == {"success", "failure"}
        latest = items[0]
        assert latest["login_method"] == "password" and latest["is_active"] is True
        assert latest["device_info"] == "mobile - iOS" and latest["ip_address"] == "127.0.0.1"
        # filters
        assert client.get("/api/user/login-history?status=failure").json()["data"]["pagination"]["total"] == 1
        assert client.get("/api/user/login-history?device_type=mobile").json()["data"]["pagination"]["total"] == 1
        assert client.get("/api/user/login-history?is_active=true").json()["data"]["pagination"]["total"] == 1
        assert client.get("/api/user/login-history?login_method=password+otp").json()["data"]["items"] == []
        sid = latest["session_id"]
        assert client.get(f"/api/user/login-history?session_id={sid}").json()["data"]["pagination"]["total"] == 1
        today = timezone.localdate().isoformat()
        assert (
            client.get(f"/api/user/login-history?start_date={today}&end_date={today}").json()["data"]["pagination"][
                "total"
            ]
            == 2
        )
        assert client.get("/api/user/login-history?end_date=2000-01-01").json()["data"]["pagination"]["total"] == 0
        page = client.get("/api/user/login-history?page=2&page_size=1").json()["data"]
        assert page["pagination"] == {"page": 2, "page_size": 1, "total": 2} and len(page["items"]) == 1

    def test_anonymous_is_401(self, api, db):
        assert api().get("/api/user/login-history").status_code == 401


class TestRegister:
    def test_disabled_by_default(self, api, db):
        response = api().post(
            "/api/auth/register", {"username": "u", "email": "u@x.test", "password": "Aa1aaaaa!"}, format="json"
        )
        assert response.status_code == 403
        assert not User.objects.filter(email="u@x.test").exists()

    def test_registers_into_the_configured_tenant(self, tenant_a, api):
        set_config("system.register.tenant_code", tenant_a.code)
        body = {
            "username": "user123",
            "email": "user@example.com",
            "password": "Password123!",
            "first_name": "张",
            "last_name": "三",
            "phone": "13800138000",
        }
        response = api().post("/api/auth/register", body, format="json")
        assert response.status_code == 201
        data = response.json()["data"]
        assert data["user"]["role"] == "user" and data["user"]["status"] == "active"
        assert data["token"] and data["expires_at"]
        user = User.objects.get(email="user@example.com")
        assert user.tenant == tenant_a and user.phone == "13800138000"
        assert bearer(api(), data["token"]).get("/api/auth/me").status_code == 200

    def test_weak_password_refused(self, tenant_a, api):
        set_config("system.register.tenant_code", tenant_a.code)
        response = api().post(
            "/api/auth/register", {"username": "u", "email": "u@x.test", "password": "short"}, format="json"
        )
        assert response.status_code == 422 and response.json()["error_code"] == "VALIDATION_FAILED"
        assert not User.objects.filter(email="u@x.test").exists()

    def test_duplicate_email_refused(self, tenant_a, make_user, api):
        set_config("system.register.tenant_code", tenant_a.code)
        existing = make_user(tenant_a, email="taken@example.com")
        response = api().post(
            "/api/auth/register", {"username": "zz", "email": existing.email, "password": TEST_PASSWORD}, format="json"
        )
        assert response.status_code == 409


def test_login_calls_are_rate_limited(tenant_a, api):
    # given the per-address sign-in limit (system.login.rate_per_ip) lowered for the test
    set_config("system.login.rate_per_ip", 3)
    body = {"tenant_code": tenant_a.code, "username": "ghost", "password": "x"}
    codes = [api().post("/api/v1/auth/login", body, format="json").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_remember_me_keeps_the_session_as_long_as_the_refresh_token(tenant_a, make_user, api):
    from django.conf import settings

    user = make_user(tenant_a)
    v1_login(api(), user)
    v1_login(api(), user, remember_me=True)
    short, long = LoginSession.objects.filter(user=user).order_by("id")
    assert not short.remember_me and long.remember_me
    assert (short.expires_at - short.created_at).total_seconds() == 7200  # system.session.timeout
    lifetime = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"].total_seconds()
    assert (long.expires_at - long.created_at).total_seconds() == lifetime


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/auth/logout"),
        ("get", "/api/v1/auth/me"),
        ("post", "/api/v1/auth/mfa/setup"),
        ("post", "/api/v1/auth/mfa/enable"),
        ("post", "/api/v1/auth/mfa/disable"),
        ("post", "/api/auth/logout"),
        ("get", "/api/auth/me"),
        ("get", "/api/user/trusted-devices"),
        ("delete", "/api/user/trusted-devices/1"),
        ("get", "/api/user/login-history"),
    ],
)
def test_signed_in_calls_refuse_anonymous(method, path, api, db):
    response = getattr(api(), method)(path)
    assert response.status_code == 401
    body = response.json()
    assert body.get("code") == 401 or body.get("error_code") == "AUTHENTICATION_REQUIRED"
