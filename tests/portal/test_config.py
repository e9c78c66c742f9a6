import pytest

from portal.config import get_config, set_config
from portal.errors import DomainError
from portal.models import SystemConfig


@pytest.mark.django_db
class TestSystemConfig:
    def test_default_applies_when_nothing_is_stored(self, tenant_a):
        assert get_config("system.login.max_attempts", tenant=tenant_a) == 5

    def test_tenant_override_beats_global_value(self, tenant_a, tenant_b):
        set_config("system.login.max_attempts", "7")
        set_config("system.login.max_attempts", 3, tenant=tenant_a)
        assert get_config("system.login.max_attempts", tenant=tenant_a) == 3
        assert get_config("system.login.max_attempts", tenant=tenant_b) == 7
        assert get_config("system.login.max_attempts") == 7

    def test_booleans_are_typed(self, tenant_a):
        set_config("login_captcha_enabled", "true", tenant=tenant_a)
        assert get_config("login_captcha_enabled", tenant=tenant_a) is True

    def test_out_of_range_value_is_refused_and_nothing_stored(self, tenant_a):
        with pytest.raises(DomainError) as excinfo:
            set_config("system.login.max_attempts", 50, tenant=tenant_a)
        assert excinfo.value.field == "config_value"
        assert not SystemConfig.objects.exists()

    def test_wrong_type_is_refused(self):
        with pytest.raises(DomainError):
            set_config("max_file_size", "ten megabytes")

    def test_unknown_key_is_refused(self):
        with pytest.raises(DomainError):
            set_config("no.such.key", "1")


@pytest.mark.django_db
def test_a_snapshot_reads_each_setting_once_per_tenant_and_ends_with_its_block(
    tenant_a, tenant_b, django_assert_num_queries
):
    from portal.config import config_snapshot

    set_config("system.login.max_attempts", 3, tenant=tenant_a)
    with config_snapshot():
        with django_assert_num_queries(2):  # one per tenant, however often it is asked
            for _ in range(5):
                assert get_config("system.login.max_attempts", tenant=tenant_a) == 3
                assert get_config("system.login.max_attempts", tenant=tenant_b) == 5
        set_config("system.login.max_attempts", 4, tenant=tenant_a)
        assert get_config("system.login.max_attempts", tenant=tenant_a) == 3  # the snapshot holds
    assert get_config("system.login.max_attempts", tenant=tenant_a) == 4
