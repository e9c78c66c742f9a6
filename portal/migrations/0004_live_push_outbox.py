"""Kept live pushes (``LivePush``) and the job that resends them: every 15 s, expiring after
12 s so that missed runs never pile up (one late run sends everything in order). Shorter than
the notification retry's minute because pushes that arrive after an outage queue behind the
kept ones until this job has sent them."""

import django.utils.timezone
from django.db import migrations, models

TASK_NAME = "realtime: resend failed live pushes"
EVERY_SECONDS = 15
EXPIRE_SECONDS = 12


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=EVERY_SECONDS, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "realtime.resend_live_pushes",
            "interval": interval,
            "expire_seconds": EXPIRE_SECONDS,
            "enabled": True,
            "description": "Resend live updates the channel layer refused (Redis down), oldest first.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0003_search_grams_function'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [
        migrations.CreateModel(
            name='LivePush',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('group', models.CharField(max_length=100, verbose_name='group')),
                ('message', models.JSONField(verbose_name='message')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('attempts', models.PositiveIntegerField(default=0, verbose_name='attempts')),
                ('last_error', models.CharField(blank=True, max_length=500, verbose_name='last error')),
            ],
            options={
                'verbose_name': 'live push waiting to be resent',
                'verbose_name_plural': 'live pushes waiting to be resent',
                'ordering': ['id'],
            },
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
