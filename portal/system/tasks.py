"""Thin celery tasks of system administration (scheduled by data migrations; see scheduling.py)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from portal.config import get_config


@shared_task(name="system.database_backup")
def database_backup(backup_type: str = "full") -> dict:
    """Dump the database into BACKUP_DIR (pg_dump / sqlite3 backup API); keeps the newest N."""
    from portal.system import backup

    made = backup.create_backup()
    return {"file": made.name, "size": made.size}


@shared_task(name="system.log_cleanup")
def log_cleanup(retention_days: int | None = None) -> dict:
    """Delete audit log rows, task results and task run history older than the retention
    (``system.audit.retention_days`` unless the schedule's config says otherwise). Idempotent."""
    from django_celery_results.models import TaskResult

    from portal.audit.models import AuditLog
    from portal.system.ops_models import TaskRun

    days = retention_days or get_config("system.audit.retention_days")
    cutoff = timezone.now() - timedelta(days=days)
    audit, _ = AuditLog.objects.filter(created_at__lt=cutoff).delete()
    results, _ = TaskResult.objects.filter(date_done__lt=cutoff).delete()
    runs, _ = TaskRun.objects.filter(started_at__lt=cutoff).delete()
    return {"retention_days": days, "audit_logs": audit, "task_results": results, "task_runs": runs}


@shared_task(name="system.monitor_tick", ignore_result=True)
def monitor_tick() -> None:
    """Every 15 s: beat heartbeat, alert evaluation (admins told once per episode) and the live
    status pushed to the platform administrators' status pages."""
    from portal.system import monitoring

    monitoring.beat_heartbeat()
    host, requests = monitoring.host_metrics(), monitoring.request_metrics()
    monitoring.evaluate_alerts(host=host, requests=requests)
    monitoring.publish_status(host=host, requests=requests)
