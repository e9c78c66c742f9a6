"""Pages of the operations half of system administration: scheduled tasks, system status,
audit log (with CSV export), backup download, and the Prometheus ``/metrics`` endpoint."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from portal.errors import DomainError
from portal.page_views import PortalPageMixin
from portal.system import backup, monitoring, scheduling
from portal.system.api import ops_presenters as P


@never_cache
@require_GET
def prometheus_metrics(request):
    """Prometheus text format; refused (403) without the super admin's session, the configured
    bearer token or an allowed client address."""
    if not monitoring.metrics_access_allowed(request):
        return HttpResponse("forbidden\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(monitoring.prometheus_text(), content_type="text/plain; version=0.0.4; charset=utf-8")


class PlatformPageMixin(PortalPageMixin):
    """Pages over the whole installation: the platform super admin only."""

    platform_only = True


class ScheduledTasksPage(PlatformPageMixin, TemplateView):
    """Beat entries with cron help, run statistics, the recent runs, "run now" and new entries."""

    template_name = "system/tasks.html"
    required_permissions = {"get": "system:task:read", "post": "system:task:read"}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["tasks"] = [P.v1_task(t, s) for t, s in scheduling.scheduled_tasks_for(user)]
        ctx["runs"] = scheduling.runs_for(user).select_related("periodic_task")[:30]
        ctx["backups"] = backup.list_backups()
        ctx["task_types"] = [(code, spec.label) for code, spec in scheduling.TASK_TYPES.items()]
        ctx.setdefault("form", {"cron_expression": "0 3 * * 0", "task_type": "cleanup"})
        ctx["editing"] = self.editing(ctx["tasks"], ctx.get("edit_form"))
        return ctx

    def editing(self, tasks, posted):
        """The task whose schedule the edit card shows (``?edit=<id>``, or the refused post)."""
        wanted = posted.get("task_id") if posted else self.request.GET.get("edit", "")
        task = next((t for t in tasks if str(t["task_id"]) == str(wanted)), None)
        if task is None:
            return None
        if posted:
            return {
                **task,
                "cron_expression": posted.get("cron_expression", ""),
                "enabled": posted.get("enabled") == "1",
            }
        return {**task, "enabled": task["status"] == "running"}

    def post(self, request):
        action = request.POST.get("action")
        try:
            if action == "run":
                outcome = scheduling.scheduled_task_execute(by=request.user, task_id=int(request.POST["task_id"]))
                level = messages.ERROR if outcome["status"] == "failure" else messages.SUCCESS
                messages.add_message(request, level, _("Run %(status)s.") % {"status": outcome["status"]})
            elif action == "update":
                scheduling.scheduled_task_update(
                    by=request.user, task_id=int(request.POST["task_id"]),
                    cron=request.POST.get("cron_expression") if "cron_expression" in request.POST else None,
                    enabled=request.POST.get("enabled") == "1",
                )  # fmt: skip
                messages.success(request, _("Schedule saved."))
            elif action == "toggle":
                task = scheduling.scheduled_task_set_enabled(
                    by=request.user, task_id=int(request.POST["task_id"]), enabled=request.POST.get("enabled") == "1"
                )
                messages.success(request, _("Task resumed.") if task.enabled else _("Task paused."))
            else:
                retention = request.POST.get("retention_days", "").strip()
                config = {"retention_days": int(retention)} if retention.isdigit() else {}
                scheduling.scheduled_task_create(
                    by=request.user, task_name=request.POST.get("task_name", ""),
                    task_type=request.POST.get("task_type", ""), cron=request.POST.get("cron_expression", ""),
                    description=request.POST.get("description", ""), config=config,
                )  # fmt: skip
                messages.success(request, _("Scheduled task created."))
        except (DomainError, ValueError, KeyError) as exc:
            error = str(getattr(exc, "message", exc))
            if action == "update":
                context = self.get_context_data(edit_form=request.POST, edit_error=error)
            else:
                context = self.get_context_data(form=request.POST, error=error)
            return self.render_to_response(context, status=400)
        return redirect("system:tasks")


class StatusPage(PlatformPageMixin, TemplateView):
    """Services, host figures and live charts (snapshots pushed over the WebSocket)."""

    template_name = "system/status.html"
    required_permissions = "system:monitor:read"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = monitoring.system_status(user=self.request.user)
        ctx["status"] = status
        ctx["alerts"] = monitoring.alerts_for(self.request.user)[:10]
        host, requests = monitoring.host_metrics(), monitoring.request_metrics()
        ctx["snapshot"] = monitoring.live_snapshot(host=host, requests=requests)
        ctx["history"] = requests["per_minute"]
        return ctx


@never_cache
@require_GET
def backup_download(request, name: str):
    if not request.user.is_authenticated:
        raise PermissionDenied
    try:
        found = backup.backup_for_download(request.user, name)
    except DomainError as exc:
        if exc.code.spec.status == 404:
            raise Http404(exc.message) from None
        raise PermissionDenied(exc.message) from None
    return FileResponse(found.path.open("rb"), as_attachment=True, filename=found.name)


class _Echo:
    def write(self, value):
        return value


class AuditLogPage(PortalPageMixin, TemplateView):
    """The one audit log (``portal.audit.selectors``), filtered, paged, exportable as CSV."""

    template_name = "system/audit.html"
    required_permissions = "system:audit:read"
    PAGE = 50

    def rows(self):
        from portal.audit import selectors

        q = self.request.GET
        return selectors.filtered(
            selectors.audit_logs_for(self.request.user),
            start=selectors.parse_time(q.get("start_time", ""), "start_time"),
            end=selectors.parse_time(q.get("end_time", ""), "end_time", end=True),
            method=q.get("method", ""), result=q.get("result", ""), keyword=q.get("keyword", "").strip(),
        )  # fmt: skip

    def get(self, request, *args, **kwargs):
        try:
            rows = self.rows()
        except DomainError as exc:
            return self.render_to_response({"error": exc.message, "filters": request.GET, "logs": []}, status=400)
        if request.GET.get("format") == "csv":
            return self.csv(rows)
        return super().get(request, *args, rows=rows, **kwargs)

    def get_context_data(self, rows=None, **kwargs):
        from django.core.paginator import Paginator

        ctx = super().get_context_data(**kwargs)
        page = Paginator(rows, self.PAGE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx.update(page_obj=page, logs=page.object_list, filters=self.request.GET, query=query.urlencode())
        return ctx

    def csv(self, rows):
        writer = csv.writer(_Echo())
        head = ["time", "user", "tenant_id", "role", "method", "path", "status", "result", "action", "resource_type",
                "resource_id", "latency_ms", "ip", "request_id"]  # fmt: skip

        def lines():
            yield "\ufeff" + writer.writerow(head)
            for r in rows.iterator(chunk_size=500):
                yield writer.writerow([
                    r.created_at.isoformat(), r.username, r.tenant_id or "", r.role, r.method, r.path, r.status_code,
                    r.result, r.action, r.resource_type, r.resource_id, r.latency_ms, r.ip_address or "",
                    r.request_id,
                ])  # fmt: skip

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
        return response
