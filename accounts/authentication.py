from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError


class SessionTokenAuthentication(JWTAuthentication):
    """Bearer JWT authentication that refuses tokens of inactive users.

    The identity layer extends this with the per-login session check (``sid`` claim) so that
    logout, forced logout and password changes end a token on the very next request."""

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

    def get_user(self, validated_token):
        from accounts.models import User

        user_id = validated_token.get("user_id")
        user = User.objects.select_related("tenant").filter(pk=user_id).first()
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is invalid."), code="user_inactive")
        return user
