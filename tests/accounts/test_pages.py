"""Portal pages of the identity domain, through Django's test client."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import auth_services as auth
from accounts.models import Department, LoginLog, LoginSession, Role, TrustedDevice, User, UserStatus
from accounts.views import TRUST_COOKIE
from tests.accounts.helpers import enrol_totp, totp_now
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def page_login(client, user, password=TEST_PASSWORD):
    return client.post(
        reverse("accounts:login"), {"tenant_code": user.tenant.code, "username": user.username, "password": password}
    )


class TestLoginPages:
    def test_password_login_opens_a_session_and_logs_it(self, tenant_a, make_user):
        user = make_user(tenant_a)
        client = Client()
        response = page_login(client, user)
        assert response.status_code == 302
        session = LoginSession.objects.get(user=user)
        assert session.channel == "web" and client.session["login_sid"] == session.key
        assert LoginLog.objects.get(user=user).login_method == "password"
        assert client.get(reverse("accounts:profile")).status_code == 200

    def test_wrong_password_shows_error_and_counts_towards_lockout(self, tenant_a, make_user):
        user = make_user(tenant_a)
        response = page_login(Client(), user, password="bad")
        assert response.status_code == 200 and "form" in response.context
        user.refresh_from_db()
        assert user.failed_login_count == 1

    def test_two_factor_step_and_trusted_cookie(self, tenant_a, make_user):
        user = make_user(tenant_a)
        device = enrol_totp(user)
        client = Client()
        step1 = page_login(client, user)
        assert step1.status_code == 302 and step1["Location"] == reverse("accounts:login-otp")
        assert not LoginSession.objects.exists()
        # a wrong code keeps the user on step 2
        wrong = client.post(reverse("accounts:login-otp"), {"code": "000000"})
        assert wrong.status_code == 200 and not LoginSession.objects.exists()
        # after the throttle delay, the right code with "trust this device"
        TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
        device.refresh_from_db()
        ok = client.post(reverse("accounts:login-otp"), {"code": totp_now(device), "trust_device": "on"})
        assert ok.status_code == 302
        cookie = ok.cookies[TRUST_COOKIE]
        assert cookie["httponly"] and TrustedDevice.objects.get(user=user).token_hash == auth.token_hash(cookie.value)
        assert LoginSession.objects.get(user=user).login_method == "password+otp"
        # a fresh browser with the cookie skips the code
        other = Client()
        other.cookies[TRUST_COOKIE] = cookie.value
        again = page_login(other, user)
        assert again.status_code == 302 and again["Location"] != reverse("accounts:login-otp")
        assert LoginSession.objects.filter(user=user, login_method="password+trusted").count() == 1

    def test_step_two_refuses_a_tenant_disabled_since_step_one(self, tenant_a, make_user):
        # given a user past the password step
        user = make_user(tenant_a)
        device = enrol_totp(user)
        client = Client()
        assert page_login(client, user)["Location"] == reverse("accounts:login-otp")
        # when the tenant is disabled before the code is entered
        tenant_a.status = 2
        tenant_a.save(update_fields=["status"])
        response = client.post(reverse("accounts:login-otp"), {"code": totp_now(device)})
        # then the right code signs nobody in: back to step one, no session
        assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
        assert not LoginSession.objects.exists()

    def test_wrong_codes_are_counted_by_the_service_and_logged(self, tenant_a, make_user):
        user = make_user(tenant_a)
        device = enrol_totp(user)
        client = Client()
        page_login(client, user)
        for _ in range(auth.MFA_TOKEN_MAX_ATTEMPTS):
            # past django-otp's throttle delay each time, so every code is really checked
            TOTPDevice.objects.filter(pk=device.pk).update(
                throttling_failure_count=0, throttling_failure_timestamp=None
            )
            client.post(reverse("accounts:login-otp"), {"code": "000000"})
        # the challenge is used up: the next try goes back to the password step
        response = client.post(reverse("accounts:login-otp"), {"code": "000000"})
        assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
        failures = LoginLog.objects.filter(user=user, failure_reason="invalid_otp")
        assert failures.count() == auth.MFA_TOKEN_MAX_ATTEMPTS
        assert not LoginSession.objects.exists()

    def test_step_two_without_step_one_goes_back(self, db):
        response = Client().get(reverse("accounts:login-otp"))
        assert response.status_code == 302 and response["Location"] == reverse("accounts:login")

    def test_ended_session_signs_the_page_out(self, tenant_a, make_user):
        user = make_user(tenant_a)
        client = Client()
        page_login(client, user)
        auth.session_end(session=LoginSession.objects.get(user=user), reason="forced")
        response = client.get(reverse("accounts:profile"))
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]

    def test_logout_ends_the_login_session(self, tenant_a, make_user):
        user = make_user(tenant_a)
        client = Client()
        page_login(client, user)
        client.post(reverse("accounts:logout"))
        assert LoginSession.objects.get(user=user).ended_at is not None


class TestSelfServicePages:
    def test_mfa_enrolment_page(self, tenant_a, make_user):
        user = make_user(tenant_a)
        client = Client()
        page_login(client, user)
        setup = client.post(reverse("accounts:mfa"), {"action": "setup"})
        assert b"<svg" in setup.content and b"mfa-secret" in setup.content
        device = TOTPDevice.objects.get(user=user)
        client.post(reverse("accounts:mfa"), {"action": "enable", "code": totp_now(device)})
        assert auth.mfa_enabled(user)

    def test_devices_and_sessions_revoke_only_own(self, tenant_a, make_user):
        user, other = make_user(tenant_a), make_user(tenant_a)
        raw = auth.trusted_device_create(user=other, info=auth.ClientInfo())
        other_session = auth.session_open(user=other, method="password", info=auth.ClientInfo())
        client = Client()
        page_login(client, user)
        device = TrustedDevice.objects.get(user=other)
        assert client.post(reverse("accounts:devices"), {"device_id": device.pk}).status_code == 404
        assert client.post(reverse("accounts:sessions"), {"session_id": other_session.key}).status_code == 404
        device.refresh_from_db()
        other_session.refresh_from_db()
        assert device.revoked_at is None and other_session.ended_at is None and raw
        mine = auth.session_open(user=user, method="password", info=auth.ClientInfo())
        assert client.post(reverse("accounts:sessions"), {"session_id": mine.key}).status_code == 302
        mine.refresh_from_db()
        assert mine.ended_at is not None
        assert b"<table" in client.get(reverse("accounts:sessions")).content
        assert client.get(reverse("accounts:devices")).status_code == 200

    def test_password_change_page_applies_policy(self, tenant_a, make_user):
        user = make_user(tenant_a)
        client = Client()
        page_login(client, user)
        weak = client.post(reverse("accounts:profile"), {"old_password": TEST_PASSWORD, "new_password": "weak"})
        assert weak.status_code == 200
        user.refresh_from_db()
        assert user.check_password(TEST_PASSWORD)
        ok = client.post(reverse("accounts:profile"), {"old_password": TEST_PASSWORD, "new_password": "Str0ng-Pass!"})
        assert ok.status_code == 302
        user.refresh_from_db()
        assert user.check_password("Str0ng-Pass!")


def platform_admin():
    user = UserFactory(tenant=None, username="root", email="root@ops.local", is_superuser=True)
    user.save()  # the factory skips the post-generation save when there is no tenant
    return user


ADMIN_PAGES = [
    ("accounts:users", "user:read"),
    ("accounts:roles", "role:read"),
    ("accounts:departments", "department:read"),
    ("tenants:list", "system:tenant:read"),
]


@pytest.mark.parametrize(("name", "permission"), ADMIN_PAGES)
def test_admin_pages_matrix(name, permission, tenant_a, make_user):
    url = reverse(name)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]
    plain = Client()
    page_login(plain, make_user(tenant_a, "user"))
    assert plain.get(url).status_code == 403
    allowed = Client()
    if permission.startswith("system:tenant"):
        allowed.force_login(platform_admin())
    else:
        page_login(allowed, make_user(tenant_a, "admin"))
    assert allowed.get(url).status_code == 200


class TestAdminPages:
    def _admin(self, tenant, make_user):
        client = Client()
        admin = make_user(tenant, "admin")
        page_login(client, admin)
        return client, admin

    def test_users_page_create_and_deactivate(self, tenant_a, tenant_b, make_user):
        client, _admin = self._admin(tenant_a, make_user)
        foreign = make_user(tenant_b, username="foreigner")
        agent = Role.objects.get(tenant=tenant_a, code="agent")
        response = client.post(
            reverse("accounts:users"),
            {
                "username": "pageuser",
                "email": "pageuser@example.com",
                "password": "Str0ng-Pass!",
                "user_type": "internal",
                "status": "active",
                "roles": [agent.pk],
            },
        )
        assert response.status_code == 302
        created = User.objects.get(username="pageuser")
        assert created.role_codes == ["agent"]
        assert b"foreigner" not in client.get(reverse("accounts:users")).content
        assert (
            client.post(
                reverse("accounts:users"), {"action": "status", "user_id": foreign.pk, "status": "inactive"}
            ).status_code
            == 404
        )
        foreign.refresh_from_db()
        assert foreign.status == UserStatus.ACTIVE
        client.post(reverse("accounts:users"), {"action": "status", "user_id": created.pk, "status": "inactive"})
        created.refresh_from_db()
        assert created.status == UserStatus.INACTIVE

    def test_roles_page_permission_picker(self, tenant_a, make_user):
        from accounts.models import Permission

        client, _admin = self._admin(tenant_a, make_user)
        page = client.get(reverse("accounts:roles")).content.decode()
        assert 'name="permissions"' in page and "system:tenant:create" not in page
        codes = Permission.objects.filter(code__in=["ticket:read", "knowledge:read"])
        response = client.post(
            reverse("accounts:roles"),
            {"role_code": "viewer", "role_name": "只读", "permissions": [p.pk for p in codes]},
        )
        assert response.status_code == 302
        assert set(Role.objects.get(tenant=tenant_a, code="viewer").permissions.values_list("code", flat=True)) == {
            "ticket:read",
            "knowledge:read",
        }

    def test_departments_page_tree(self, tenant_a, make_user):
        client, _admin = self._admin(tenant_a, make_user)
        client.post(reverse("accounts:departments"), {"code": "hq", "name": "总部"})
        hq = Department.objects.get(tenant=tenant_a, code="hq")
        client.post(reverse("accounts:departments"), {"code": "it", "name": "信息部", "parent": hq.pk})
        assert Department.objects.get(tenant=tenant_a, code="it").parent == hq
        page = client.get(reverse("accounts:departments")).content.decode()
        assert "总部" in page and 'data-level="1"' in page

    def test_tenants_page_create(self, db):
        client = Client()
        client.force_login(platform_admin())
        response = client.post(
            reverse("tenants:list"),
            {
                "tenant_code": "pagetenant",
                "tenant_name": "页面租户",
                "max_users": 10,
                "admin_username": "admin",
                "admin_email": "admin@pagetenant.example.com",
                "admin_password": "Str0ng-Pass!",
            },
        )
        assert response.status_code == 302
        assert User.objects.get(tenant__code="pagetenant").role_codes == ["admin"]


def test_django_admin_lists_identity_models(db):
    from django.test import Client

    root = platform_admin()
    root.is_staff = True
    root.save()
    client = Client()
    client.force_login(root)
    for model in (
        "loginsession",
        "loginlog",
        "permissionchangelog",
        "trusteddevice",
        "scheduledstatuschange",
        "passwordresettoken",
        "user",
        "role",
        "department",
    ):
        assert client.get(f"/admin/accounts/{model}/").status_code == 200, model
    assert client.get("/admin/tenants/tenant/").status_code == 200


def test_django_admin_password_change_ends_sessions(tenant_a, make_user):
    root = platform_admin()
    root.is_staff = True
    root.save()
    user = make_user(tenant_a)
    session = auth.session_open(user=user, method="password", info=auth.ClientInfo())
    client = Client()
    client.force_login(root)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "Adm1n-Set-Pass", "password2": "Adm1n-Set-Pass", "usable_password": "true"},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.ended_at is not None


def test_page_login_enforces_captcha_when_enabled(tenant_a, make_user, monkeypatch):
    from portal.config import set_config

    set_config("login_captcha_enabled", True)
    user = make_user(tenant_a)
    answers = []
    real_svg = auth._captcha_svg
    monkeypatch.setattr(auth, "_captcha_svg", lambda answer, rng: answers.append(answer) or real_svg(answer, rng))
    client = Client()
    page = client.get(reverse("accounts:login"))
    assert b'id="captcha"' in page.content
    key = page.context["form"].initial["captcha_key"]
    wrong = client.post(
        reverse("accounts:login"),
        {
            "tenant_code": tenant_a.code,
            "username": user.username,
            "password": TEST_PASSWORD,
            "captcha_key": key,
            "captcha_code": "ZZZZ",
        },
    )
    assert wrong.status_code == 200 and not LoginSession.objects.exists()
    key = wrong.context["form"]["captcha_key"].value()
    ok = client.post(
        reverse("accounts:login"),
        {
            "tenant_code": tenant_a.code,
            "username": user.username,
            "password": TEST_PASSWORD,
            "captcha_key": key,
            "captcha_code": answers[-1],
        },
    )
    assert ok.status_code == 302 and LoginSession.objects.filter(user=user).exists()


def test_django_admin_role_permission_edit_is_logged(tenant_a):
    from accounts.models import Permission, PermissionChangeLog

    root = platform_admin()
    root.is_staff = True
    root.save()
    role = Role.objects.create(tenant=tenant_a, code="viewer", name="Viewer")
    client = Client()
    client.force_login(root)
    read = Permission.objects.get(code="ticket:read")
    response = client.post(
        f"/admin/accounts/role/{role.pk}/change/",
        {
            "tenant": tenant_a.pk,
            "code": "viewer",
            "name": "Viewer",
            "description": "",
            "role_type": "business",
            "is_active": "on",
            "permissions": [read.pk],
        },
    )
    assert response.status_code == 302, response.content[:500]
    log = PermissionChangeLog.objects.get(target_role=role)
    assert log.operation_type == "permission_change" and log.new_value == "ticket:read" and log.old_value is None
