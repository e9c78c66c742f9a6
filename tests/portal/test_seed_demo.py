import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import User


@pytest.mark.django_db
def test_seed_demo_creates_the_documented_accounts_and_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = {model: model.objects.count() for model in (User,)}
    call_command("seed_demo", stdout=io.StringIO())
    assert {model: model.objects.count() for model in (User,)} == counts

    admin = authenticate(tenant_code="demo_company", username="admin", password="Admin@123456")
    assert admin is not None and admin.email == "admin@demo.com" and admin.primary_role == "admin"
    assert authenticate(email="agent2@tech.com", password="Agent@123456").primary_role == "agent"
    assert authenticate(email="supervisor@demo.com", password="Super@123456").primary_role == "supervisor"
    assert authenticate(email="user1@tech.com", password="User@123456").primary_role == "user"
    platform = authenticate(email="superadmin@ops.local", password="Admin@123456")
    assert platform is not None and platform.is_platform_admin and platform.tenant is None
    assert admin.tenant.name == "演示公司"
    assert User.objects.get(email="admin@tech.com").tenant.name == "科技公司"
