from django.urls import path

from portal.api.routers import ContractRouter
from tickets.api import desk, v1

v1_router = ContractRouter()
v1_router.register("tickets", v1.V1TicketViewSet, basename="v1-ticket")

desk_router = ContractRouter()
desk_router.register("tickets", desk.DeskTicketViewSet, basename="desk-ticket")
desk_router.register("categories", desk.DeskCategoryViewSet, basename="desk-category")

v1_urlpatterns = v1_router.urls
desk_urlpatterns = [
    path("upload", desk.DeskUploadView.as_view(), name="desk-upload"),
    path("uploads/<int:pk>/download", desk.DeskUploadDownloadView.as_view(), name="desk-upload-download"),
    *desk_router.urls,
]
