"""The portal shell as a user meets it: sign-in page, dashboard, navigation, error pages."""

import pytest
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from portal import navigation
from portal.views import server_error
from tenants.models import TenantStatus
from tests.factories import TEST_PASSWORD

LOGIN_URL = "/accounts/login/"


def sign_in(client, tenant_code, username, password=TEST_PASSWORD, **extra):
    return client.post(LOGIN_URL, {"tenant_code": tenant_code, "username": username, "password": password, **extra})


def visible_url_names(user, request=None):
    return {item.url_name for section in navigation.navigation_for(user, request) for item in section.items}


@pytest.mark.django_db
class TestLoginPage:
    def test_renders_in_chinese_by_default(self, client):
        # when an anonymous visitor opens the sign-in page
        response = client.get(LOGIN_URL)
        # then it is in Chinese, with the tenant/username/password fields and a language switcher
        body = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="zh-hans">' in body
        assert "租户编码" in body and "密码" in body and "登录" in body
        assert 'name="tenant_code"' in body and 'name="username"' in body and 'name="password"' in body
        assert f'action="{reverse("set_language")}"' in body
        assert "<title>登录 · OpsPortal</title>" in body  # the product, not the request's host name

    def test_switching_the_language_shows_english(self, client):
        # given the sign-in page, when the user picks English in the switcher
        response = client.post(reverse("set_language"), {"language": "en", "next": LOGIN_URL}, follow=True)
        # then the page comes back in English
        body = response.content.decode()
        assert response.redirect_chain[-1][0] == LOGIN_URL
        assert '<html lang="en">' in body
        assert "Tenant code" in body and "Sign in" in body
        assert "租户编码" not in body

    def test_user_signs_in_with_tenant_code_and_lands_on_the_dashboard(self, client, tenant_a, make_user):
        user = make_user(tenant_a, "agent", real_name="王工程师")
        # when the user submits tenant code + username + password
        response = sign_in(client, tenant_a.code, user.username)
        # then they are signed in and sent to the dashboard, which greets them with tenant and role
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:dashboard")
        assert client.session["_auth_user_id"] == str(user.pk)
        body = client.get(response["Location"]).content.decode()
        assert "王工程师" in body
        assert tenant_a.name in body
        assert "工程师" in body  # the built-in agent role, in Chinese

    def test_username_is_matched_case_insensitively_within_the_tenant(self, client, tenant_a, make_user):
        user = make_user(tenant_a, username="Alice")
        assert sign_in(client, tenant_a.code, "alice").status_code == 302
        assert client.session["_auth_user_id"] == str(user.pk)

    def test_wrong_password_shows_the_error_and_creates_no_session(self, client, tenant_a, make_user):
        user = make_user(tenant_a)
        # when the password is wrong
        response = sign_in(client, tenant_a.code, user.username, password="wrong-password")
        # then the form comes back with the error, and nobody is signed in
        body = response.content.decode()
        assert response.status_code == 200
        assert "用户名或密码错误" in body
        assert 'role="alert"' in body
        assert Session.objects.count() == 0  # (reading client.session would create one)
        assert "sessionid" not in response.cookies
        assert client.get(reverse("portal:dashboard")).status_code == 302

    def test_same_username_in_another_tenant_does_not_sign_in(self, client, tenant_a, tenant_b, make_user):
        user = make_user(tenant_a, username="alice")
        response = sign_in(client, tenant_b.code, user.username)
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session

    def test_user_of_a_disabled_tenant_cannot_sign_in(self, client, tenant_a, make_user):
        user = make_user(tenant_a)
        tenant_a.status = TenantStatus.DISABLED
        tenant_a.save(update_fields=["status"])
        response = sign_in(client, tenant_a.code, user.username)
        assert response.status_code == 200
        assert "用户名或密码错误，或租户不可用" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_platform_operator_signs_in_by_email_with_tenant_empty(self, client, db):
        User.objects.create_superuser(email="ops@platform.test", password=TEST_PASSWORD, real_name="平台运维")
        response = sign_in(client, "", "ops@platform.test")
        assert response.status_code == 302
        body = client.get(reverse("portal:dashboard")).content.decode()
        assert "平台运维" in body and "平台管理员" in body

    def test_next_parameter_is_honoured_but_not_off_site(self, client, tenant_a, make_user):
        user = make_user(tenant_a)
        response = sign_in(client, tenant_a.code, user.username, next="https://evil.example/")
        assert response["Location"] == reverse("portal:dashboard")

    def test_sign_out_is_a_post_that_ends_the_session(self, client, tenant_a, make_user):
        user = make_user(tenant_a)
        sign_in(client, tenant_a.code, user.username)
        response = client.post(reverse("accounts:logout"))
        assert response.status_code == 302
        assert "_auth_user_id" not in client.session
        assert client.get(reverse("portal:dashboard")).status_code == 302


@pytest.mark.django_db
class TestDashboard:
    def test_requires_login(self, client):
        response = client.get(reverse("portal:dashboard"))
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN_URL}?next=/"

    def test_shell_has_the_parts_every_page_needs(self, client, tenant_a, make_user):
        user = make_user(tenant_a, "user", real_name="陈用户")
        client.force_login(user)
        body = client.get(reverse("portal:dashboard")).content.decode()
        assert 'name="csrf-token"' in body
        assert 'id="toasts"' in body
        assert "/static/vendor/htmx/htmx.min.js" in body and "/static/js/portal.js" in body
        assert f'action="{reverse("accounts:logout")}"' in body and 'method="post"' in body
        assert "陈用户" in body and "普通用户" in body and tenant_a.name in body
        # the current page is the highlighted navigation entry
        assert 'aria-current="page" data-nav="portal:dashboard"' in body
        # no inline scripts: a strict CSP (script-src 'self') can be used
        assert "<script>" not in body and "onclick=" not in body

    def test_query_count_is_small_and_fixed(self, client, tenant_a, make_user, django_assert_max_num_queries):
        from tests.factories import DepartmentFactory

        user = make_user(tenant_a, "admin", "agent", department=DepartmentFactory(tenant=tenant_a))
        client.force_login(user)
        # session, user+tenant, roles/permissions for the navigation, role names, department,
        # the saved workbench layout and the recent visits, the tenant's switched-off modules,
        # the maintenance windows and the live announcements (each cached after the first request)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("portal:dashboard")).status_code == 200

    def test_django_messages_are_shown_as_dismissible_alerts(self, client, tenant_a, make_user):
        from django.contrib.messages import constants
        from django.contrib.messages.storage.cookie import CookieStorage

        client.force_login(make_user(tenant_a))
        # given a message queued for the next page (cookie storage, as the request would do)
        request = RequestFactory().get("/")
        storage = CookieStorage(request)
        storage.add(constants.SUCCESS, "工单已创建")
        response = client.get("/")  # prime cookies
        storage.update(response)
        client.cookies.update(response.cookies)
        body = client.get(reverse("portal:dashboard")).content.decode()
        assert "工单已创建" in body
        assert "alert alert-success" in body and "data-dismiss" in body


@pytest.mark.django_db
@pytest.mark.urls("tests.portal.nav_urls")
class TestNavigation:
    def test_requester_does_not_see_administration_entries(self, client, tenant_a, make_user):
        requester = make_user(tenant_a, "user")
        client.force_login(requester)
        body = client.get(reverse("portal:dashboard")).content.decode()
        assert 'data-nav="accounts:users"' not in body
        assert 'data-nav="tenants:list"' not in body
        assert "accounts:users" not in visible_url_names(requester)
        # and the page itself refuses them with the styled 403 page
        response = client.get(reverse("accounts:users"))
        assert response.status_code == 403
        assert "无权访问" in response.content.decode()

    def test_tenant_admin_sees_user_administration_but_not_platform_entries(self, client, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        client.force_login(admin)
        body = client.get(reverse("portal:dashboard")).content.decode()
        assert 'data-nav="accounts:users"' in body
        assert 'data-nav="tenants:list"' not in body
        assert client.get(reverse("accounts:users")).status_code == 200

    def test_platform_admin_sees_platform_only_entries(self, db):
        operator = User.objects.create_superuser(email="ops@platform.test", password=TEST_PASSWORD)
        names = visible_url_names(operator)
        assert {"tenants:list", "accounts:users", "admin:index"} <= names

    def test_platform_admin_gets_no_tenant_menus(self, db, tenant_a, make_user):
        operator = User.objects.create_superuser(email="ops@platform.test", password=TEST_PASSWORD)
        names = visible_url_names(operator)
        assert not {"tickets:list", "tickets:create", "tickets:categories"} & names
        # while a tenant's staff still see them
        assert {"tickets:list", "tickets:create"} <= visible_url_names(make_user(tenant_a, "admin"))

    def test_entries_whose_page_does_not_exist_yet_are_hidden(self, tenant_a, make_user, monkeypatch):
        section = navigation.NAVIGATION[0]
        monkeypatch.setattr(section, "items", [*section.items, navigation.NavItem("Planned", "planned:page")])
        names = visible_url_names(make_user(tenant_a, "admin"))
        assert "planned:page" not in names  # a planned entry whose page does not exist is hidden
        assert "portal:dashboard" in names

    def test_anonymous_sees_no_navigation(self):
        from django.contrib.auth.models import AnonymousUser

        assert navigation.navigation_for(AnonymousUser()) == []

    def test_nested_paths_highlight_their_section_entry(self, tenant_a, make_user):
        admin = make_user(tenant_a, "admin")
        request = RequestFactory().get("/accounts/users/42/edit/")
        request.resolver_match = None
        active = [i.url_name for s in navigation.navigation_for(admin, request) for i in s.items if i.active]
        assert active == ["accounts:users"]

    def test_sections_without_visible_entries_are_dropped(self, tenant_a, make_user):
        sections = navigation.navigation_for(make_user(tenant_a, "user"))
        assert all(section.items for section in sections)
        assert "admin" not in {section.key for section in sections}


class TestTopbarWidgets:
    def test_widget_is_included_only_when_its_template_exists(self, monkeypatch):
        monkeypatch.setattr(navigation, "TOPBAR_WIDGETS", ["nope/_missing.html", "portal/_messages.html"])
        navigation._template_exists.cache_clear()
        try:
            assert navigation.topbar_widgets() == ["portal/_messages.html"]
        finally:
            navigation._template_exists.cache_clear()


@pytest.mark.django_db
class TestErrorPages:
    def test_404_page_is_styled_and_in_chinese(self, client):
        response = client.get("/no-such-page/")
        body = response.content.decode()
        assert response.status_code == 404
        assert "页面不存在" in body and "/static/css/portal.css" in body

    def test_404_page_in_english(self, client):
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        body = client.get("/no-such-page/").content.decode()
        assert "Page not found" in body

    def test_api_404_keeps_the_contract_envelope(self, client):
        response = client.get("/api/v1/no-such-thing")
        assert response.status_code == 404
        assert response.json()["code"] == 404

    def test_500_page_renders_without_database_or_context_processors(self, django_assert_num_queries):
        request = RequestFactory().get("/boom/")
        with django_assert_num_queries(0):
            response = server_error(request)
        body = response.content.decode()
        assert response.status_code == 500
        assert "服务器错误" in body and "css/portal.css" in body

    def test_csrf_failure_page_explains_what_to_do(self, tenant_a, make_user):
        from django.test import Client

        csrf_client = Client(enforce_csrf_checks=True)
        response = csrf_client.post(LOGIN_URL, {"tenant_code": tenant_a.code, "username": "x", "password": "y"})
        assert response.status_code == 403
        assert "表单已过期" in response.content.decode()


@pytest.mark.django_db
class TestAdmin:
    def test_admin_header_is_translated(self, client):
        from accounts.models import User

        client.force_login(User.objects.create_superuser(email="op@ops.test", password="x-Passw0rd!"))
        assert "OpsPortal 运维门户管理后台" in client.get("/admin/").content.decode()

    @pytest.mark.parametrize(
        "url_name",
        [
            "admin:index",
            "admin:tenants_tenant_changelist",
            "admin:accounts_user_changelist",
            "admin:accounts_role_changelist",
            "admin:accounts_permission_changelist",
            "admin:accounts_department_changelist",
            "admin:accounts_user_add",
            "admin:tenants_tenant_add",
        ],
    )
    def test_platform_operator_can_open_admin_pages(self, client, tenant_a, make_user, url_name):
        from tests.factories import DepartmentFactory

        DepartmentFactory(tenant=tenant_a)
        make_user(tenant_a)
        client.force_login(User.objects.create_superuser(email="ops@platform.test", password=TEST_PASSWORD))
        assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.django_db
class TestAdminSignIn:
    def test_admin_login_goes_through_the_portal_login(self, client):
        response = client.get("/admin/login/?next=/admin/tenants/tenant/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Ftenants%2Ftenant%2F"

    def test_signed_in_non_staff_user_is_refused_not_looped(self, client, tenant_a, make_user):
        client.force_login(make_user(tenant_a, "admin"))
        assert client.get("/admin/login/?next=/admin/").status_code == 403
