"""The minute job that publishes due announcements (with their notifications), expires past
ones and switches off ended maintenance windows. ``expire_seconds`` (50) is below the 60 s
interval, so a run that could not start in time is dropped rather than piled up."""

from django.db import migrations

TASK_NAME = "system: publish and expire announcements"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "system.announcements_tick",
            "interval": every_minute,
            "expire_seconds": 50,
            "enabled": True,
            "description": "Publishes due announcements and notifies their audience; expires past ones; "
            "switches off maintenance windows whose end has passed.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("system", "0002_announcements_maintenance"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
