from django.urls import path

from portal.system import views_announcements, views_maintenance, views_ops, views_settings

app_name = "system"

urlpatterns = [
    path("configs/", views_settings.ConfigsView.as_view(), name="configs"),
    path("modules/", views_settings.ModulesView.as_view(), name="modules"),
    path("announcements/", views_announcements.AnnouncementsView.as_view(), name="announcements"),
    path("announcements/<int:pk>/dismiss/", views_announcements.AnnouncementDismissView.as_view(),
         name="announcement-dismiss"),
    path("maintenance/", views_maintenance.MaintenanceView.as_view(), name="maintenance"),
    path("tasks/", views_ops.ScheduledTasksPage.as_view(), name="tasks"),
    path("status/", views_ops.StatusPage.as_view(), name="status"),
    path("audit/", views_ops.AuditLogPage.as_view(), name="audit"),
    path("backups/<str:name>", views_ops.backup_download, name="backup-download"),
]  # fmt: skip
