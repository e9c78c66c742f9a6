from django.urls import path

from knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.KnowledgeHomeView.as_view(), name="list"),
    path("new/", views.DocumentEditView.as_view(), name="create"),
    path("preview/", views.PreviewView.as_view(), name="preview"),
    path("reviews/", views.ReviewQueueView.as_view(), name="reviews"),
    path("categories/new/", views.CategoryCreateView.as_view(), name="category_create"),
    path("ticket/<int:ticket_pk>/suggestions/", views.TicketSuggestionsView.as_view(), name="ticket_suggestions"),
    path("attachments/<int:pk>/download/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.DocumentEditView.as_view(), name="edit"),
    path("<int:pk>/history/", views.DocumentHistoryView.as_view(), name="history"),
    path("<int:pk>/<slug:action>/", views.DocumentActionView.as_view(), name="action"),
]
