"""Helpers both adapters share: loading a visible ticket and its related rows."""

from __future__ import annotations

from portal.errors import DomainError, ErrorCode
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
    queryset = Ticket.objects.all()  # the model, for introspection; requests use get_base_queryset

    def get_base_queryset(self):
        request = getattr(self, "request", None)
        if request is None:  # introspection (schema, isolation test)
            return Ticket.objects.all()
        return selectors.tickets_for(request.user)


OBJECT_SCHEMA = {"type": "object", "additionalProperties": True}
ARRAY_SCHEMA = {"type": "array", "items": OBJECT_SCHEMA}
LIST_LEVEL = {
    "list",
    "create",
    "stats",
    "my_tickets",
    "unassigned",
    "overdue",
    "sla_breach",
    "bulk_assign",
    "bulk_status",
    "statistics",
}


def documented(inputs: dict, actions: list[str], *, many: tuple = (), params: dict | None = None):
    """Class decorator for the OpenAPI schema: each action's request body is its input
    serializer (``inputs``); its response a JSON object (an array of them for ``many``
    actions) inside the contract's envelope; detail actions take an integer ``id``, and
    ``params`` adds more path parameters per action."""
    from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

    params = params or {}

    def decorate(cls):
        per_action = {}
        for action in actions:
            parameters = list(params.get(action, []))
            if action not in LIST_LEVEL:
                parameters.insert(0, OpenApiParameter("id", int, OpenApiParameter.PATH))
            per_action[action] = extend_schema(
                request=inputs.get(action),
                # the contract schema itself turns a ``list`` action into its list/page shape
                responses={200: ARRAY_SCHEMA if action in many and action != "list" else OBJECT_SCHEMA},
                parameters=parameters,
            )
        return extend_schema_view(**per_action)(cls)

    return decorate


def attachment_id_parameter():
    from drf_spectacular.utils import OpenApiParameter

    return [OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)]
