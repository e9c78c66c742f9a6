from django.contrib.auth import logout


class LoginSessionMiddleware:
    """Portal pages follow the same rules as tokens: a Django session opened by the portal
    login carries its ``LoginSession`` key, and once that session is ended (logout elsewhere,
    forced logout, deactivation, password change) the next page request is signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            key = request.session.get("login_sid")
            if key:
                from accounts.auth_services import session_is_usable, session_touch
                from accounts.models import LoginSession

                session = LoginSession.objects.select_related("user__tenant").filter(key=key).first()
                if not session_is_usable(session, user_id=user.pk):
                    logout(request)
                else:
                    session_touch(session)
                    request._login_session = session
        return self.get_response(request)
