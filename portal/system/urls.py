from django.urls import path

from portal.system import views_announcements, views_maintenance, views_settings

app_name = "system"

urlpatterns = [
    path("configs/", views_settings.ConfigsView.as_view(), name="configs"),
    path("modules/", views_settings.ModulesView.as_view(), name="modules"),
    path("announcements/", views_announcements.AnnouncementsView.as_view(), name="announcements"),
    path("announcements/<int:pk>/dismiss/", views_announcements.AnnouncementDismissView.as_view(),
         name="announcement-dismiss"),
    path("maintenance/", views_maintenance.MaintenanceView.as_view(), name="maintenance"),
]  # fmt: skip
