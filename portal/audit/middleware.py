"""One audit row per mutating request (POST, PUT, PATCH, DELETE) of the APIs, pages and admin.

Refused calls (4xx, 5xx) are recorded as failures. The row joins what services noted about the
change (``recorder.note_change``). Secrets in request bodies are masked before they are stored.
"""

from __future__ import annotations

import json
import logging
import time

from portal.api.parsers import loads_bounded
from portal.audit import recorder
from portal.client import client_ip

logger = logging.getLogger("portal.audit")

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SKIPPED_PREFIXES = ("/static/", "/media/", "/healthz", "/readyz", "/metrics", "/ws/", "/favicon.ico")
MAX_BODY = 64 * 1024


def _source(path: str) -> str:
    from portal.audit.models import AuditSource

    if path.startswith("/api/v1/"):
        return AuditSource.API_V1
    if path.startswith("/api/"):
        return AuditSource.API_DESK
    if path.startswith("/admin/"):
        return AuditSource.ADMIN
    return AuditSource.PAGE


def _json_body(request):
    content_type = request.META.get("CONTENT_TYPE", "")
    if "json" not in content_type:
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= MAX_BODY:
        return None
    try:
        # The API's bounded loader: a body it refuses (NUL characters that PostgreSQL's jsonb
        # cannot store, depth, huge integers) is not kept, so the audit row itself never fails.
        return loads_bounded(request.body.decode())  # caches the body: the view still reads it
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    except Exception:  # noqa: BLE001 - RawPostDataException and friends: no body to show
        return None


def _form_body(request):
    try:
        return {k: (vs[0] if len(vs) == 1 else vs) for k, vs in request.POST.lists()}
    except Exception:  # noqa: BLE001 - a body Django could not parse
        return None


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in MUTATING or request.path.startswith(SKIPPED_PREFIXES):
            return self.get_response(request)
        started = time.perf_counter()
        body = _json_body(request)
        token = recorder.start()
        try:
            response = self.get_response(request)
        finally:
            collector = recorder.stop(token)
        latency = int((time.perf_counter() - started) * 1000)
        if body is None:
            body = _form_body(request)
        try:
            self._write(request, response, collector, body, latency)
        except Exception:  # an audit failure must not turn a done change into an error
            logger.exception("audit row for %s %s not written", request.method, request.path)
        return response

    def _write(self, request, response, collector, body, latency: int) -> None:
        from portal.audit.models import AuditLog, AuditResult

        user = getattr(request, "user", None)
        authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
        match = getattr(request, "resolver_match", None)
        noted = recorder.merged(collector.notes if collector else [])
        action = noted.pop("action", "") or (collector.action if collector else "")
        if not action:
            action = getattr(match, "view_name", "") or f"{request.method} {request.path}"
        resource_type = noted.pop("resource_type", "") or action.rpartition(":")[0].replace(":", "_")
        resource_id = noted.pop("resource_id", "")
        if not resource_id and match is not None and match.kwargs:
            resource_id = str(next(iter(match.kwargs.values())))[:255]
        username = getattr(user, "username", "") if authenticated else ""
        if not username and isinstance(body, dict):
            username = str(body.get("username") or body.get("email") or "")[:150]
        status = response.status_code
        AuditLog.objects.create(
            tenant_id=getattr(user, "tenant_id", None) if authenticated else None,
            user=user if authenticated else None,
            username=username,
            role=(getattr(user, "primary_role", "") or "") if authenticated else "",
            source=_source(request.path),
            action=action[:100],
            resource_type=resource_type[:64],
            resource_id=resource_id,
            description=noted.pop("description", ""),
            method=request.method,
            path=request.path[:500],
            status_code=status,
            result=AuditResult.SUCCESS if status < 400 else AuditResult.FAILURE,
            latency_ms=latency,
            ip_address=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            request_id=str(getattr(request, "id", ""))[:64],
            old_value=noted.get("old_value"),
            new_value=noted.get("new_value"),
            request_data=_trimmed(_masked(body, collector)) if body else None,
        )


def _masked(body, collector):
    if collector is not None and collector.sensitive:
        return recorder.mask_all(body)
    return recorder.mask(body)


def _trimmed(data):
    text = json.dumps(data, ensure_ascii=False, default=str)
    if len(text) <= recorder.MAX_STORED:
        return data
    return {"truncated": text[: recorder.MAX_STORED]}
