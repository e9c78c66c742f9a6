from django import template

register = template.Library()


@register.filter
def holds(user, code: str) -> bool:
    """``{% if user|holds:"knowledge:read" %}``: the user holds the v1 permission code."""
    return bool(getattr(user, "is_authenticated", False) and user.has_contract_permission(code))
