"""The search-index sweep (``knowledge.reindex_stale``): every 10 minutes, ``expire_seconds``
500 so a backlog of runs is dropped. Idempotent: an up-to-date document is not touched."""

from django.db import migrations

TASK_NAME = "knowledge: re-index stale documents"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_ten, _ = IntervalSchedule.objects.get_or_create(every=600, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "knowledge.reindex_stale",
            "interval": every_ten,
            "expire_seconds": 500,
            "enabled": True,
            "description": "Knowledge search: re-index documents whose index row is missing or older than the document.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0002_search_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
