"""The periodic job that applies scheduled user status changes (v1 §22.1.5 ``effective_time``).

Every minute; ``expire_seconds`` (50) is below the interval so a backlog of stale runs is
dropped rather than piled up. The job is idempotent (rows are claimed and marked applied)."""

from django.db import migrations

TASK_NAME = "accounts: apply scheduled user status changes"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "accounts.apply_due_status_changes",
            "interval": every_minute,
            "expire_seconds": 50,
            "enabled": True,
            "description": "Applies user status changes whose effective time has come.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_identity_sessions_devices_logs"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
