"""What the identity app contributes to the workbench: people search (the user admin's own
``selectors.user_search``, for those who may read users) and the count of active users."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, FloatField, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts import selectors
from accounts.models import User, UserStatus
from portal.dashboard.registry import SearchHit, SearchProvider, register_realtime, register_search


def _search(user, text: str, limit: int) -> list[SearchHit]:
    score = Case(
        When(Q(username__iexact=text) | Q(real_name__iexact=text), then=Value(1.0)),
        When(Q(username__istartswith=text) | Q(real_name__istartswith=text), then=Value(0.85)),
        When(Q(username__icontains=text) | Q(real_name__icontains=text), then=Value(0.75)),
        default=Value(0.55),
        output_field=FloatField(),
    )
    rows = (
        selectors.user_search(User.objects.for_user(user).filter(status=UserStatus.ACTIVE), text)
        .annotate(search_score=score)
        .only("id", "username", "real_name", "email", "created_at")
        .order_by("-search_score", "username", "id")[:limit]
    )
    base = reverse("accounts:users")
    hits = []
    for person in rows:
        name = f"{person.real_name} ({person.username})" if person.real_name else person.username
        matched = text.lower() in name.lower()
        hits.append(
            SearchHit(
                kind="user",
                id=str(person.pk),
                title=name,
                text=name if matched else f"{name} · {person.email}",
                url=f"{base}?{urlencode({'q': person.username})}",
                score=person.search_score,
                created_at=person.created_at,
            )
        )
    return hits


def _realtime(user) -> dict:
    """Users of the tenant seen in the last 15 minutes (an open login session with activity)."""
    from accounts.models import LoginSession

    since = timezone.now() - timedelta(minutes=15)
    active = (
        LoginSession.objects.filter(tenant_id=user.tenant_id, last_activity__gte=since, ended_at__isnull=True)
        .values("user_id")
        .distinct()
        .count()
    )
    return {"system_status": {"active_users": active}}


register_search(SearchProvider(kind="user", label=_("People"), search=_search, permission="user:read", order=20))
register_realtime("accounts", _realtime, permission="monitor:read")
