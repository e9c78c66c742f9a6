from accounts.api import desk, v1
from portal.api.routers import ContractRouter

v1_router = ContractRouter()
v1_router.register("roles", v1.RoleViewSet, basename="v1-role")
v1_router.register("permissions", v1.PermissionViewSet, basename="v1-permission")

desk_router = ContractRouter()
desk_router.register("admin/users", desk.DeskUserViewSet, basename="desk-user")

v1_urlpatterns = v1_router.urls
desk_urlpatterns = desk_router.urls
