"""Helpers both adapters share: loading a visible ticket and its related rows."""

from __future__ import annotations

from portal.api.errors import DomainError, ErrorCode
from tickets import selectors
from tickets.models import Ticket


def visible_ticket(request, pk) -> Ticket:
    """The ticket if ``request.user`` may see it; TICKET_NOT_FOUND (404) otherwise."""
    try:
        return selectors.tickets_for(request.user).select_related(*selectors.LIST_RELATED).get(pk=int(pk))
    except (Ticket.DoesNotExist, TypeError, ValueError):
        raise DomainError(ErrorCode.TICKET_NOT_FOUND, details={"ticket_id": pk}) from None


class TicketQuerysetMixin:
    """API views over tickets: the base queryset is the visibility-scoped selector (the
    base class adds tenant scoping on top)."""

    not_found_code = ErrorCode.TICKET_NOT_FOUND
    lookup_value_regex = r"\d+"

    def get_base_queryset(self):
        request = getattr(self, "request", None)
        if request is None:  # introspection (schema, isolation test)
            return Ticket.objects.all()
        return selectors.tickets_for(request.user)


def documented(inputs: dict, actions: list[str]):
    """Class decorator for the OpenAPI schema: each action's request body is its input
    serializer (``inputs``), its response a JSON object inside the contract's envelope."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import extend_schema, extend_schema_view

    def decorate(cls):
        per_action = {
            action: extend_schema(request=inputs.get(action), responses={200: OpenApiTypes.OBJECT})
            for action in actions
        }
        return extend_schema_view(**per_action)(cls)

    return decorate
