from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class TenantUserBackend(ModelBackend):
    """Signs a user in by email (desk contract, admin) or by tenant code + username (v1
    contract, portal login page). Refuses users whose tenant is disabled or expired."""

    def authenticate(self, request, username=None, password=None, *, email=None, tenant_code=None, **kwargs):
        if password is None:
            return None
        users = User.objects.select_related("tenant")
        if tenant_code:
            user = users.filter(tenant__code=tenant_code, username__iexact=username or "").first()
        else:
            login = (email or username or kwargs.get(User.USERNAME_FIELD) or "").strip().lower()
            user = users.filter(email=login).first()
        if user is None:
            User().set_password(password)  # same cost as a real check: no user enumeration by timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return user.tenant_id is None or user.tenant.is_usable

    def get_user(self, user_id):
        user = User.objects.select_related("tenant").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
