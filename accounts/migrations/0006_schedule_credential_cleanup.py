"""The periodic cleanup of expired tokens, sessions, trusted devices and reset links.

Hourly; ``expire_seconds`` (3000) is below the interval so a run that could not start in time
is dropped rather than piled up behind the next one. The job is idempotent."""

from django.db import migrations

TASK_NAME = "accounts: clean up expired tokens, sessions and trusted devices"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_hour, _ = IntervalSchedule.objects.get_or_create(every=1, period="hours")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "accounts.cleanup_expired_credentials",
            "interval": every_hour,
            "expire_seconds": 3000,
            "enabled": True,
            "description": "Deletes expired refresh tokens, old login sessions, expired trusted devices and reset links.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_login_session_remember_me"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("token_blacklist", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, remove)]
