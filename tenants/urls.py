from django.urls import path

from tenants import views

app_name = "tenants"

urlpatterns = [
    path("", views.TenantListView.as_view(), name="list"),
    path("<int:pk>/", views.TenantEditView.as_view(), name="edit"),
]
