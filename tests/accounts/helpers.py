"""Shared helpers for the identity tests."""

from __future__ import annotations

import os

from django.db import connection

from tests.factories import TEST_PASSWORD

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def v1_login(client, user, password=TEST_PASSWORD, **extra):
    body = {"tenant_code": user.tenant.code, "username": user.username, "password": password, **extra}
    return client.post("/api/v1/auth/login", body, format="json")


def desk_login(client, user, password=TEST_PASSWORD, **extra):
    return client.post("/api/auth/login", {"email": user.email, "password": password, **extra}, format="json")


def totp_now(device, offset_steps: int = 0) -> str:
    """The code an authenticator app would show for ``device`` now (or ``offset_steps`` away)."""
    from django_otp.oath import totp

    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps)
    return f"{code:0{device.digits}d}"


def enrol_totp(user):
    """A confirmed TOTP device for ``user`` (as after a finished enrolment)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="default", confirmed=True)


def db_is_postgres() -> bool:
    return connection.vendor == "postgresql"
