"""What the apps contribute to the workbench, as small registries.

The workbench (``portal.dashboard``) never imports an app. Each app ships a module named
``widgets`` (``tickets/widgets.py``, ``portal/notifications/widgets.py`` …), discovered at start-up
by ``DashboardConfig.ready``, that registers:

- **widgets** (:func:`register_widget`): a code, names, a chart type and a ``data(user, query)``
  function returning ``{"chart_data": {labels, datasets}, "summary": {...}, "items": [...]}``;
- **statistics providers** (:func:`register_statistics`): ``provider(user, window)`` returning
  parts of the ``overview`` / ``trends`` / ``distribution`` sections of ``GET dashboard/statistics``;
- **realtime providers** (:func:`register_realtime`): alerts and recent activities;
- **search providers** (:func:`register_search`): the app's own search, with its own visibility;
- **task sources** (:func:`register_task_source`): the user's to-dos and how to move them;
- **quick actions** (:func:`register_quick_action`).

Every contribution names the v1 permission code it needs on top of the endpoint's own; a
user without it simply does not get that contribution.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.functional import Promise


def contribution_enabled(function, user) -> bool:
    """Whether the module owning ``function`` (an app's widget, provider …) is switched on for
    the user's tenant (``portal.modules``): a switched-off module contributes nothing."""
    from portal.modules import is_enabled, module_of_package

    return is_enabled(module_of_package(getattr(function, "__module__", "") or ""), user)


# --- time windows ----------------------------------------------------------------------------

TIME_RANGES: dict[str, int] = {"1d": 1, "7d": 7, "30d": 30, "90d": 90}


@dataclass(frozen=True)
class Window:
    """The local days a figure covers: ``days`` days ending today (``1d`` is today)."""

    code: str
    days: int
    first_day: date
    start: datetime  # aware, local midnight of first_day

    @classmethod
    def of(cls, code: str, *, today: date | None = None) -> Window:
        days = TIME_RANGES[code]
        today = today or timezone.localdate()
        first = today - timedelta(days=days - 1)
        start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
        return cls(code, days, first, start)

    def dates(self) -> list[date]:
        return [self.first_day + timedelta(days=i) for i in range(self.days)]


# --- widgets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WidgetQuery:
    """What a widget's data function is asked for: the window and the widget's own config."""

    window: Window
    config: dict


@dataclass(frozen=True)
class Widget:
    code: str
    name: str | Promise
    description: str | Promise
    data: Callable[..., dict]  # data(user, query: WidgetQuery) -> dict
    widget_type: str = "chart"  # chart | stat | list
    chart_type: str | None = "bar"  # line | bar | doughnut | None (no chart)
    permission: str | None = None  # needed on top of dashboard:read
    module: str = ""  # the app label (tenant module switching hides widgets of disabled modules)
    config_schema: dict = field(default_factory=dict)
    min_width: int = 3
    min_height: int = 3
    width: int = 6
    height: int = 4
    #: built-in roles whose default layout shows it (order: ``order``)
    default_for: frozenset[str] = frozenset()
    order: int = 100

    def allows(self, user) -> bool:
        if self.permission and not user.has_contract_permission(self.permission):
            return False
        return contribution_enabled(self.data, user)


WIDGETS: dict[str, Widget] = {}


def register_widget(widget: Widget) -> Widget:
    WIDGETS[widget.code] = widget
    return widget


def widgets_for(user) -> list[Widget]:
    return sorted((w for w in WIDGETS.values() if w.allows(user)), key=lambda w: (w.order, w.code))


def widget_for(user, code: str) -> Widget | None:
    widget = WIDGETS.get(code)
    return widget if widget is not None and widget.allows(user) else None


# --- statistics and realtime -----------------------------------------------------------------


@dataclass(frozen=True)
class StatisticsProvider:
    name: str
    provide: Callable[..., dict]  # provide(user, window) -> {"overview": {}, "trends": {}, "distribution": {}}
    permission: str | None = None


STATISTICS: dict[str, StatisticsProvider] = {}


def register_statistics(name: str, provide: Callable[..., dict], *, permission: str | None = None) -> None:
    STATISTICS[name] = StatisticsProvider(name, provide, permission)


@dataclass(frozen=True)
class RealtimeProvider:
    name: str
    provide: Callable[..., dict]  # provide(user) -> {"alerts": [...], "recent_activities": [...]}
    permission: str | None = None


REALTIME: dict[str, RealtimeProvider] = {}


def register_realtime(name: str, provide: Callable[..., dict], *, permission: str | None = None) -> None:
    REALTIME[name] = RealtimeProvider(name, provide, permission)


# --- search ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One result. ``score`` is in [0, 1] and comparable across kinds; ``text`` is the plain
    text to highlight (the title, or the snippet of the field that matched)."""

    kind: str
    id: str
    title: str
    text: str
    url: str
    score: float
    created_at: datetime | None = None


@dataclass(frozen=True)
class SearchProvider:
    kind: str  # ticket | user | knowledge
    label: str | Promise
    search: Callable[..., list[SearchHit]]  # search(user, text, limit) -> ranked hits
    permission: str | None = None
    order: int = 100


SEARCH: dict[str, SearchProvider] = {}


def register_search(provider: SearchProvider) -> None:
    SEARCH[provider.kind] = provider


def search_providers_for(user) -> list[SearchProvider]:
    return sorted(
        (
            p
            for p in SEARCH.values()
            if (not p.permission or user.has_contract_permission(p.permission)) and contribution_enabled(p.search, user)
        ),
        key=lambda p: (p.order, p.kind),
    )


# --- tasks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    id: int
    type: str
    title: str
    priority: str
    status: str  # pending | in_progress | completed
    assigned_to: str | None
    due_time: datetime | None
    created_at: datetime
    description: str
    url: str
    is_overdue: bool = False


@dataclass(frozen=True)
class TaskSource:
    """A kind of to-do. ``page(user, filters, start, stop)`` returns ``(tasks, total)`` and
    ``summary(user)`` the counts; ``set_status(user, task_id, status, comment)`` moves one task
    through its own domain's rules (raising its domain errors) and returns the task."""

    type: str
    page: Callable[..., tuple[list[Task], int]]
    summary: Callable[..., dict]
    set_status: Callable[..., Task]
    permission: str | None = None


TASK_STATUSES = ("pending", "in_progress", "completed")
ALERT_LEVELS = ("info", "warning", "critical")
TASK_SOURCES: dict[str, TaskSource] = {}


def register_task_source(source: TaskSource) -> None:
    TASK_SOURCES[source.type] = source


def task_sources_for(user) -> list[TaskSource]:
    return [
        s
        for s in TASK_SOURCES.values()
        if (not s.permission or user.has_contract_permission(s.permission)) and contribution_enabled(s.page, user)
    ]


# --- quick actions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuickAction:
    id: str
    label: str | Promise
    url_name: str
    permission: str | None = None
    icon: str = "plus"
    order: int = 100


QUICK_ACTIONS: dict[str, QuickAction] = {}


def register_quick_action(action: QuickAction) -> None:
    QUICK_ACTIONS[action.id] = action
