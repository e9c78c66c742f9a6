"""The roster stamp: one token per tenant that moves on every change dispatch reads of the
roster (see ``RosterStamp``). Model signals move it for saves and deletes of profiles, engineer
skills and skills, and for saves of an engineer's user that touch its name or status; a bulk
write (``QuerySet.update``, ``bulk_update``) bypasses signals and calls ``roster_changed`` itself.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save

from engineers.models import EngineerProfile, EngineerSkill, RosterStamp, Skill

#: User fields the pool reads (a save that names only other fields, e.g. ``last_login``, is no change).
USER_FIELDS = frozenset({"real_name", "username", "status", "tenant", "tenant_id", "is_active"})


def roster_changed(tenant_id: int | None) -> None:
    """Move the tenant's token (insert or update in one statement: safe under concurrency)."""
    if tenant_id is None:
        return
    RosterStamp.objects.bulk_create(
        [RosterStamp(tenant_id=tenant_id, token=uuid.uuid4())],
        update_conflicts=True,
        unique_fields=["tenant"],
        update_fields=["token"],
    )


def roster_token(tenant_id: int) -> str:
    """The tenant's current token. A read never writes: a tenant whose roster nothing has
    written since the stamp existed (bulk-loaded data) reads as ``unstamped`` until its first
    change."""
    token = RosterStamp.objects.filter(pk=tenant_id).values_list("token", flat=True).first()
    return "unstamped" if token is None else str(token)


def _on_roster_row(sender, instance, raw=False, origin=None, **kwargs) -> None:
    origin_model = origin.model if isinstance(origin, QuerySet) else type(origin)
    if origin is not None and origin_model._meta.label == "tenants.Tenant":
        return  # the tenant itself is going: its stamp goes with it
    roster_changed(instance.tenant_id)


def _on_user_saved(sender, instance, raw=False, update_fields=None, created=False, **kwargs) -> None:
    if created or (update_fields is not None and not USER_FIELDS & set(update_fields)):
        return  # a new user has no profile yet; a login or a counter is not a roster change
    if EngineerProfile._base_manager.filter(user_id=instance.pk).exists():
        roster_changed(instance.tenant_id)


def connect() -> None:
    from django.contrib.auth import get_user_model

    for model in (EngineerProfile, EngineerSkill, Skill):
        post_save.connect(_on_roster_row, sender=model, dispatch_uid=f"roster-save-{model.__name__}")
        post_delete.connect(_on_roster_row, sender=model, dispatch_uid=f"roster-delete-{model.__name__}")
    post_save.connect(_on_user_saved, sender=get_user_model(), dispatch_uid="roster-user")
