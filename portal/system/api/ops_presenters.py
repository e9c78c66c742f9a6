"""How scheduled tasks, runs, status, metrics and alerts look in the v1 contract."""

from __future__ import annotations

import json

from portal.api.presenting import presents
from portal.system import scheduling
from portal.system.api import ops_serializers as S
from portal.timestamps import iso_utc


def _seconds(ms):
    return None if ms is None else round(ms / 1000, 3)


@presents(S.V1TaskRun)
def v1_run(run) -> dict | None:
    if run is None:
        return None
    return {
        "run_id": run.pk,
        "celery_task_id": run.celery_task_id,
        "trigger": run.trigger,
        "status": run.status,
        "started_at": iso_utc(run.started_at),
        "finished_at": iso_utc(run.finished_at),
        "duration": _seconds(run.duration_ms),
        "result": run.result,
        "error": run.error,
    }


@presents(S.V1Task)
def v1_task(task, stats) -> dict:
    last = stats.last_run
    try:
        config = json.loads(task.kwargs or "{}")
    except ValueError:
        config = {}
    interval = task.interval.schedule.run_every.total_seconds() if task.interval_id else None
    return {
        "task_id": task.pk,
        "task_name": task.name,
        "task_type": scheduling.task_type_of(task.task),
        "task": task.task,
        "cron_expression": scheduling.cron_expression(task),
        "interval_seconds": int(interval) if interval is not None else None,
        "status": "running" if task.enabled else "stopped",
        "description": task.description,
        "last_run_time": iso_utc(last.started_at if last else task.last_run_at),
        "next_run_time": iso_utc(scheduling.next_run_time(task)),
        "last_run_status": last.status if last else None,
        "last_run_duration": _seconds(last.duration_ms) if last else None,
        "run_count": stats.run_count,
        "success_count": stats.success_count,
        "failure_count": stats.failure_count,
        "config": config if isinstance(config, dict) else {},
        "created_at": iso_utc(getattr(task, "date_changed", None)),
    }


@presents(S.V1TaskExecuted)
def v1_executed(task, outcome: dict) -> dict:
    return {
        "task_id": task.pk,
        "celery_task_id": outcome["celery_task_id"],
        "status": outcome["status"],
        "run": v1_run(outcome["run"]),
    }


def _service(row: dict) -> dict:
    return {
        **row,
        "last_check": iso_utc(row["last_check"]),
        "detail": str(row["detail"]) if row.get("detail") else None,
    }


@presents(S.V1Status)
def v1_status(status: dict) -> dict:
    return {
        **status,
        "services": [_service(s) for s in status["services"]],
        "alerts": [
            {"level": a["level"], "message": a["message"], "timestamp": iso_utc(a["timestamp"])}
            for a in status["alerts"]
        ],
    }


@presents(S.V1Metrics)
def v1_metrics(host: dict, requests: dict, database: dict, active_users: int, active_sessions: int) -> dict:
    return {
        "system": {k: host[k] for k in ("cpu_usage", "memory_usage", "disk_usage", "network_in", "network_out",
                                        "load_average")},
        "application": {
            "active_users": active_users,
            "api_qps": requests["requests_per_second"],
            "avg_response_time": requests["avg_ms"],
            "p50_response_time": requests["p50_ms"],
            "p95_response_time": requests["p95_ms"],
            "p99_response_time": requests["p99_ms"],
            "error_rate": requests["error_rate"],
            "active_sessions": active_sessions,
        },
        "database": {"vendor": str(database["detail"]) if database.get("detail") else None,
                     "response_time": database["response_time"],
                     "status": database["status"],
                     **{k: database.get(k) for k in ("connections", "max_connections", "slow_queries",
                                                     "cache_hit_rate", "query_per_second")}},
    }  # fmt: skip


@presents(S.V1Alert)
def v1_alert(alert) -> dict:
    return {
        "alert_id": alert.pk,
        "metric": alert.metric,
        "level": alert.level,
        "message": alert.message,
        "value": alert.value,
        "peak": alert.peak,
        "threshold": alert.threshold,
        "status": "active" if alert.resolved_at is None else "resolved",
        "raised_at": iso_utc(alert.raised_at),
        "resolved_at": iso_utc(alert.resolved_at),
        "notified_at": iso_utc(alert.notified_at),
    }
