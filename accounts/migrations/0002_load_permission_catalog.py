"""Loads the v1 permission codes and gives existing tenants their built-in roles."""

from django.db import migrations


def load(apps, schema_editor):
    from accounts.permission_catalog import BUILTIN_ROLES, sync_permissions

    Permission = apps.get_model("accounts", "Permission")
    Role = apps.get_model("accounts", "Role")
    Tenant = apps.get_model("tenants", "Tenant")
    sync_permissions(Permission)
    permissions = {p.code: p for p in Permission.objects.all()}
    for tenant in Tenant.objects.all():
        for code, (name, _name_en, codes) in BUILTIN_ROLES.items():
            role, _ = Role.objects.update_or_create(
                tenant=tenant, code=code, defaults={"name": name, "is_system": True, "role_type": "system"}
            )
            role.permissions.set([permissions[c] for c in codes])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("tenants", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
