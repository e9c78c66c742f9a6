"""The performance job (``engineers.recompute_performance``): every hour, ``expire_seconds``
3000 so a backlog of stale runs is dropped. Idempotent: the same ticket history gives the
same figures."""

from django.db import migrations

TASK_NAME = "engineers: recompute performance"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    hourly, _ = IntervalSchedule.objects.get_or_create(every=3600, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "engineers.recompute_performance",
            "interval": hourly,
            "expire_seconds": 3000,
            "enabled": True,
            "description": "Engineer performance (resolution time, SLA compliance, ratings, rejections) "
            "from ticket history, used by dispatch.",
        },
    )


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("engineers", "0001_profiles_skills_teams"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
