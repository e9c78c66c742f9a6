"""Scheduled tasks: django-celery-beat entries with cron expressions, their run history and "run now".

The schedule itself is django-celery-beat's (``PeriodicTask`` + ``CrontabSchedule``), run by
``celery beat`` in production and by the embedded beat thread (``portal.embedded``) otherwise.
History is written by the task machinery: celery's ``task_prerun``/``task_postrun`` signals record
a :class:`~portal.system.ops_models.TaskRun` for every execution that carries a
``periodic_task_name`` header — beat adds it to every message it sends, and "run now" sends the
same header — whichever process (worker, eager web process, embedded beat) executes it.

Scheduled tasks act on the whole installation (a backup holds every tenant's data), so creating
and running them is the platform super admin's: a tenant administrator is refused even though the
catalogue grants ``system:task:create``/``execute`` to the tenant role. Reading follows the codes.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from portal.errors import DomainError, ErrorCode
from portal.system.ops_models import RunStatus, RunTrigger, TaskRun

logger = logging.getLogger(__name__)

HEADER = "periodic_task_name"
TRIGGER_HEADER = "opsportal_trigger"
USER_HEADER = "opsportal_user_id"
#: Jobs that run every few seconds: not worth a history row per run.
UNRECORDED = {"system.monitor_tick"}


# --- permissions -----------------------------------------------------------------------------


def require_code(user, code: str) -> None:
    """Reads follow the permission catalogue (a tenant administrator holding the code sees the
    platform's schedules and status, read-only); writes and runs need :func:`require_platform`."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_contract_permission(code):
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS)


def require_platform(user, code: str) -> None:
    """The platform super admin holding ``code``; anyone else is refused (403)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_contract_permission(code):
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS)
    if not getattr(user, "is_platform_admin", False):
        raise DomainError(
            ErrorCode.INSUFFICIENT_PERMISSIONS,
            _("Scheduled tasks act on the whole platform: only the platform administrator manages them."),
        )


# --- the shipped task types ---------------------------------------------------------------------


@dataclass(frozen=True)
class TaskType:
    code: str  # the contract's task_type
    task: str  # the celery task name
    label: object
    config_keys: tuple[str, ...] = ()


TASK_TYPES: dict[str, TaskType] = {
    "backup": TaskType("backup", "system.database_backup", gettext_lazy("Database backup"), ("backup_type",)),
    "cleanup": TaskType("cleanup", "system.log_cleanup", gettext_lazy("Audit and log cleanup"), ("retention_days",)),
}
#: Task types of the product's own jobs, for display (they are scheduled by data migrations).
_KNOWN = {
    "system.monitor_tick": "monitor",
    "tickets.sla_sweep": "sla",
    "accounts.cleanup_expired_credentials": "cleanup",
}


#: The names the product's data migrations give its schedules, so pages can show them in the
#: reader's language (``gettext(name)``); names an administrator types are shown as typed.
SHIPPED_TASK_NAMES = (
    gettext_noop("accounts: apply scheduled user status changes"),
    gettext_noop("accounts: clean up expired tokens, sessions and trusted devices"),
    gettext_noop("dispatch: escalate unaccepted dispatches"),
    gettext_noop("engineers: recompute performance"),
    gettext_noop("knowledge: re-index stale documents"),
    gettext_noop("notification retry"),
    gettext_noop("realtime: resend failed live pushes"),
    gettext_noop("system: audit and log cleanup"),
    gettext_noop("system: database backup"),
    gettext_noop("system: monitor tick"),
    gettext_noop("system: publish and expire announcements"),
    gettext_noop("tickets: SLA sweep"),
    gettext_noop("tickets: write buffered view counts"),
)


def task_type_of(task_name: str) -> str:
    for spec in TASK_TYPES.values():
        if spec.task == task_name:
            return spec.code
    return _KNOWN.get(task_name, "job")


# --- cron expressions ----------------------------------------------------------------------------

CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")


def parse_cron(expression: str) -> dict[str, str]:
    """``"0 2 * * *"`` → the five crontab fields, validated by celery's own parser (ranges,
    steps, lists, weekday names). Anything else is a validation error naming ``cron_expression``."""
    from celery.schedules import crontab

    parts = (expression or "").split()
    if len(parts) != 5:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("A cron expression has five fields: minute hour day-of-month month day-of-week."),
            field="cron_expression",
        )
    fields = dict(zip(CRON_FIELDS, parts, strict=True))
    try:
        crontab(**fields)
    except Exception as exc:  # noqa: BLE001 - celery raises ValueError, IndexError, ParseException
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("Invalid cron expression: %(reason)s") % {"reason": exc},
            field="cron_expression",
        ) from None
    return fields


def cron_expression(periodic_task) -> str | None:
    c = periodic_task.crontab
    if c is None:
        return None
    return f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}"


def next_run_time(periodic_task):
    if not periodic_task.enabled:
        return None
    now = timezone.now()
    try:
        schedule = periodic_task.schedule
        last = periodic_task.last_run_at or now
        return now + schedule.remaining_estimate(last)
    except Exception:  # noqa: BLE001 - a schedule celery cannot compute is shown without a next run
        return None


# --- reads -----------------------------------------------------------------------------------------


@dataclass
class TaskStats:
    run_count: int = 0
    success_count: int = 0
    failure_count: int = 0
    last_run: TaskRun | None = None


def scheduled_tasks_for(user):
    """Every beat entry (celery's own bookkeeping entry excluded) with its run statistics:
    ``[(PeriodicTask, TaskStats)]`` in two queries plus one for the last runs."""
    from django_celery_beat.models import PeriodicTask

    require_code(user, "system:task:read")
    tasks = list(
        PeriodicTask.objects.exclude(name="celery.backend_cleanup").select_related("crontab", "interval").order_by("id")
    )
    return attach_stats(tasks)


def attach_stats(tasks):
    ids = [t.pk for t in tasks]
    counts = {
        row["periodic_task"]: row
        for row in TaskRun.objects.filter(periodic_task__in=ids)
        .values("periodic_task")
        .annotate(
            n=Count("id"),
            ok=Count("id", filter=Q(status=RunStatus.SUCCESS)),
            ko=Count("id", filter=Q(status=RunStatus.FAILURE)),
            last_id=Max("id"),
        )
    }
    last = TaskRun.objects.in_bulk([row["last_id"] for row in counts.values()])
    out = []
    for task in tasks:
        row = counts.get(task.pk)
        stats = TaskStats()
        if row:
            stats = TaskStats(row["n"], row["ok"], row["ko"], last.get(row["last_id"]))
        out.append((task, stats))
    return out


def scheduled_task_for(user, task_id: int, code: str = "system:task:read"):
    from django_celery_beat.models import PeriodicTask

    require_platform(user, code)
    task = PeriodicTask.objects.select_related("crontab", "interval").filter(pk=task_id).first()
    if task is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("The scheduled task does not exist."))
    return task


def runs_for(user, task_id: int | None = None):
    require_code(user, "system:task:read")
    rows = TaskRun.objects.select_related("triggered_by")
    return rows.filter(periodic_task_id=task_id) if task_id is not None else rows


# --- writes ------------------------------------------------------------------------------------------


def _task_config(task_type: TaskType, config: dict | None) -> dict:
    config = dict(config or {})
    unknown = sorted(set(config) - set(task_type.config_keys))
    if unknown:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("Unknown option for this task type: %(keys)s") % {"keys": ", ".join(unknown)},
            field="config",
        )
    if "retention_days" in config:
        days = config["retention_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED, _("retention_days is a whole number of days, 1 to 3650."), field="config"
            )
    if "backup_type" in config and config["backup_type"] != "full":
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Only full backups are supported."), field="config")
    return config


@transaction.atomic
def scheduled_task_create(
    *, by, task_name: str, task_type: str, cron: str, description: str = "", config: dict | None = None,
    enabled: bool = True,
):  # fmt: skip
    """A new beat entry running one of the shipped task types on a cron schedule. Everything is
    validated before anything is written: a refused call changes nothing."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    require_platform(by, "system:task:create")
    spec = TASK_TYPES.get(task_type)
    if spec is None:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("Unknown task type; choose one of: %(types)s") % {"types": ", ".join(TASK_TYPES)},
            field="task_type",
        )
    fields = parse_cron(cron)
    kwargs = _task_config(spec, config)
    name = (task_name or "").strip()
    if not name:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("The task needs a name."), field="task_name")
    if PeriodicTask.objects.filter(name=name).exists():
        raise DomainError(ErrorCode.CONFLICT, _("A scheduled task with this name exists already."), field="task_name")
    schedule, _created = CrontabSchedule.objects.get_or_create(**fields, timezone=timezone.get_default_timezone_name())
    return PeriodicTask.objects.create(
        name=name, task=spec.task, crontab=schedule, kwargs=json.dumps(kwargs), description=description[:2000],
        enabled=enabled, expire_seconds=3600,
    )  # fmt: skip


def scheduled_task_set_enabled(*, by, task_id: int, enabled: bool):
    """Pause or resume a beat entry (the page's switch)."""
    return scheduled_task_update(by=by, task_id=task_id, enabled=enabled)


@transaction.atomic
def scheduled_task_update(*, by, task_id: int, cron: str | None = None, enabled: bool | None = None):
    """Change a beat entry's cron expression and/or its enabled flag. The expression is checked
    by :func:`parse_cron`, as on creation; a task that runs at a fixed interval (the product's
    minute jobs) keeps its interval. Audited with the old and new values; a refused call
    changes nothing."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    scheduled_task_for(by, task_id, "system:task:create")
    task = PeriodicTask.objects.select_for_update(of=("self",)).select_related("crontab").get(pk=task_id)
    old = {"cron_expression": cron_expression(task), "enabled": task.enabled}
    changed = []
    if cron is not None and cron.strip() != old["cron_expression"]:
        if task.crontab_id is None:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED,
                _("This task runs at a fixed interval set by the product; only pausing it is possible."),
                field="cron_expression",
            )
        fields = parse_cron(cron)
        task.crontab, _created = CrontabSchedule.objects.get_or_create(
            **fields, timezone=timezone.get_default_timezone_name()
        )
        changed.append("crontab")
    if enabled is not None and enabled != task.enabled:
        task.enabled = enabled
        changed.append("enabled")
    if not changed:
        return task
    task.save(update_fields=changed)  # django-celery-beat tells beat to reload its schedule
    from portal.audit.recorder import note_change

    note_change(
        action="system:task:update",
        resource_type="scheduled_task",
        resource_id=str(task.pk),
        description=_("Scheduled task changed: %(name)s") % {"name": task.name},
        old_value=old,
        new_value={"cron_expression": cron_expression(task), "enabled": task.enabled},
        user=by,
    )
    return task


def scheduled_task_execute(*, by, task_id: int) -> dict:
    """Run a scheduled task now, through celery like beat would (with the same header, so the
    run is recorded in the same history). With a worker the task is queued; in embedded mode it
    runs eagerly in this request and the outcome is returned."""
    from portal.celery import app

    periodic = scheduled_task_for(by, task_id, "system:task:execute")
    app.loader.import_default_modules()
    task = app.tasks.get(periodic.task)
    if task is None:
        raise DomainError(
            ErrorCode.CONFLICT, _("The task %(name)s is not known to this installation.") % {"name": periodic.task}
        )
    headers = {HEADER: periodic.name, TRIGGER_HEADER: RunTrigger.MANUAL, USER_HEADER: by.pk}
    try:
        args, kwargs = json.loads(periodic.args or "[]"), json.loads(periodic.kwargs or "{}")
    except ValueError:
        raise DomainError(ErrorCode.CONFLICT, _("The task's stored arguments are not valid JSON.")) from None
    try:
        result = task.apply_async(args=args, kwargs=kwargs, headers=headers)
    except Exception as exc:  # an eager run that failed: recorded as a failed run
        logger.exception("Run-now of %s failed", periodic.name)
        run = TaskRun.objects.filter(periodic_task=periodic).order_by("-id").first()
        if run is not None and run.error in ("", "None"):
            run.error = f"{type(exc).__name__}: {exc}"[:4000]
            run.save(update_fields=["error"])
        return {"celery_task_id": run.celery_task_id if run else None, "status": RunStatus.FAILURE, "run": run}
    run = TaskRun.objects.filter(celery_task_id=result.id).first()
    return {"celery_task_id": result.id, "status": run.status if run else "queued", "run": run}


# --- recording (celery signals) -------------------------------------------------------------------

_started: dict[str, float] = {}
_errors: dict[str, str] = {}


def _header(request, name):
    value = getattr(request, name, None)
    if value is None:
        value = (getattr(request, "headers", None) or {}).get(name)
    return value


def on_task_prerun(sender=None, task_id=None, task=None, **kwargs):
    try:
        request = task.request
        name = _header(request, HEADER)
        if not name or not task_id or task.name in UNRECORDED:
            return
        from django_celery_beat.models import PeriodicTask

        _started[task_id] = time.monotonic()
        user_id = _header(request, USER_HEADER)
        TaskRun.objects.update_or_create(
            celery_task_id=task_id,
            defaults={
                "periodic_task": PeriodicTask.objects.filter(name=name).first(),
                "periodic_task_name": name[:200],
                "task": task.name[:200],
                "trigger": _header(request, TRIGGER_HEADER) or RunTrigger.SCHEDULE,
                "triggered_by_id": int(user_id) if user_id else None,
                "status": RunStatus.RUNNING,
                "started_at": timezone.now(),
            },
        )
    except Exception:
        logger.exception("Could not record the start of task %s", task_id)


def on_task_postrun(sender=None, task_id=None, task=None, retval=None, state=None, **kwargs):
    started = _started.pop(task_id, None) if task_id else None
    if started is None:
        return
    try:
        ok = state == "SUCCESS"
        if ok:
            text = "" if retval is None else json.dumps(retval, default=str)
        else:
            text = _errors.pop(task_id, "") or f"{retval!r}"
        TaskRun.objects.filter(celery_task_id=task_id).update(
            status=RunStatus.SUCCESS if ok else RunStatus.FAILURE,
            finished_at=timezone.now(),
            duration_ms=int((time.monotonic() - started) * 1000),
            result=text[:4000] if ok else "",
            error="" if ok else text[:4000],
        )
    except Exception:
        logger.exception("Could not record the end of task %s", task_id)


def on_task_failure(sender=None, task_id=None, exception=None, **kwargs):
    if task_id in _started:
        _errors[task_id] = f"{type(exception).__name__}: {exception}"


def connect_signals() -> None:
    from celery.signals import task_failure, task_postrun, task_prerun

    task_failure.connect(on_task_failure, dispatch_uid="opsportal.system.task_failure")
    task_prerun.connect(on_task_prerun, dispatch_uid="opsportal.system.task_prerun")
    task_postrun.connect(on_task_postrun, dispatch_uid="opsportal.system.task_postrun")
