"""The SLA safety-net sweep (``tickets.sla_sweep``): every 60 s, ``expire_seconds`` 50 so a
backlog of stale runs is dropped. It checks tickets whose next SLA check is due (after downtime)
and enqueues eta checks for those due within two minutes. Idempotent (SLAEvent rows)."""

from django.db import migrations

TASK_NAME = "tickets: SLA sweep"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "tickets.sla_sweep",
            "interval": every_minute,
            "expire_seconds": 50,
            "enabled": True,
            "description": "Flags SLA warnings/breaches missed while down; enqueues checks due soon.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_sla_stored_fields"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
