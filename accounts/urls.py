from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.LoginOtpView.as_view(), name="login-otp"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/forgot/", views.ForgotPasswordView.as_view(), name="password-forgot"),
    path("password/reset/confirm/", views.password_reset_confirm_page, name="password-reset-confirm"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("mfa/", views.MfaView.as_view(), name="mfa"),
    path("devices/", views.DevicesView.as_view(), name="devices"),
    path("sessions/", views.SessionsView.as_view(), name="sessions"),
    path("users/", views.UsersView.as_view(), name="users"),
    path("users/<int:pk>/", views.UserEditView.as_view(), name="user-edit"),
    path("users/<int:pk>/status/", views.UserStatusView.as_view(), name="user-status"),
    path("users/<int:pk>/password/", views.UserPasswordResetView.as_view(), name="user-password"),
    path("roles/", views.RolesView.as_view(), name="roles"),
    path("roles/<int:pk>/", views.RoleEditView.as_view(), name="role-edit"),
    path("departments/", views.DepartmentsView.as_view(), name="departments"),
    path("departments/<int:pk>/", views.DepartmentEditView.as_view(), name="department-edit"),
    path("departments/<int:pk>/delete/", views.DepartmentDeleteView.as_view(), name="department-delete"),
]
