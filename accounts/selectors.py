"""Reads of the identity domain. Request-serving querysets are scoped by the API/page base
classes; these add the joins each list shows so that lists cost a fixed number of queries."""

from django.db.models import Count, Prefetch, Q

from accounts.models import Permission, Role, User


def role_list():
    return (
        Role.objects.select_related("parent")
        .prefetch_related(Prefetch("permissions", queryset=Permission.objects.order_by("code")))
        .annotate(user_count=Count("grants", distinct=True))
        .order_by("id")
    )


def permission_list():
    return Permission.objects.order_by("code")


def user_list():
    return User.objects.select_related("tenant", "department").prefetch_related("roles").order_by("id")


def user_search(queryset, keyword: str):
    keyword = (keyword or "").strip()
    if not keyword:
        return queryset
    return queryset.filter(
        Q(username__icontains=keyword)
        | Q(email__icontains=keyword)
        | Q(real_name__icontains=keyword)
        | Q(phone__icontains=keyword)
    )
