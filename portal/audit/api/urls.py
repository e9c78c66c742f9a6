from django.urls import re_path

from portal.audit.api import views

v1_urlpatterns = [
    re_path(r"^audit/logs/?$", views.V1AuditLogView.as_view(), name="v1-audit-logs"),
    re_path(r"^admin/system/audit-logs/?$", views.V1AdminAuditLogView.as_view(), name="v1-system-audit-logs"),
]
desk_urlpatterns = [
    re_path(r"^admin/audit-logs/?$", views.DeskAuditLogView.as_view(), name="desk-audit-logs"),
]
