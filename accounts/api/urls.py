from django.urls import path

from accounts.api import admin, auth, desk, v1
from portal.api.routers import ContractRouter

v1_router = ContractRouter()
v1_router.register("roles", v1.RoleViewSet, basename="v1-role")
v1_router.register("permissions", v1.PermissionViewSet, basename="v1-permission")
v1_router.register("users", admin.V1UserViewSet, basename="v1-user")
v1_router.register("admin/users", admin.V1AdminUserViewSet, basename="v1-admin-user")
v1_router.register("admin/sessions", admin.V1SessionViewSet, basename="v1-admin-session")
v1_router.register("admin/roles", admin.V1AdminRoleViewSet, basename="v1-admin-role")
v1_router.register("admin/permissions", admin.V1AdminPermissionViewSet, basename="v1-admin-permission")
v1_router.register("admin/departments", admin.V1DepartmentViewSet, basename="v1-admin-department")
v1_router.register("admin/audit/login-logs", admin.V1LoginLogViewSet, basename="v1-audit-login-log")
v1_router.register("admin/audit/permission-logs", admin.V1PermissionLogViewSet, basename="v1-audit-permission-log")

desk_router = ContractRouter()
desk_router.register("admin/users", desk.DeskUserViewSet, basename="desk-user")

v1_urlpatterns = [
    path("auth/login", auth.V1LoginView.as_view(), name="v1-auth-login"),
    path("auth/mfa/verify", auth.V1MfaVerifyView.as_view(), name="v1-auth-mfa-verify"),
    path("auth/mfa/setup", auth.V1MfaSetupView.as_view(), name="v1-auth-mfa-setup"),
    path("auth/mfa/enable", auth.V1MfaEnableView.as_view(), name="v1-auth-mfa-enable"),
    path("auth/mfa/disable", auth.V1MfaDisableView.as_view(), name="v1-auth-mfa-disable"),
    path("auth/refresh", auth.V1RefreshView.as_view(), name="v1-auth-refresh"),
    path("auth/logout", auth.V1LogoutView.as_view(), name="v1-auth-logout"),
    path("auth/me", auth.V1MeView.as_view(), name="v1-auth-me"),
    path("auth/password/reset", auth.V1PasswordResetView.as_view(), name="v1-auth-password-reset"),
    path("auth/password/reset/confirm", auth.V1PasswordResetConfirmView.as_view(), name="v1-auth-password-confirm"),
    path("auth/captcha", auth.V1CaptchaView.as_view(), name="v1-auth-captcha"),
    *v1_router.urls,
]
desk_urlpatterns = [
    path("auth/register", auth.DeskRegisterView.as_view(), name="desk-auth-register"),
    path("auth/login", auth.DeskLoginView.as_view(), name="desk-auth-login"),
    path("auth/refresh", auth.DeskRefreshView.as_view(), name="desk-auth-refresh"),
    path("auth/me", auth.DeskMeView.as_view(), name="desk-auth-me"),
    path("auth/logout", auth.DeskLogoutView.as_view(), name="desk-auth-logout"),
    path("user/trusted-devices", auth.DeskTrustedDeviceListView.as_view(), name="desk-trusted-devices"),
    path("user/trusted-devices/<int:pk>", auth.DeskTrustedDeviceDetailView.as_view(), name="desk-trusted-device"),
    path("user/login-history", auth.DeskLoginHistoryView.as_view(), name="desk-login-history"),
    *desk_router.urls,
]
