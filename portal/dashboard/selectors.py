"""Every read of the workbench: the caller's own layouts and visits, and the figures, tasks,
search results and widgets the apps contribute through ``portal.dashboard.registry``."""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.dashboard import registry
from portal.dashboard.highlight import highlight
from portal.dashboard.models import DashboardConfig, RecentVisit
from portal.errors import DomainError, ErrorCode
from portal.navigation import navigation_for

SECTIONS = ("overview", "trends", "distribution")
SEARCH_KINDS = ("ticket", "user", "knowledge")
MAX_SEARCH = 50


def configs_for(user) -> QuerySet:
    """The caller's own saved layouts (anyone else's simply is not there: a 404)."""
    if not user or not user.is_authenticated:
        return DashboardConfig.objects.none()
    return DashboardConfig.objects.for_user(user).filter(user=user)


def visits_for(user) -> QuerySet:
    if not user or not user.is_authenticated:
        return RecentVisit.objects.none()
    return RecentVisit.objects.for_user(user).filter(user=user)


def window_for(time_range: str | None, *, default: str = "7d") -> registry.Window:
    code = time_range or default
    if code not in registry.TIME_RANGES:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("Unknown time range: use one of %(ranges)s.") % {"ranges": ", ".join(registry.TIME_RANGES)},
            field="time_range",
        )
    return registry.Window.of(code)


def _merge(into: dict, part: dict) -> None:
    for key, value in part.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def statistics(*, user, time_range: str | None, metrics: str | None = None) -> dict:
    """``GET dashboard/statistics``: every statistics provider the caller may use, merged."""
    window = window_for(time_range)
    wanted = [m.strip() for m in (metrics or "").split(",") if m.strip()] or list(SECTIONS)
    unknown = [m for m in wanted if m not in SECTIONS]
    if unknown:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("Unknown metrics: %(names)s (use %(known)s).")
            % {"names": ", ".join(unknown), "known": ", ".join(SECTIONS)},
            field="metrics",
        )
    out: dict = {section: {} for section in SECTIONS}
    for provider in registry.STATISTICS.values():
        if provider.permission and not user.has_contract_permission(provider.permission):
            continue
        if not registry.contribution_enabled(provider.provide, user):
            continue
        _merge(out, provider.provide(user, window))
    body = {"time_range": window.code, "start_date": window.first_day.isoformat()}
    body.update({section: out[section] for section in SECTIONS if section in wanted})
    body["generated_at"] = timezone.now()
    return body


# API request counter for ``api_qps``: one cache key per minute, incremented by the middleware.
def qps_key(minute: int) -> str:
    return f"dashboard:api-hits:{minute}"


def api_qps() -> float:
    """Requests per second over the last full minute (this cache's processes)."""
    last_minute = int(timezone.now().timestamp() // 60) - 1
    return round((cache.get(qps_key(last_minute)) or 0) / 60, 2)


def _monitors(user) -> bool:
    return user.has_contract_permission("monitor:read") or user.has_contract_permission("system:monitor:read")


def _system_status(user) -> dict:
    """Host figures (CPU, memory) and the request rate of every tenant only for the platform
    operator (``monitoring.sees_platform``); a tenant's monitors get their tenant's rate."""
    from portal.system import monitoring

    status = {"status": "healthy", "cpu_usage": None, "memory_usage": None, "active_users": None, "api_qps": None}
    if not _monitors(user):
        return status
    if not monitoring.sees_platform(user):
        status["api_qps"] = monitoring.request_metrics(tenant_id=user.tenant_id)["requests_per_second"]
        return status
    try:
        import psutil

        status["cpu_usage"] = round(psutil.cpu_percent(interval=None), 1)
        status["memory_usage"] = round(psutil.virtual_memory().percent, 1)
    except Exception:  # noqa: BLE001 - no figures rather than no answer
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        status["cpu_usage"] = round(load * 100 / (os.cpu_count() or 1), 1) if load is not None else None
    status["api_qps"] = api_qps()
    busy = [v for v in (status["cpu_usage"], status["memory_usage"]) if v is not None and v >= 90]
    status["status"] = "warning" if busy else "healthy"
    return status


def realtime(*, user) -> dict:
    """``GET dashboard/realtime``: system status (figures only for monitors), the alerts and
    recent activities the apps report within the caller's visibility."""
    body = {"system_status": _system_status(user), "alerts": [], "recent_activities": []}
    monitors = _monitors(user)
    for provider in registry.REALTIME.values():
        if provider.permission and not user.has_contract_permission(provider.permission):
            continue
        if not registry.contribution_enabled(provider.provide, user):
            continue
        part = provider.provide(user)
        if monitors or "system_status" not in part:
            _merge(body["system_status"], part.get("system_status", {}))
        body["alerts"] += part.get("alerts", [])
        body["recent_activities"] += part.get("recent_activities", [])
    if body["alerts"] and body["system_status"]["status"] == "healthy":
        levels = {a["level"] for a in body["alerts"]}
        body["system_status"]["status"] = "critical" if "critical" in levels else "warning"
    body["recent_activities"].sort(key=lambda a: a["timestamp"], reverse=True)
    body["recent_activities"] = body["recent_activities"][:10]
    return body


# --- tasks -----------------------------------------------------------------------------------


def tasks(*, user, status: str | None, priority: str | None, page: int, size: int, type: str | None = None):
    """The caller's to-dos from every task source, summary first. Sources are paged one after
    the other (tickets first), so a page never loads more rows than it shows."""
    if status and status not in registry.TASK_STATUSES:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown task status."), field="status")
    sources = [s for s in registry.task_sources_for(user) if type in (None, "", s.type)]
    summary = {"total": 0, "pending": 0, "in_progress": 0, "overdue": 0}
    items, total = [], 0
    start, stop = (page - 1) * size, page * size
    for source in sources:
        part = source.summary(user)
        for key in summary:
            summary[key] += part.get(key, 0)
        rows, count = source.page(
            user, status=status, priority=priority, start=max(0, start - total), stop=max(0, stop - total)
        )
        items += rows
        total += count
    return summary, items[:size], total


def task_source(user, type: str) -> registry.TaskSource:
    for source in registry.task_sources_for(user):
        if source.type == type:
            return source
    raise DomainError(ErrorCode.NOT_FOUND)


# --- navigation ------------------------------------------------------------------------------


def _url(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def navigation(*, user, request=None) -> dict:
    """``GET dashboard/navigation``: the sidebar's own registry serialised (so the two never
    disagree), the quick actions the caller may take, and their recent visits."""
    menus = []
    for section in navigation_for(user, request):
        children = [
            {"id": item.url_name, "name": str(item.label), "icon": item.icon, "url": item.url} for item in section.items
        ]
        menus.append(
            {
                "id": section.key,
                "name": str(section.label) if section.label else children[0]["name"],
                "icon": section.items[0].icon,
                "url": children[0]["url"],
                "children": children,
            }
        )
    visible = {child["id"] for menu in menus for child in menu["children"]}
    actions = []
    for action in sorted(registry.QUICK_ACTIONS.values(), key=lambda a: (a.order, a.id)):
        if action.permission and not user.has_contract_permission(action.permission):
            continue
        url = _url(action.url_name)
        if url is None:
            continue
        # an entry the navigation registry hides (module switched off …) hides its action too
        if _is_nav_entry(action.url_name) and action.url_name not in visible:
            continue
        actions.append({"id": action.id, "name": str(action.label), "icon": action.icon, "url": url})
    visits = [{"id": v.key, "name": v.name, "url": v.url, "visited_at": v.visited_at} for v in visits_for(user)[:10]]
    return {"menus": menus, "quick_actions": actions, "recent_visits": visits}


def _is_nav_entry(url_name: str) -> bool:
    from portal.navigation import NAVIGATION

    return any(item.url_name == url_name for section in NAVIGATION for item in section.items)


# --- search ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    total: int
    results: list[dict]
    groups: list[dict]
    by_kind: dict[str, list[dict]]  # each kind's own best hits (the page groups by kind)


def search(*, user, q: str | None, type: str | None = "all", limit: int = 10) -> SearchResult:
    """``GET dashboard/search``: each kind's own search (with its own visibility), merged by
    score; ties go to the newer item. Highlights are escaped text with ``<em>`` only."""
    text = " ".join((q or "").split())
    if len(text) > 100:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("At most 100 characters."), field="q")
    kind = type or "all"
    if kind != "all" and kind not in SEARCH_KINDS:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Unknown search type."), field="type")
    if not text:  # nothing asked, nothing found
        return SearchResult(total=0, results=[], groups=[], by_kind={})
    hits: list[registry.SearchHit] = []
    groups = []
    for provider in registry.search_providers_for(user):
        if kind not in ("all", provider.kind):
            continue
        found = provider.search(user, text, limit)
        hits += found
        groups.append({"type": provider.kind, "name": str(provider.label), "count": len(found)})
    epoch = timezone.now().replace(year=1970, month=1, day=1)
    hits.sort(key=lambda h: (h.score, h.created_at or epoch), reverse=True)
    presented = [
        {
            "type": h.kind,
            "id": h.id,
            "title": h.title,
            "highlight": highlight(h.text, text),
            "url": h.url,
            "score": round(h.score, 2),
        }
        for h in hits
    ]
    by_kind = {g["type"]: [r for r in presented if r["type"] == g["type"]] for g in groups}
    results = presented[:limit]
    return SearchResult(total=len(results), results=results, groups=groups, by_kind=by_kind)


# --- widgets ---------------------------------------------------------------------------------


def widget_data(*, user, code: str, time_range: str | None, config: dict | None) -> dict:
    widget = registry.widget_for(user, code)
    if widget is None:
        raise DomainError(ErrorCode.NOT_FOUND, _("No such widget."))
    config = config or {}
    window = window_for(time_range or config.get("time_range"))
    data = widget.data(user, registry.WidgetQuery(window=window, config=config))
    data.setdefault("chart_data", None)
    data.setdefault("summary", {})
    data.update({"widget_code": widget.code, "time_range": window.code})
    return data
