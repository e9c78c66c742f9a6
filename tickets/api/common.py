"""What both adapters share: loading a visible ticket, the OpenAPI decoration, serving a
stored file. v1 and desk never import each other; shared parts live here."""

from __future__ import annotations

from django.http import FileResponse

from portal.errors import DomainError, ErrorCode
from portal.uploads import download_response
from tickets import selectors
from tickets.actions import perform_in_api
from tickets.models import Ticket


def visible_ticket(request, pk) -> Ticket:
    """The ticket if ``request.user`` may see it; TICKET_NOT_FOUND (404) otherwise."""
    try:
        return selectors.tickets_for(request.user).select_related(*selectors.LIST_RELATED).get(pk=int(pk))
    except (Ticket.DoesNotExist, TypeError, ValueError):
        raise DomainError(ErrorCode.TICKET_NOT_FOUND, details={"ticket_id": pk}) from None


class TicketActionsMixin:
    """Routes that perform an entry of the action table (``tickets.actions``). A viewset
    names them once, ``ticket_actions = {route: action}``, and takes their
    ``required_permissions`` from the table (``route_permissions``); a route loads the
    visible ticket and calls ``perform_action``, then presents the result for its contract."""

    ticket_actions: dict[str, str] = {}

    def perform_action(self, request, pk):
        ticket = visible_ticket(request, pk)
        return perform_in_api(self.ticket_actions[self.action], self.api_contract, request=request, ticket=ticket)


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


def documented(
    inputs: dict,
    actions: list[str],
    *,
    outputs: dict | None = None,
    many: tuple = (),
    params: dict | None = None,
    created: tuple = (),
    files: tuple = (),
):
    """Class decorator for the OpenAPI schema: each action's request body is its input
    serializer (``inputs``); its response the serializer paired with its presenter
    (``outputs``: action → presenter), an array of them for ``many`` actions, inside the
    contract's envelope (a free-form object where no presenter is named; ``destroy``'s ``data``
    is documented as always null); ``created`` actions answer 201; detail actions take an integer ``id``, and
    ``params`` adds more path parameters per action; ``files`` actions answer the stored file
    itself, with the content type it was uploaded with."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

    from portal.api.presenting import response_serializer

    params = params or {}
    outputs = outputs or {}

    def decorate(cls):
        per_action = {}
        for action in actions:
            parameters = list(params.get(action, []))
            if action not in LIST_LEVEL:
                parameters.insert(0, OpenApiParameter("id", int, OpenApiParameter.PATH))
            listed = action in many and action != "list"  # the contract schema pages ``list`` itself
            if action in outputs:
                serializer = response_serializer(outputs[action])
                body = serializer(many=True) if listed else serializer
            elif action == "destroy":
                body = None  # the envelope's ``data`` is null: nothing is left to show
            else:
                body = ARRAY_SCHEMA if listed else OBJECT_SCHEMA
            if action in files:
                responses = {(200, "*/*"): OpenApiTypes.BINARY}
            else:
                responses = {201 if action in created else 200: body}
            per_action[action] = extend_schema(
                request=inputs.get(action),
                responses=responses,
                parameters=parameters,
            )
        # arrays answered whole (``data: [...]``, maybe ``total``), not as the contract's page
        cls.unpaged_actions = tuple(action for action in actions if action in many and action != "list")
        return extend_schema_view(**per_action)(cls)

    return decorate


def attachment_id_parameter():
    from drf_spectacular.utils import OpenApiParameter

    return [OpenApiParameter("attachment_id", int, OpenApiParameter.PATH)]


def valid(serializer_class, data, *, partial: bool = False) -> dict:
    """The validated input, or the contract's 400 (``ValidationError``)."""
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def attachment_response(attachment) -> FileResponse:
    """Serve a stored file as a download that browsers never render inline."""
    return download_response(
        attachment.file,
        filename=attachment.original_name,
        mime_type=attachment.mime_type,
        extension=attachment.extension,
    )
