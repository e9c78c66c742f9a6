from django.urls import path

from engineers import views

app_name = "engineers"

urlpatterns = [
    path("", views.EngineerDirectoryView.as_view(), name="list"),
    path("skills/", views.SkillLibraryView.as_view(), name="skills"),
    path("<int:pk>/", views.EngineerProfileView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.EngineerEditView.as_view(), name="edit"),
    path("<int:pk>/status/", views.EngineerStatusView.as_view(), name="status"),
]
