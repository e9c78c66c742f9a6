"""Buffered ticket views are written every 60 s (``tickets.flush_view_counts``; ``expire_seconds``
50 drops a backlog of stale runs: one run writes everything buffered)."""

from django.db import migrations

TASK_NAME = "tickets: write buffered view counts"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _ = IntervalSchedule.objects.get_or_create(every=60, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "tickets.flush_view_counts",
            "interval": every_minute,
            "expire_seconds": 50,
            "enabled": True,
            "description": "Writes the ticket views counted in the cache since the last run.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0007_sort_indexes_per_list_order"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
