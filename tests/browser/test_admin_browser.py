"""The tenant administrator's daily path in a real browser (issue 13): create and then edit a
user, a role and a department, in Chinese and in English, on a 390 px wide phone screen, with
no horizontal overflow on any page of it. Screenshots go to ``var/screenshots`` (or
``$BROWSER_SHOTS``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from tests.browser_support import DESKTOP, MOBILE, chromium, signed_in_page

SHOTS = Path(os.environ.get("BROWSER_SHOTS", settings.BASE_DIR / "var" / "screenshots"))


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def no_overflow(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= MOBILE["width"], f"{page.url} is {width}px wide at {MOBILE['width']}px"


def submit(page, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_admin_creates_then_edits_user_role_department(browser, live_server, locale):
    from accounts.models import Department, Role, User
    from tests.factories import TenantFactory, UserFactory

    tenant = TenantFactory(code="admin_co", name="管理公司")
    admin = UserFactory(tenant=tenant, username="boss", email="boss@admin.example.com", roles=["admin"])
    base = live_server.url
    lang = "zh" if locale.startswith("zh") else "en"
    page = signed_in_page(browser, base, admin, locale=locale, viewport=MOBILE)

    # a department: create, then rename
    page.goto(f"{base}/accounts/departments/")
    no_overflow(page)
    page.fill("#id_code", "it")
    page.fill("#id_name", "IT")
    submit(page, "form.form button[type=submit]")
    department = Department.objects.get(tenant=tenant, code="it")
    page.click(f"a[href='/accounts/departments/{department.pk}/']")
    page.wait_for_url(f"{base}/accounts/departments/{department.pk}/")
    no_overflow(page)
    shot(page, f"department-edit-{lang}-390")
    page.fill("#id_name", "IT Operations")
    submit(page, "#department-form button[type=submit]")
    no_overflow(page)
    department.refresh_from_db()
    assert department.name == "IT Operations"

    # a role: create with one permission, then rename and add another
    page.goto(f"{base}/accounts/roles/")
    no_overflow(page)
    shot(page, f"roles-{lang}-390")
    page.fill("#id_role_code", "viewer")
    page.fill("#id_role_name", "Viewer")
    page.check("#role-create-form input[name=permissions] >> nth=0")
    submit(page, "#role-create-form button[type=submit]")
    role = Role.objects.get(tenant=tenant, code="viewer")
    assert role.permissions.count() == 1
    page.goto(f"{base}/accounts/roles/{role.pk}/")
    no_overflow(page)
    shot(page, f"role-edit-{lang}-390")
    page.fill("#id_role_name", "Read-only")
    page.check("#role-form input[name=permissions] >> nth=1")
    submit(page, "#role-form button[type=submit]")
    role.refresh_from_db()
    assert role.name == "Read-only" and role.permissions.count() == 2

    # a user: create, then edit profile, department and roles; deactivation asks first
    page.goto(f"{base}/accounts/users/")
    no_overflow(page)
    page.fill("#id_username", "amy")
    page.fill("#id_email", "amy@admin.example.com")
    page.fill("#id_password", "Str0ng-Pass!9")
    submit(page, "form.form button[type=submit]")
    no_overflow(page)
    shot(page, f"users-{lang}-390")
    amy = User.objects.get(tenant=tenant, username="amy")
    page.click(f"td a[href='/accounts/users/{amy.pk}/']")
    page.wait_for_url(f"{base}/accounts/users/{amy.pk}/")
    no_overflow(page)
    page.fill("#id_real_name", "Amy Lin")
    page.select_option("#id_department", str(department.pk))
    page.check(f"#user-form input[name=roles][value='{role.pk}']")
    submit(page, "#user-form button[type=submit]")
    no_overflow(page)
    amy.refresh_from_db()
    assert amy.real_name == "Amy Lin" and amy.department_id == department.pk and "viewer" in amy.role_codes
    page.click("#deactivate-open")
    assert page.is_visible("#deactivate-dialog")
    shot(page, f"user-deactivate-dialog-{lang}-390")
    amy.refresh_from_db()
    assert amy.status == "active"  # opening the dialog changed nothing
    submit(page, "#deactivate-confirm")
    amy.refresh_from_db()
    assert amy.status == "inactive"
    no_overflow(page)
    shot(page, f"user-edit-{lang}-390")

    # the same pages at desktop width, for the record
    desk = signed_in_page(browser, base, admin, locale=locale, viewport=DESKTOP)
    for name, path in [
        ("users", "/accounts/users/"),
        ("user-edit", f"/accounts/users/{amy.pk}/"),
        ("roles", "/accounts/roles/"),
        ("role-edit", f"/accounts/roles/{role.pk}/"),
        ("departments", "/accounts/departments/"),
        ("department-edit", f"/accounts/departments/{department.pk}/"),
        ("sessions", "/accounts/sessions/"),
        ("mfa", "/accounts/mfa/"),
    ]:
        desk.goto(f"{base}{path}")
        shot(desk, f"{name}-{lang}-desktop")
    desk.context.close()
    page.context.close()
