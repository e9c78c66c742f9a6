"""Task run history, monitoring alerts, and the shipped schedules: a nightly database backup
(02:00), a nightly audit/log cleanup (03:00) and the 15-second monitor tick (``expire_seconds``
below the interval, so a backlog of stale ticks is dropped)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SCHEDULES = [
    ("system: database backup", "system.database_backup", "0 2 * * *", "Nightly database dump into BACKUP_DIR."),
    ("system: audit and log cleanup", "system.log_cleanup", "0 3 * * *",
     "Deletes audit rows and task history older than system.audit.retention_days."),
]  # fmt: skip
MONITOR = "system: monitor tick"


def create(apps, schema_editor):
    from django.conf import settings as live

    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    Interval = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, cron, description in SCHEDULES:
        minute, hour, dom, month, dow = cron.split()
        schedule, _ = Crontab.objects.get_or_create(
            minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow,
            timezone=live.CELERY_TIMEZONE,
        )  # fmt: skip
        PeriodicTask.objects.update_or_create(
            name=name,
            defaults={"task": task, "crontab": schedule, "expire_seconds": 3600, "enabled": True,
                      "description": description},
        )  # fmt: skip
    every, _ = Interval.objects.get_or_create(every=15, period="seconds")
    PeriodicTask.objects.update_or_create(
        name=MONITOR,
        defaults={"task": "system.monitor_tick", "interval": every, "expire_seconds": 12, "enabled": True,
                  "description": "Beat heartbeat, alert thresholds, live status for the status page."},
    )  # fmt: skip


def remove(apps, schema_editor):
    names = [s[0] for s in SCHEDULES] + [MONITOR]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("system", "0003_schedule_announcements_tick"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='MonitorAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('metric', models.CharField(db_index=True, max_length=64, verbose_name='metric')),
                ('level', models.CharField(choices=[('warning', 'Warning'), ('critical', 'Critical')], default='warning', max_length=16, verbose_name='level')),
                ('message', models.CharField(max_length=500, verbose_name='message')),
                ('value', models.FloatField(verbose_name='value when raised')),
                ('peak', models.FloatField(verbose_name='highest value')),
                ('threshold', models.FloatField(verbose_name='threshold')),
                ('raised_at', models.DateTimeField(db_index=True, verbose_name='raised at')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='resolved at')),
                ('notified_at', models.DateTimeField(blank=True, null=True, verbose_name='admins notified at')),
            ],
            options={
                'verbose_name': 'monitoring alert',
                'verbose_name_plural': 'monitoring alerts',
                'ordering': ['-raised_at', '-id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('resolved_at__isnull', True)), fields=('metric',), name='monitor_alert_one_open_per_metric')],
            },
        ),
        migrations.CreateModel(
            name='TaskRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('periodic_task_name', models.CharField(db_index=True, max_length=200, verbose_name='scheduled task name')),
                ('task', models.CharField(max_length=200, verbose_name='celery task')),
                ('celery_task_id', models.CharField(max_length=255, unique=True, verbose_name='celery task id')),
                ('trigger', models.CharField(choices=[('schedule', 'Schedule'), ('manual', 'Run now')], default='schedule', max_length=16, verbose_name='trigger')),
                ('status', models.CharField(choices=[('running', 'Running'), ('success', 'Succeeded'), ('failure', 'Failed')], default='running', max_length=16, verbose_name='status')),
                ('started_at', models.DateTimeField(db_index=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('duration_ms', models.PositiveIntegerField(blank=True, null=True, verbose_name='duration (ms)')),
                ('result', models.TextField(blank=True, verbose_name='result')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('periodic_task', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='django_celery_beat.periodictask', verbose_name='scheduled task')),
                ('triggered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='started by')),
            ],
            options={
                'verbose_name': 'scheduled task run',
                'verbose_name_plural': 'scheduled task runs',
                'ordering': ['-started_at', '-id'],
                'indexes': [models.Index(fields=['periodic_task', '-started_at'], name='taskrun_task_recent')],
            },
        ),
        migrations.RunPython(create, remove),
    ]
