import pytest

from tests.factories import UserFactory


@pytest.fixture
def platform_admin(db):
    return UserFactory(tenant=None, username="root", is_superuser=True, is_staff=True)
