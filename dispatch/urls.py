from django.urls import path

from dispatch import views

app_name = "dispatch"

urlpatterns = [
    path("", views.ConsoleView.as_view(), name="console"),
    path("tickets/<int:pk>/dispatch", views.DispatchActionView.as_view(), name="dispatch"),
    path("batch", views.BatchView.as_view(), name="batch"),
    path("config", views.ConfigView.as_view(), name="config"),
    path("workload", views.WorkloadView.as_view(), name="workload"),
    path("locations", views.LocationsView.as_view(), name="locations"),
]
