from django.urls import path

from portal.api.routers import ContractRouter
from portal.notifications.api import desk, v1

v1_router = ContractRouter()
v1_router.register("dashboard/notifications", v1.V1NotificationViewSet, basename="v1-notification")

desk_router = ContractRouter()
desk_router.register("notifications", desk.DeskNotificationViewSet, basename="desk-notification")

v1_urlpatterns = v1_router.urls
desk_urlpatterns = [
    path("admin/email-config", desk.DeskEmailConfigView.as_view(), name="desk-email-config"),
    path("admin/email-config/", desk.DeskEmailConfigView.as_view()),
    path("admin/email-config/test", desk.DeskEmailConfigTestView.as_view(), name="desk-email-config-test"),
    path("admin/email-config/test/", desk.DeskEmailConfigTestView.as_view()),
    *desk_router.urls,
]
