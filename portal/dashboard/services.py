"""Every write of the workbench: layouts, recent visits, and task status changes (handed to
the task's own domain through its task source)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dashboard import layouts, selectors
from portal.dashboard.models import DashboardConfig, RecentVisit
from portal.dashboard.registry import TASK_STATUSES, Task
from portal.errors import DomainError, ErrorCode

MAX_VISITS = 20


def _require(user, code: str) -> None:
    if not user.has_contract_permission(code):
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, details={"required_permission": code})


@transaction.atomic
def config_save(*, user, data: dict) -> DashboardConfig:
    """Create or replace the caller's layout named ``config_name``. ``is_default`` makes it the
    one shown (the previous default stops being it); a user's first layout is the default."""
    _require(user, "dashboard:write")
    name = (data.get("config_name") or "").strip() or _("My workbench")
    if len(name) > 100:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("At most 100 characters."), field="config_name")
    layout, widgets, theme = layouts.clean_layout(
        user,
        layout_config=data.get("layout_config", {}),
        widget_configs=data.get("widget_configs", []),
        theme_config=data.get("theme_config"),
    )
    mine = selectors.configs_for(user).select_for_update()
    existing = list(mine)  # a handful of rows: lock them so two saves cannot both be default
    config = next((c for c in existing if c.config_name == name), None)
    make_default = bool(data.get("is_default")) or not any(c.is_default for c in existing if c is not config)
    if make_default:
        mine.exclude(config_name=name).filter(is_default=True).update(is_default=False)
    if config is None:
        config = DashboardConfig(tenant_id=user.tenant_id, user=user, config_name=name)
    config.layout_config = layout
    config.widget_configs = widgets
    config.theme_config = theme
    config.is_default = make_default or config.is_default
    config.save()
    return config


@transaction.atomic
def config_delete(*, user, config: DashboardConfig) -> None:
    """Soft-delete one of the caller's layouts; the newest remaining one becomes the default."""
    _require(user, "dashboard:delete")
    was_default = config.is_default
    DashboardConfig.objects.filter(pk=config.pk).update(is_deleted=True, is_default=False, deleted_at=timezone.now())
    if was_default:
        successor = selectors.configs_for(user).order_by("-updated_at", "-id").first()
        if successor is not None:
            DashboardConfig.objects.filter(pk=successor.pk).update(is_default=True)


def visit_record(*, user, key: str, name: str, url: str) -> None:
    """Remember that ``user`` opened ``url`` (one row per URL, refreshed), keeping the latest
    ``MAX_VISITS``: one upsert and one bounded delete, whatever the history."""
    if not user.is_authenticated or not user.tenant_id:
        return
    visit = RecentVisit(
        tenant_id=user.tenant_id, user=user, key=key[:100], name=name[:200], url=url[:500], visited_at=timezone.now()
    )
    RecentVisit.objects.bulk_create(
        [visit], update_conflicts=True, unique_fields=["user", "url"], update_fields=["key", "name", "visited_at"]
    )
    stale = selectors.visits_for(user).values("pk")[MAX_VISITS:]
    RecentVisit.objects.filter(user=user, pk__in=stale).delete()


def task_set_status(*, user, task_id: int, status: str, comment: str = "", type: str = "ticket") -> Task:
    """Change a task's status through its own domain (a ticket task moves the ticket through
    the ticket state machine, in one transaction with its history and notifications)."""
    _require(user, "task:update")
    if status not in TASK_STATUSES:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown task status."), field="status")
    if comment and len(comment) > 1000:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("At most 1000 characters."), field="comment")
    source = selectors.task_source(user, type)
    return source.set_status(user, task_id, status, comment or "")
