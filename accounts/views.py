from django.contrib.auth import views as auth_views

from accounts.forms import PortalLoginForm
from portal.context_processors import SITE_NAME


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = PortalLoginForm
    redirect_authenticated_user = True
    # Django's LoginView puts the request's host name in ``site_name``; the page shows the product.
    extra_context = {"site_name": SITE_NAME}


class LogoutView(auth_views.LogoutView):
    pass
