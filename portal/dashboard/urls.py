from django.urls import path, re_path

from portal.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    re_path(r"^statistics/export\.(?P<fmt>csv|xlsx)$", views.StatisticsExportView.as_view(), name="statistics-export"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("widgets/<slug:widget_code>/preview.svg", views.WidgetPreviewView.as_view(), name="widget-preview"),
]
