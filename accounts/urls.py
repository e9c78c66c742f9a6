from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/verify/", views.LoginOtpView.as_view(), name="login-otp"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/reset/confirm/", views.password_reset_confirm_page, name="password-reset-confirm"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("mfa/", views.MfaView.as_view(), name="mfa"),
    path("devices/", views.DevicesView.as_view(), name="devices"),
    path("sessions/", views.SessionsView.as_view(), name="sessions"),
    path("users/", views.UsersView.as_view(), name="users"),
    path("roles/", views.RolesView.as_view(), name="roles"),
    path("departments/", views.DepartmentsView.as_view(), name="departments"),
]
