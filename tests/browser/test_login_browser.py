"""The portal in a real browser (headless Chromium via Playwright) against ``live_server``.

Screenshots go to ``test-artifacts/`` (git-ignored). Locally the tests skip when Chromium or
Playwright is missing; in CI (CI=true) that is a failure."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from tests.browser_support import DESKTOP, MOBILE, chromium, wait_until

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as launched:
        yield launched


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


class PageWatch:
    """Collects what a user would not see but should never happen: JS errors, failed assets."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        # failed loads are reported by URL below (the console message does not name the URL)
        page.on(
            "console",
            lambda m: (
                m.type == "error"
                and not m.text.startswith("Failed to load resource")
                and self.errors.append(f"console: {m.text}")
            ),
        )
        page.on("response", self._response)

    def _response(self, response):
        # the browser's own /favicon.ico probe on admin pages is not ours to answer
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"{response.status} {response.url}")


def open_page(browser, viewport, locale="zh-CN"):
    context = browser.new_context(viewport=viewport, locale=locale, device_scale_factor=1)
    page = context.new_page()
    return context, page, PageWatch(page)


def sign_in(page, base_url, tenant_code, username, password):
    page.goto(f"{base_url}/accounts/login/")
    page.fill('input[name="tenant_code"]', tenant_code)
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', password)
    page.click('form.form button[type="submit"]')


def test_admin_signs_in_through_the_login_page_and_sees_the_dashboard(browser, live_server, demo):
    context, page, watch = open_page(browser, DESKTOP)
    try:
        # given the sign-in page, in Chinese by default
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert page.locator("h1").inner_text() == "登录"
        page.screenshot(path=str(ARTIFACTS / "login.png"), full_page=True)

        # when the demo tenant admin signs in with tenant code + username + password
        sign_in(page, live_server.url, "demo_company", "admin", "Admin@123456")
        page.wait_for_url(f"{live_server.url}/")

        # then the dashboard greets them, in Chinese, with their tenant and role
        assert page.locator("h1").inner_text() == "您好，系统管理员"
        topbar = page.locator(".topbar").inner_text()
        assert "演示公司" in topbar and "租户管理员" in topbar and "退出登录" in topbar
        assert page.locator('.nav-link[aria-current="page"]').inner_text() == "工作台"
        # the stylesheet is applied (sidebar colour from the design tokens)
        sidebar_bg = page.locator(".sidebar").evaluate("el => getComputedStyle(el).backgroundColor")
        assert sidebar_bg == "rgb(20, 33, 58)"
        page.screenshot(path=str(ARTIFACTS / "login-dashboard.png"), full_page=True)

        # the toast helper works (later modules push live notifications through it)
        page.evaluate("OpsPortal.toast('工单 #1024 已分配给您', 'success')")
        toast = page.locator("#toasts .toast")
        assert toast.inner_text().startswith("工单 #1024 已分配给您")
        page.screenshot(path=str(ARTIFACTS / "toast.png"))
        toast.locator("[data-dismiss]").click()
        toast.wait_for(state="detached")

        # and signing out (a POST form) returns to the login page
        page.click(".topbar-user button[type=submit]")
        page.wait_for_url(f"{live_server.url}/accounts/login/")
        assert watch.errors == []
    finally:
        context.close()


def test_wrong_password_is_refused_with_a_visible_error(browser, live_server, demo):
    context, page, watch = open_page(browser, DESKTOP)
    try:
        sign_in(page, live_server.url, "demo_company", "admin", "not-the-password")
        error = page.locator("#login-error")
        error.wait_for()
        assert "用户名或密码错误" in error.inner_text()
        assert page.url.startswith(f"{live_server.url}/accounts/login/")
        assert not any(c["name"] == "sessionid" for c in context.cookies())
        page.screenshot(path=str(ARTIFACTS / "login-error.png"), full_page=True)
        assert watch.errors == []
    finally:
        context.close()


def test_language_switcher_turns_the_login_page_english(browser, live_server, demo):
    context, page, watch = open_page(browser, DESKTOP)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.click('.lang-switch button[value="en"]')
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator("h1").inner_text() == "Sign in"
        sign_in(page, live_server.url, "demo_company", "user1", "User@123456")
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator("h1").inner_text() == "Hello, 陈用户"
        page.screenshot(path=str(ARTIFACTS / "dashboard-en.png"), full_page=True)
        assert watch.errors == []
    finally:
        context.close()


def test_mobile_layout_hides_the_sidebar_behind_the_menu_button(browser, live_server, demo):
    context, page, watch = open_page(browser, MOBILE)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.screenshot(path=str(ARTIFACTS / "login-mobile.png"), full_page=True)
        sign_in(page, live_server.url, "demo_company", "agent1", "Agent@123456")
        page.wait_for_url(f"{live_server.url}/")
        # the sidebar is off-canvas until the menu button opens it
        sidebar = page.locator("#sidebar")
        assert not sidebar.evaluate("el => el.getBoundingClientRect().right > 0")
        # nothing overflows the narrow viewport horizontally
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / "dashboard-mobile.png"), full_page=True)

        page.click(".topbar .nav-toggle")
        wait_until(page, "document.getElementById('sidebar').getBoundingClientRect().left >= 0")
        assert page.locator(".topbar .nav-toggle").get_attribute("aria-expanded") == "true"
        page.wait_for_timeout(250)  # let the slide-in transition finish for the screenshot
        page.screenshot(path=str(ARTIFACTS / "dashboard-mobile-nav.png"))
        page.keyboard.press("Escape")
        wait_until(page, "document.getElementById('sidebar').getBoundingClientRect().right <= 0")
        assert watch.errors == []
    finally:
        context.close()


ADMIN_PAGES = [
    ("admin-index", "/admin/"),
    ("admin-tenants", "/admin/tenants/tenant/"),
    ("admin-users", "/admin/accounts/user/"),
    ("admin-user-change", None),  # filled in from the data
    ("admin-roles", "/admin/accounts/role/"),
    ("admin-permissions", "/admin/accounts/permission/"),
    ("admin-system-config", "/admin/portal/systemconfig/"),
]


def test_platform_operator_uses_the_django_admin(browser, live_server, demo):
    from accounts.models import User

    admin_user = User.objects.get(tenant__code="demo_company", username="admin")
    context, page, watch = open_page(browser, DESKTOP)
    try:
        # The admin sends operators through the portal login (lockout, two-factor, sessions)
        page.goto(f"{live_server.url}/admin/")
        assert "/accounts/login/" in page.url
        page.fill('input[name="username"]', "superadmin@ops.local")
        page.fill('input[name="password"]', "Admin@123456")
        page.click("#sign-in")
        page.wait_for_url(f"{live_server.url}/admin/")
        assert "OpsPortal 运维门户管理后台" in page.locator("#header").inner_text()
        for name, path in ADMIN_PAGES:
            path = path or f"/admin/accounts/user/{admin_user.pk}/change/"
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            assert page.locator("#content").count() == 1
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=name != "admin-permissions")
        # the department tree (DraggableMPTTAdmin) shows the demo hierarchy once expanded
        page.goto(f"{live_server.url}/admin/accounts/department/?tenant__id__exact={admin_user.tenant_id}")
        page.get_by_text("展开", exact=True).click()
        page.locator("#result_list tbody tr", has_text="运维组").wait_for(state="visible")
        assert page.locator("#result_list tbody tr:visible").count() == 5
        page.screenshot(path=str(ARTIFACTS / "admin-departments.png"), full_page=True)
        assert watch.errors == []
    finally:
        context.close()


@pytest.mark.urls("tests.ui_gallery")
def test_documented_components_render_in_the_shell(browser, live_server, demo):
    """Every ```html snippet of docs/ui.md inside the real shell, screenshotted for a human to look at."""
    context, page, watch = open_page(browser, DESKTOP)
    try:
        sign_in(page, live_server.url, "demo_company", "admin", "Admin@123456")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/_gallery/")
        assert page.locator("h1").first.inner_text() == "UI gallery"
        # icons from the sprite are drawn (a broken <use> reference renders 0×0)
        box = page.locator(".page-header + section .btn-primary .icon").first.bounding_box()
        assert box and box["width"] >= 14
        page.screenshot(path=str(ARTIFACTS / "ui-gallery.png"), full_page=True)
        sections = page.locator("#main > section")
        for index in range(sections.count()):
            sections.nth(index).screenshot(path=str(ARTIFACTS / f"ui-{index:02d}.png"))

        # the modal opens from its data attribute and closes with its close button
        page.click('[data-dialog-open="demo-dialog"]')
        dialog = page.locator("#demo-dialog")
        assert dialog.is_visible()
        page.screenshot(path=str(ARTIFACTS / "ui-modal.png"))
        dialog.locator("[data-dialog-close]").first.click()
        assert not dialog.is_visible()

        # the error pages, as a signed-in user meets them
        response = page.goto(f"{live_server.url}/no-such-page/")
        assert response.status == 404 and page.locator("h1").first.inner_text() == "页面不存在"
        page.screenshot(path=str(ARTIFACTS / "error-404.png"))
        response = page.goto(f"{live_server.url}/_500/")
        assert response.status == 500 and page.locator("h1").inner_text() == "服务器错误"
        page.screenshot(path=str(ARTIFACTS / "error-500.png"))
        assert watch.errors == [f"404 {live_server.url}/no-such-page/", f"500 {live_server.url}/_500/"]
        watch.errors.clear()  # those two were expected
        page.goto(f"{live_server.url}/_gallery/")

        # dismissible alerts go away
        alerts = page.locator(".alert [data-dismiss]")
        before = alerts.count()
        alerts.first.click()
        assert alerts.count() == before - 1
        assert watch.errors == []
    finally:
        context.close()


STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"
)


def test_shell_works_under_a_strict_content_security_policy(browser, live_server, demo):
    """No inline scripts or styles: the login page, the dashboard and the htmx/toast machinery
    run with script-src/style-src 'self' (the header is added here; deployments may set it)."""
    context, page, watch = open_page(browser, DESKTOP)
    violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))

    def add_csp(route):
        try:
            response = route.fetch(max_redirects=0)
            route.fulfill(response=response, headers={**response.headers, "content-security-policy": STRICT_CSP})
        except PlaywrightError:
            pass  # the page navigated away meanwhile and the browser cancelled this request

    context.route(f"{live_server.url}/**", add_csp)
    try:
        sign_in(page, live_server.url, "demo_company", "admin", "Admin@123456")
        page.wait_for_url(f"{live_server.url}/")
        assert page.evaluate("typeof htmx") == "object" and page.evaluate("typeof OpsPortal") == "object"
        page.evaluate("OpsPortal.toast('CSP ok', 'info')")
        page.locator("#toasts .toast").wait_for()
        page.click('.lang-switch button[value="en"]')
        page.wait_for_load_state()
        assert page.locator("h1").inner_text().startswith("Hello")
        assert violations == []
        assert watch.errors == []
    finally:
        context.unroute_all(behavior="ignoreErrors")
        context.close()
