from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")


class AuditSource(models.TextChoices):
    API_V1 = "api_v1", _("API v1")
    API_DESK = "api_desk", _("Desk API")
    PAGE = "page", _("Portal page")
    ADMIN = "admin", _("Back office")
    SYSTEM = "system", _("System job")


class AuditLog(models.Model):
    """One row per mutating call (API, page form post, back-office action) or system change.

    Written by ``portal.audit.middleware.AuditMiddleware`` once per request, enriched with what
    the services noted (``recorder.note_change``: resource, old and new value); changes made
    outside a request (jobs, shell) write their own row. Request bodies are stored with secrets
    masked. ``tenant`` is the actor's tenant (None: platform or anonymous)."""

    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("tenant")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("user"),
    )  # fmt: skip
    username = models.CharField(_("user name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=50, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=AuditSource.choices)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    resource_type = models.CharField(_("resource type"), max_length=64, blank=True, db_index=True)
    resource_id = models.CharField(_("resource id"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=AuditResult.choices, db_index=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)
    request_data = models.JSONField(_("request data (secrets masked)"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["tenant", "-created_at"], name="audit_tenant_time")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"
