from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.TicketListView.as_view(), name="list"),
    path("mine/", views.MyTicketListView.as_view(), name="mine"),
    path("unassigned/", views.UnassignedTicketListView.as_view(), name="unassigned"),
    path("new/", views.TicketCreateView.as_view(), name="create"),
    path("bulk/", views.TicketBulkView.as_view(), name="bulk"),
    path("categories/", views.CategoryManageView.as_view(), name="categories"),
    path("categories/<int:pk>/", views.CategoryManageView.as_view(), name="category_edit"),
    path("attachments/<int:pk>/download/", views.AttachmentDownloadView.as_view(), name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="attachment_delete"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.TicketEditView.as_view(), name="edit"),
    path("<int:pk>/<slug:action>/", views.TicketActionView.as_view(), name="action"),
]
