from django.urls import path

from portal.dashboard.views import WorkbenchView

app_name = "portal"

urlpatterns = [
    path("", WorkbenchView.as_view(), name="dashboard"),
]
