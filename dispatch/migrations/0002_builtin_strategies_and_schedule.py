"""Every existing tenant gets the built-in strategies (new tenants get them from
``tenants.provisioning``), and the minute job that escalates dispatches not accepted in time
(``expire_seconds`` 50 < its 60 s interval, so a backlog of stale runs is dropped)."""

from django.db import migrations

TASK_NAME = "dispatch: escalate unaccepted dispatches"
BUILTIN = {
    "best_match": ("最佳匹配", "综合技能、负载、位置等因素选择最佳工程师", (40, 25, 20, 15)),
    "load_balance": ("负载均衡", "优先考虑工作负载，实现工程师间负载均衡", (30, 50, 10, 10)),
}


def create(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    Strategy = apps.get_model("dispatch", "DispatchStrategy")
    for tenant in Tenant.objects.all():
        for code, (name, description, (skill, workload, location, performance)) in BUILTIN.items():
            Strategy.objects.get_or_create(
                tenant=tenant,
                code=code,
                defaults={
                    "name": name,
                    "description": description,
                    "is_builtin": True,
                    "skill_weight": skill,
                    "workload_weight": workload,
                    "location_weight": location,
                    "performance_weight": performance,
                },
            )
        if not Strategy.objects.filter(tenant=tenant, is_default=True).exists():
            Strategy.objects.filter(tenant=tenant, code="best_match").update(is_default=True)
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "dispatch.escalate_unaccepted",
            "interval": every_minute,
            "expire_seconds": 50,
            "enabled": True,
            "description": "Escalates dispatched tickets not accepted within a rule's escalate_if_no_response.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0001_strategies_rules_records"),
        ("tenants", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
