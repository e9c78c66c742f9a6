"""Operations records of system administration: scheduled-task runs and monitoring alerts.

Kept apart from ``models.py`` (modules, announcements, maintenance) so the two halves of system
administration change independently; ``models.py`` imports them so Django registers them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCESS = "success", _("Succeeded")
    FAILURE = "failure", _("Failed")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    MANUAL = "manual", _("Run now")


class TaskRun(models.Model):
    """One execution of a scheduled task (a django-celery-beat ``PeriodicTask``), recorded by the
    task machinery itself (celery's prerun/postrun signals), whether beat or "run now" sent it."""

    periodic_task = models.ForeignKey(
        "django_celery_beat.PeriodicTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("scheduled task"),
    )  # fmt: skip
    periodic_task_name = models.CharField(_("scheduled task name"), max_length=200, db_index=True)
    task = models.CharField(_("celery task"), max_length=200)
    celery_task_id = models.CharField(_("celery task id"), max_length=255, unique=True)
    trigger = models.CharField(_("trigger"), max_length=16, choices=RunTrigger.choices, default=RunTrigger.SCHEDULE)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("started by"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(_("started at"), db_index=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("scheduled task run")
        verbose_name_plural = _("scheduled task runs")
        indexes = [models.Index(fields=["periodic_task", "-started_at"], name="taskrun_task_recent")]

    def __str__(self) -> str:
        return f"{self.periodic_task_name} @ {self.started_at:%Y-%m-%d %H:%M:%S} ({self.status})"


class AlertLevel(models.TextChoices):
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class MonitorAlert(models.Model):
    """One alert episode: a measured value crossed its configured threshold (``monitor.alert.*``)
    at ``raised_at`` and came back under it at ``resolved_at`` (open while null). Admins are told
    once per episode (``notified_at``)."""

    metric = models.CharField(_("metric"), max_length=64, db_index=True)
    level = models.CharField(_("level"), max_length=16, choices=AlertLevel.choices, default=AlertLevel.WARNING)
    message = models.CharField(_("message"), max_length=500)
    value = models.FloatField(_("value when raised"))
    peak = models.FloatField(_("highest value"))
    threshold = models.FloatField(_("threshold"))
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    notified_at = models.DateTimeField(_("admins notified at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("monitoring alert")
        verbose_name_plural = _("monitoring alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["metric"],
                condition=models.Q(resolved_at__isnull=True),
                name="monitor_alert_one_open_per_metric",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.level}: {self.message}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
