"""Portal API v1 adapters (``/api/v1/tickets…``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import FormParser

from portal.api.parsers import JSONParser, MultiPartParser
from portal.api.responses import ApiResponse
from portal.api.views import V1ViewSet
from portal.errors import DomainError, ErrorCode
from portal.timestamps import iso_utc
from tickets import selectors, services
from tickets.actions import route_permissions
from tickets.api import presenters as P
from tickets.api import serializers as S
from tickets.api.common import (
    TicketActionsMixin,
    TicketQuerysetMixin,
    attachment_id_parameter,
    attachment_response,
    documented,
    visible_ticket,
)
from tickets.api.common import valid as _valid
from tickets.filtersets import V1TicketFilterSet
from tickets.models import TicketAttachment


@documented(
    {
        "create": S.V1TicketWrite,
        "update": S.V1TicketWrite,
        "partial_update": S.V1TicketWrite,
        "assign": S.V1Assign,
        "reject": S.V1Reject,
        "resolve": S.V1Resolve,
        "start": S.V1Note,
        "pause": S.V1Note,
        "close": S.V1Note,
        "upload_attachment": S.Upload,
    },
    [
        "list",
        "retrieve",
        "create",
        "update",
        "partial_update",
        "destroy",
        "assign",
        "accept",
        "reject",
        "start",
        "pause",
        "resolve",
        "close",
        "comments",
        "upload_attachment",
        "download_attachment",
        "delete_attachment",
        "statistics",
    ],
    outputs={
        "list": P.v1_ticket,
        "retrieve": P.v1_ticket_detail,
        "create": P.v1_ticket_created,
        "update": P.v1_ticket_detail,
        "partial_update": P.v1_ticket_detail,
        "assign": P.v1_ticket_moved,
        "accept": P.v1_ticket,
        "reject": P.v1_ticket_moved,
        "start": P.v1_ticket,
        "pause": P.v1_ticket,
        "resolve": P.v1_ticket,
        "close": P.v1_ticket,
        "comments": P.v1_comment,
        "upload_attachment": P.v1_attachment,
    },
    many=("list", "comments"),
    params={"download_attachment": attachment_id_parameter(), "delete_attachment": attachment_id_parameter()},
    files=("download_attachment",),
)
class V1TicketViewSet(TicketActionsMixin, TicketQuerysetMixin, V1ViewSet):
    """Tickets in the v1 contract (§3.1–3.5)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]
    ticket_actions = {
        "assign": "assign",
        "accept": "accept",
        "reject": "reject",
        "start": "start",
        "pause": "pause",
        "resolve": "resolve",
        "close": "close",
        "add_comment": "comment",
        "upload_attachment": "upload",
    }
    required_permissions = {
        "list": "ticket:read",
        "retrieve": "ticket:read",
        "create": "ticket:create",
        "update": "ticket:update",
        "partial_update": "ticket:update",
        "destroy": "ticket:delete",
        "comments": "ticket:read",
        "download_attachment": "ticket:read",
        "delete_attachment": "ticket:delete",
        "statistics": "ticket:statistics",
        **route_permissions(ticket_actions),
    }

    @property
    def tenant_name(self) -> str:
        return self.request.user.tenant.name if self.request.user.tenant_id else ""

    def _canonical(self, data: dict) -> dict:
        tenant = self.request.user.tenant
        out = {}
        names = {
            "contact_name": "customer_name",
            "contact_phone": "customer_phone",
            "contact_email": "customer_email",
            "customer_name": "customer_company",
            "due_time": "due_date",
        }
        for key, value in data.items():
            if key == "category":
                out["category"] = services.category_for(tenant=tenant, value=value)
            elif key == "attachments":
                out["attachments"] = [dict(link) for link in value]
            else:
                out[names.get(key, key)] = value
        return out

    def list(self, request):
        queryset = selectors.ticket_list(
            user=request.user, filterset_class=V1TicketFilterSet, params=request.query_params
        )
        page = self.paginate_queryset(queryset)
        name = self.tenant_name
        return self.get_paginated_response([P.v1_ticket(t, tenant_name=name) for t in page])

    def create(self, request):
        data = self._canonical(_valid(S.V1TicketWrite, request.data))
        ticket = services.ticket_create(tenant=request.user.tenant, by=request.user, data=data)
        return ApiResponse(P.v1_ticket_created(ticket), message=_("Ticket created."))

    def _detail(self, request, ticket):
        attachments = selectors.attachments_for(ticket=ticket)
        return P.v1_ticket_detail(request, ticket, attachments=attachments, tenant_name=self.tenant_name)

    def retrieve(self, request, pk=None):
        ticket = visible_ticket(request, pk)
        services.ticket_record_view(ticket=ticket, viewer=request.user)
        return ApiResponse(self._detail(request, ticket))

    def update(self, request, pk=None, partial=True):
        ticket = visible_ticket(request, pk)
        data = self._canonical(_valid(S.V1TicketWrite, request.data, partial=True))
        data.pop("attachments", None)
        ticket = services.ticket_update(ticket=ticket, by=request.user, data=data)
        return ApiResponse(self._detail(request, visible_ticket(request, ticket.pk)), message=_("Ticket updated."))

    def partial_update(self, request, pk=None):
        return self.update(request, pk)

    def destroy(self, request, pk=None):
        services.ticket_delete(ticket=visible_ticket(request, pk), by=request.user)
        return ApiResponse(None, message=_("Ticket deleted."))

    # --- workflow -----------------------------------------------------------------------------

    def _after(self, request, ticket, message):
        ticket = visible_ticket(request, ticket.pk) if ticket is not None else None
        body = P.v1_ticket(ticket, tenant_name=self.tenant_name) if ticket is not None else None
        return ApiResponse(body, message=message)

    def _after_any(self, request, ticket, message):
        """After a move that may take the ticket out of the actor's view (reject)."""
        return ApiResponse(P.v1_ticket_moved(ticket), message=message)

    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._after_any(request, self.perform_action(request, pk), _("Ticket assigned."))

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._after(request, self.perform_action(request, pk), _("Ticket accepted."))

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._after_any(request, self.perform_action(request, pk), _("Ticket rejected."))

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._after(request, self.perform_action(request, pk), _("Ticket processing started."))

    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        return self._after(request, self.perform_action(request, pk), _("Ticket paused."))

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._after(request, self.perform_action(request, pk), _("Ticket closed."))

    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._after(request, self.perform_action(request, pk), _("Ticket resolved."))

    # --- comments -----------------------------------------------------------------------------

    @action(detail=True, methods=["get"])
    def comments(self, request, pk=None):
        ticket = visible_ticket(request, pk)
        return ApiResponse([P.v1_comment(request, c) for c in selectors.comments_for(ticket=ticket, user=request.user)])

    @extend_schema(
        request=S.V1Comment,
        responses={200: P.v1_comment.response_serializer},
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    @comments.mapping.post
    def add_comment(self, request, pk=None):
        comment = self.perform_action(request, pk)
        return ApiResponse(P.v1_comment(request, comment), message=_("Comment added."))

    # --- attachments --------------------------------------------------------------------------

    @action(detail=True, methods=["post"], url_path="attachments")
    def upload_attachment(self, request, pk=None):
        attachment = self.perform_action(request, pk)
        return ApiResponse(P.v1_attachment(request, attachment), message=_("File uploaded."))

    def _attachment(self, request, pk, attachment_id) -> TicketAttachment:
        ticket = visible_ticket(request, pk)
        attachment = selectors.ticket_attachment(ticket=ticket, pk=attachment_id)
        if attachment is None:
            raise DomainError(ErrorCode.NOT_FOUND, _("The attachment does not exist."))
        return attachment

    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)/download")
    def download_attachment(self, request, pk=None, attachment_id=None):
        return attachment_response(self._attachment(request, pk, attachment_id))

    @action(detail=True, methods=["delete"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def delete_attachment(self, request, pk=None, attachment_id=None):
        services.attachment_delete(attachment=self._attachment(request, pk, attachment_id), by=request.user)
        return ApiResponse(None, message=_("Attachment deleted."))

    # --- statistics ---------------------------------------------------------------------------

    @action(detail=False, methods=["get"], url_path="statistics/overview")
    def statistics(self, request):
        params = _valid(S.V1Statistics, request.query_params)
        data = selectors.statistics_overview(
            user=request.user, time_range=params.get("time_range") or "7d", group_by=params.get("group_by")
        )
        data["generated_at"] = iso_utc(data["generated_at"])
        return ApiResponse(data)
