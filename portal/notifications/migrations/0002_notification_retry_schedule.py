"""The ``notification retry`` periodic task: every 60 s, expiring after 50 s so that a backlog
of missed runs (beat down, workers busy) never piles up; one late run does all the work."""

from django.db import migrations

TASK_NAME = "notification retry"
EVERY_SECONDS = 60
EXPIRE_SECONDS = 50


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=EVERY_SECONDS, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "notifications.retry_pending_deliveries",
            "interval": interval,
            "expire_seconds": EXPIRE_SECONDS,
            "enabled": True,
            "description": "Deliver pending notification outbox rows whose next attempt is due.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_notifications_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
