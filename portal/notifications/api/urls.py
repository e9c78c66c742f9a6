from django.urls import re_path

from portal.api.routers import ContractRouter
from portal.notifications.api import desk, v1

v1_router = ContractRouter()
v1_router.register("dashboard/notifications", v1.V1NotificationViewSet, basename="v1-notification")

desk_router = ContractRouter()
desk_router.register("notifications", desk.DeskNotificationViewSet, basename="desk-notification")

v1_urlpatterns = v1_router.urls
desk_urlpatterns = [
    # The contract writes paths without a trailing slash; accept both, as ContractRouter does.
    re_path(r"^admin/email-config/?$", desk.DeskEmailConfigView.as_view(), name="desk-email-config"),
    re_path(r"^admin/email-config/test/?$", desk.DeskEmailConfigTestView.as_view(), name="desk-email-config-test"),
    *desk_router.urls,
]
