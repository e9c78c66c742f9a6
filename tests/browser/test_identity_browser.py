"""In a real browser: enrol two-factor, sign out, sign in with a code and trust the device,
sign out, sign in again without a code."""

from __future__ import annotations

import os
from base64 import b32decode
from pathlib import Path

import pytest

from tests.browser_support import chromium

SHOTS = Path(os.environ.get("BROWSER_SHOTS", "/tmp/opsportal-identity-shots"))
PASSWORD = "Browser-Passw0rd!"


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def _code(secret: str, steps_ahead: int = 0) -> str:
    from django_otp.oath import totp

    return f"{totp(b32decode(secret), step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def _sign_in(page, base, tenant_code, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_tenant_code", tenant_code)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("#sign-in")


def _sign_out(page, base):
    page.goto(f"{base}/accounts/profile/")
    with page.expect_navigation():
        page.click("#logout")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_enrol_two_factor_then_trust_the_device(browser, live_server):
    from accounts.models import LoginSession
    from tests.factories import TenantFactory, UserFactory

    tenant = TenantFactory(code="browser_co", name="浏览器公司")
    user = UserFactory(tenant=tenant, username="alice", email="alice@browser.example.com", roles=["agent"])
    user.set_password(PASSWORD)
    user.save()
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()

    # sign in with the password only (two-factor is still off)
    _sign_in(page, base, tenant.code, "alice")
    assert "/accounts/login" not in page.url

    # enrol: start, read the key under the QR code, confirm with a code
    page.goto(f"{base}/accounts/mfa/")
    with page.expect_navigation():
        page.click("#mfa-setup")
    page.wait_for_selector("#mfa-qr svg")
    page.screenshot(path=str(SHOTS / "1-enrol-qr.png"), full_page=True)
    secret = page.inner_text("#mfa-secret").strip()
    page.fill("#id_code", _code(secret))
    with page.expect_navigation():
        page.click("#mfa-enable")
    page.wait_for_selector("#mfa-status")
    status = page.locator("#mfa-status").inner_text()
    assert "双因素认证已开启。" in status or "Two-factor authentication is on." in status

    # sign out; signing in now asks for the code
    _sign_out(page, base)
    _sign_in(page, base, tenant.code, "alice")
    assert page.url.endswith("/accounts/login/verify/")
    page.screenshot(path=str(SHOTS / "2-second-step.png"), full_page=True)
    # the code of the next time step (the enrolment used the current one; codes are single use)
    page.fill("#id_code", _code(secret, steps_ahead=1))
    page.check("#id_trust_device")
    with page.expect_navigation():
        page.click("#verify")
    assert "/accounts/login" not in page.url
    assert any(c["name"] == "opsportal_trusted_device" and c["httpOnly"] for c in context.cookies())

    # sign out and in again: the trusted device skips the code
    _sign_out(page, base)
    _sign_in(page, base, tenant.code, "alice")
    assert "/accounts/login" not in page.url, page.url
    page.screenshot(path=str(SHOTS / "3-trusted-sign-in.png"), full_page=True)
    for name in ("profile", "mfa", "devices", "sessions"):
        page.goto(f"{base}/accounts/{name}/")
        page.screenshot(path=str(SHOTS / f"4-{name}.png"), full_page=True)
    methods = list(LoginSession.objects.filter(user=user).order_by("id").values_list("login_method", flat=True))
    assert methods == ["password", "password+otp", "password+trusted"]
    context.close()
