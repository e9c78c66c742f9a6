"""Records what the workbench reports about requests: recent page visits per user (v1 §2.4.1
``recent_visits``) and a per-minute API request counter (``api_qps`` of §2.2.2)."""

from __future__ import annotations

import logging

from django.utils import timezone

from portal.cache import count_in_window
from portal.dashboard import selectors, services

logger = logging.getLogger(__name__)
SKIP_VIEWS = {"portal:dashboard"}


def _nav_label(view_name: str) -> str | None:
    from portal.navigation import NAVIGATION

    for section in NAVIGATION:
        for item in section.items:
            if item.url_name == view_name:
                return str(item.label)
    return None


class WorkbenchMiddleware:
    """Pages name themselves for the recent-visits list with ``request.visit = (key, name)``;
    sidebar pages are named by their sidebar entry. Only successful GETs of HTML pages count."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            self._count_api_hit()
        elif request.method == "GET" and response.status_code == 200:
            self._record_visit(request, response)
        return response

    def _count_api_hit(self) -> None:
        key = selectors.qps_key(int(timezone.now().timestamp() // 60))
        try:
            count_in_window(key, 180)
        except Exception:
            logger.debug("api hit counter unavailable", exc_info=True)

    def _record_visit(self, request, response) -> None:
        user = getattr(request, "user", None)
        if not user or not user.is_authenticated or not user.tenant_id:
            return
        if not response.get("Content-Type", "").startswith("text/html") or request.headers.get("HX-Request"):
            return
        visit = getattr(request, "visit", None)
        if visit is None:
            match = getattr(request, "resolver_match", None)
            view_name = getattr(match, "view_name", None)
            if not view_name or view_name in SKIP_VIEWS:
                return
            label = _nav_label(view_name)
            if label is None:
                return
            visit = (view_name.replace(":", "_"), label)
        services.visit_record(user=user, key=visit[0], name=visit[1], url=request.path[:500])
