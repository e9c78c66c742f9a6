"""factory-boy factories shared by every test package.

``MARKER`` is written into the text fields of rows that the tenant-isolation test creates in
tenant A; if it ever appears in a response to tenant B, a scope filter is missing."""

from __future__ import annotations

import factory

from accounts.models import Department, Role, User, UserRole
from tenants.models import Tenant
from tenants.services import tenant_create

TEST_PASSWORD = "Test@Passw0rd!"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    code = factory.Sequence(lambda n: f"tenant_{n}")
    name = factory.Sequence(lambda n: f"租户{n}")
    max_users = 1000

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return tenant_create(**kwargs)  # provisions the built-in roles, as in production


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@{o.tenant.code if o.tenant else 'platform'}.test")
    real_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        codes = extracted if extracted is not None else ["user"]
        if not create or self.tenant_id is None:
            return
        for role in Role.objects.filter(tenant_id=self.tenant_id, code__in=codes):
            UserRole.objects.get_or_create(tenant_id=self.tenant_id, user=self, role=role)
        self.save()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")
