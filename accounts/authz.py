"""The permission set of a user, cached (Redis in production, the process's memory in
embedded mode) so that an authenticated request does not spend queries on it.

A user's entry (``authz:user:<id>``) holds their active role codes and permission codes, and
the tenant's generation token it was computed under; the tenant's token
(``authz:tenant:<id>``) is replaced whenever any role or role permission of the tenant changes.
Both are read in one cache round trip. Invalidation (``invalidate_user`` /
``invalidate_tenant``) runs immediately and again after the transaction commits, so a request
that recomputed from the old rows meanwhile cannot keep a stale entry. Triggers (signals, so
that every writer — services, admin, migrations — is covered): a role granted or revoked, a
role or its permissions changed, the user row saved (status, tenant, superuser), a login
session ended (logout, forced logout). Entries also expire after ``AUTHZ_CACHE_SECONDS``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction


def _ttl() -> int:
    return int(getattr(settings, "AUTHZ_CACHE_SECONDS", 600))


def _user_key(user_id) -> str:
    return f"authz:user:{user_id}"


def _tenant_key(tenant_id) -> str:
    return f"authz:tenant:{tenant_id}"


def load(user, compute) -> dict:
    """``{"roles": [...], "codes": [...]}`` of ``user``; ``compute(user)`` builds it on a miss."""
    keys = [_user_key(user.pk), _tenant_key(user.tenant_id)]
    found = cache.get_many(keys)
    generation = found.get(keys[1])
    entry = found.get(keys[0])
    if entry is not None and generation is not None and entry.get("generation") == generation:
        return entry
    if generation is None:
        cache.add(keys[1], uuid.uuid4().hex, None)
        generation = cache.get(keys[1])
    entry = {"generation": generation, **compute(user)}
    cache.set(keys[0], entry, _ttl())
    return entry


def _now_and_on_commit(action) -> None:
    action()
    transaction.on_commit(action)


def invalidate_user(user_id) -> None:
    _now_and_on_commit(lambda: cache.delete(_user_key(user_id)))


def invalidate_tenant(tenant_id) -> None:
    _now_and_on_commit(lambda: cache.set(_tenant_key(tenant_id), uuid.uuid4().hex, None))


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from accounts.models import LoginSession, Role, User, UserRole

    def grant_changed(sender, instance, **kwargs):
        invalidate_user(instance.user_id)

    def role_changed(sender, instance, **kwargs):
        invalidate_tenant(instance.tenant_id)

    def role_permissions_changed(sender, instance, action, **kwargs):
        if action.startswith("post_"):
            if isinstance(instance, Role):
                invalidate_tenant(instance.tenant_id)
            else:  # a permission's roles changed: every tenant may be concerned
                for tenant_id in Role.objects.filter(pk__in=kwargs.get("pk_set") or []).values_list(
                    "tenant_id", flat=True
                ):
                    invalidate_tenant(tenant_id)

    def user_roles_changed(sender, instance, action, **kwargs):
        if action.startswith("post_") and isinstance(instance, User):
            invalidate_user(instance.pk)
        elif action.startswith("post_"):
            for user_id in kwargs.get("pk_set") or []:
                invalidate_user(user_id)

    def user_saved(sender, instance, **kwargs):
        invalidate_user(instance.pk)

    def session_saved(sender, instance, **kwargs):
        if instance.ended_at is not None:
            invalidate_user(instance.user_id)

    post_save.connect(grant_changed, sender=UserRole, dispatch_uid="authz-grant-saved", weak=False)
    post_delete.connect(grant_changed, sender=UserRole, dispatch_uid="authz-grant-deleted", weak=False)
    post_save.connect(role_changed, sender=Role, dispatch_uid="authz-role-saved", weak=False)
    post_delete.connect(role_changed, sender=Role, dispatch_uid="authz-role-deleted", weak=False)
    m2m_changed.connect(
        role_permissions_changed, sender=Role.permissions.through, dispatch_uid="authz-role-perms", weak=False
    )
    m2m_changed.connect(user_roles_changed, sender=User.roles.through, dispatch_uid="authz-user-roles", weak=False)
    post_save.connect(user_saved, sender=User, dispatch_uid="authz-user-saved", weak=False)
    post_save.connect(session_saved, sender=LoginSession, dispatch_uid="authz-session-saved", weak=False)
