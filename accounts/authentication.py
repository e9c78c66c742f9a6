from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError


class SessionTokenAuthentication(JWTAuthentication):
    """Bearer JWT authentication bound to a login session.

    Every token carries its session (``sid`` claim). The session row is read on each request,
    so logout, forced logout, deactivation, a disabled tenant and a password change refuse the
    token on the very next request, not when it expires. Tokens without a session are refused."""

    www_authenticate_realm = "api"

    def get_validated_token(self, raw_token):
        try:
            return super().get_validated_token(raw_token)
        except InvalidToken as exc:
            text = str(exc.detail)
            if "expired" in text.lower():
                raise exceptions.AuthenticationFailed(_("The token has expired."), code="token_expired") from exc
            raise exceptions.AuthenticationFailed(_("The token is invalid."), code="token_not_valid") from exc
        except TokenError as exc:
            raise exceptions.AuthenticationFailed(_("The token is invalid."), code="token_not_valid") from exc

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            request._login_session = getattr(result[0], "_login_session", None)
        return result

    def get_user(self, validated_token):
        from accounts.auth_services import session_is_usable, session_touch
        from accounts.models import LoginSession

        sid = validated_token.get("sid")
        session = LoginSession.objects.select_related("user__tenant").filter(key=sid).first() if sid else None
        if not session_is_usable(session, user_id=validated_token.get("user_id"), issued_at=validated_token.get("iat")):
            raise exceptions.AuthenticationFailed(_("The token is invalid."), code="session_ended")
        session_touch(session)
        user = session.user
        user._login_session = session
        return user
