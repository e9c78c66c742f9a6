"""Ticket Desk API adapters (``/api/tickets…``, ``/api/categories``, ``/api/upload``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import FormParser

from portal.api.parsers import JSONParser, MultiPartParser
from portal.api.responses import ApiResponse
from portal.api.views import DeskAPIView, DeskViewSet
from portal.errors import DomainError, ErrorCode
from tickets import selectors, services
from tickets.actions import route_permissions
from tickets.api import presenters as P
from tickets.api import serializers as S
from tickets.api.common import (
    TicketActionsMixin,
    TicketQuerysetMixin,
    attachment_response,
    documented,
    visible_ticket,
)
from tickets.api.common import valid as _valid
from tickets.choices import DESK, status_from_word
from tickets.filtersets import DeskTicketFilterSet
from tickets.models import Category, TicketAttachment


def _min_hours(request, name: str) -> int:
    """Optional ``?<name>=N`` filter: at least N whole hours late (a non-negative integer)."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return 0
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Must be a whole number of hours, 0 or more."), field=name)
    return value


@documented(
    {
        "create": S.DeskTicketCreate,
        "update": S.DeskTicketUpdate,
        "assign": S.DeskAssign,
        "transfer": S.DeskTransfer,
        "escalate": S.DeskEscalate,
        "status": S.DeskStatus,
        "bulk_assign": S.DeskBulkAssign,
        "bulk_status": S.DeskBulkStatus,
    },
    [
        "list",
        "retrieve",
        "create",
        "update",
        "destroy",
        "assign",
        "transfer",
        "escalate",
        "status",
        "history",
        "stats",
        "my_tickets",
        "unassigned",
        "overdue",
        "sla_breach",
        "bulk_assign",
        "bulk_status",
    ],
    outputs={
        "list": P.desk_ticket,
        "retrieve": P.desk_ticket_detail,
        "create": P.desk_ticket_created,
        "update": P.desk_ticket_updated,
        "assign": P.desk_assigned,
        "transfer": P.desk_transferred,
        "escalate": P.desk_escalated,
        "status": P.desk_status_changed,
        "history": P.desk_history,
        "my_tickets": P.desk_my_ticket,
        "unassigned": P.desk_unassigned_ticket,
        "overdue": P.desk_overdue_ticket,
        "sla_breach": P.desk_breached_ticket,
        "bulk_assign": P.desk_bulk_assigned,
        "bulk_status": P.desk_bulk_status,
    },
    many=("list", "history", "my_tickets", "unassigned", "overdue", "sla_breach"),
    created=("create",),
)
class DeskTicketViewSet(TicketActionsMixin, TicketQuerysetMixin, DeskViewSet):
    """Tickets in the desk contract: CRUD, workflow, history, stats, queues and bulk work."""

    ticket_actions = {"assign": "assign", "transfer": "transfer", "escalate": "escalate", "status": "status"}
    required_permissions = {
        "list": "ticket:read",
        "retrieve": "ticket:read",
        "create": "ticket:create",
        "update": None,  # rating alone is the requester's; anything else needs ticket:update (service)
        "destroy": "ticket:delete",
        "history": "ticket:read",
        "stats": "ticket:read",
        "my_tickets": "ticket:read",
        "unassigned": "ticket:read",
        "overdue": "ticket:read",
        "sla_breach": "ticket:read",
        "bulk_assign": "ticket:assign",
        "bulk_status": "ticket:read",
        **route_permissions(ticket_actions),
    }

    # --- CRUD ---------------------------------------------------------------------------------

    def list(self, request):
        queryset = selectors.ticket_list(
            user=request.user, filterset_class=DeskTicketFilterSet, params=request.query_params
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response([P.desk_ticket(t) for t in page])

    def _canonical(self, data: dict) -> dict:
        tenant = self.request.user.tenant
        out = {k: v for k, v in data.items() if k not in ("category_id", "assigned_to_id", "attachment_ids")}
        if "category_id" in data:
            out["category"] = services.category_for(tenant=tenant, value=data["category_id"])
        if data.get("assigned_to_id") is not None:
            out["assigned_to"] = services.eligible_assignee(tenant=tenant, user_id=data["assigned_to_id"])
        if data.get("attachment_ids"):
            out["attachments"] = [{"id": i} for i in data["attachment_ids"]]
        return out

    def create(self, request):
        data = self._canonical(_valid(S.DeskTicketCreate, request.data))
        ticket = services.ticket_create(tenant=request.user.tenant, by=request.user, data=data)
        return ApiResponse(P.desk_ticket_created(ticket), status=201, message=_("Ticket created."))

    def retrieve(self, request, pk=None):
        ticket = visible_ticket(request, pk)
        services.ticket_record_view(ticket=ticket, viewer=request.user)
        comments = selectors.comments_for(ticket=ticket, user=request.user)
        return ApiResponse(P.desk_ticket_detail(ticket, comments))

    def update(self, request, pk=None):
        ticket = visible_ticket(request, pk)
        raw = _valid(S.DeskTicketUpdate, request.data)
        data = self._canonical(raw)
        if "status" in raw:
            data["status"] = status_from_word(raw["status"], DESK, assigned=ticket.assigned_to_id is not None)
        ticket = services.ticket_update(ticket=ticket, by=request.user, data=data)
        return ApiResponse(P.desk_ticket_updated(ticket), message=_("Ticket updated."))

    def destroy(self, request, pk=None):
        services.ticket_delete(ticket=visible_ticket(request, pk), by=request.user)
        return ApiResponse(None, message=_("Ticket deleted."))

    # --- workflow -----------------------------------------------------------------------------

    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return ApiResponse(P.desk_assigned(self.perform_action(request, pk)), message=_("Ticket assigned."))

    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        ticket, previous = self.perform_action(request, pk)
        return ApiResponse(P.desk_transferred(ticket, previous), message=_("Ticket transferred."))

    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        return ApiResponse(P.desk_escalated(self.perform_action(request, pk)), message=_("Ticket escalated."))

    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        return ApiResponse(P.desk_status_changed(self.perform_action(request, pk)), message=_("Status updated."))

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        ticket = visible_ticket(request, pk)
        entries = selectors.history_entries(ticket=ticket, user=request.user)
        ids = {c["assigned_to_id"]["new"] for e in entries for c in [e["changes"]] if "assigned_to_id" in c}
        users = selectors.usernames(ids)
        return ApiResponse(P.desk_history(entries, users), extra={"total": len(entries)})

    # --- figures and queues -------------------------------------------------------------------

    @action(detail=False, methods=["get"])
    def stats(self, request):
        return ApiResponse(selectors.desk_stats(user=request.user))

    def _queue(self, queryset, present, *, default_limit: int = 20, filtered: bool = True):
        """The first ``?limit=`` rows of a queue, with its total (desk filters apply to the
        my-tickets and unassigned queues)."""
        limit = _valid(S.ShortList, request_params(self.request)).get("limit", default_limit)
        if filtered:
            params = self.request.query_params
            queryset = selectors.ticket_list(
                user=self.request.user, filterset_class=DeskTicketFilterSet, params=params, base=queryset
            )
        total = queryset.count()
        return ApiResponse([present(t) for t in queryset[:limit]], extra={"total": total})

    @action(detail=False, methods=["get"], url_path="my-tickets")
    def my_tickets(self, request):
        return self._queue(selectors.my_tickets_queue(user=request.user), P.desk_my_ticket, default_limit=10)

    @action(detail=False, methods=["get"])
    def unassigned(self, request):
        return self._queue(selectors.unassigned_queue(user=request.user), P.desk_unassigned_ticket)

    @action(detail=False, methods=["get"])
    def overdue(self, request):
        now = timezone.now()
        queryset = selectors.overdue_queue(user=request.user, now=now, min_hours=_min_hours(request, "overdue_hours"))
        return self._queue(queryset, lambda t: P.desk_overdue_ticket(t, now=now), filtered=False)

    @action(detail=False, methods=["get"], url_path="sla-breach")
    def sla_breach(self, request):
        now = timezone.now()
        queryset = selectors.sla_breach_queue(user=request.user, now=now, min_hours=_min_hours(request, "breach_hours"))
        return self._queue(queryset, lambda t: P.desk_breached_ticket(t, now=now), filtered=False)

    # --- bulk ---------------------------------------------------------------------------------

    @action(detail=False, methods=["post"], url_path="bulk-assign")
    def bulk_assign(self, request):
        data = _valid(S.DeskBulkAssign, request.data)
        assignee = services.eligible_assignee(tenant=request.user.tenant, user_id=data["assigned_to_id"])
        done, failed = services.tickets_bulk_assign(
            visible=selectors.tickets_for(request.user),
            by=request.user,
            ticket_ids=data["ticket_ids"],
            assignee=assignee,
            note=data.get("comment", ""),
        )
        return ApiResponse(P.desk_bulk_assigned(done, failed), message=_("Bulk assignment finished."))

    @action(detail=False, methods=["post"], url_path="bulk-status")
    def bulk_status(self, request):
        data = _valid(S.DeskBulkStatus, request.data)
        word = data["status"]
        done, failed = services.tickets_bulk_status(
            visible=selectors.tickets_for(request.user),
            by=request.user,
            ticket_ids=data["ticket_ids"],
            to=lambda t: status_from_word(word, DESK, assigned=t.assigned_to_id is not None),
            note=data.get("comment", ""),
        )
        return ApiResponse(P.desk_bulk_status(done, failed), message=_("Bulk status update finished."))


def request_params(request) -> dict:
    return {k: v for k, v in request.query_params.items() if k == "limit"}


@documented(
    {"create": S.CategoryCreate},
    ["list", "create"],
    outputs={"list": P.desk_category_node, "create": P.desk_category_created},
    many=("list",),
    created=("create",),
)
class DeskCategoryViewSet(DeskViewSet):
    """``GET /api/categories`` (tree with subcategories and ticket counts), ``POST`` to create."""

    queryset = Category.objects.all()
    pagination_class = None  # the contract answers the whole tree
    not_found_code = ErrorCode.CATEGORY_NOT_FOUND
    required_permissions = {"list": "ticket:category:read", "create": "ticket:category:create"}

    def list(self, request):
        roots = selectors.category_tree(user=request.user, active_only=request.query_params.get("all") != "true")
        return ApiResponse([P.desk_category_node(node) for node in roots])

    def create(self, request):
        data = _valid(S.CategoryCreate, request.data)
        tenant = request.user.tenant
        values = {k: v for k, v in data.items() if k not in ("parent_id", "auto_assign_user_id")}
        if data.get("parent_id"):
            values["parent"] = selectors.category_of_tenant(tenant=tenant, pk=data["parent_id"])
            if values["parent"] is None:
                raise DomainError(ErrorCode.CATEGORY_NOT_FOUND, field="parent_id")
        if data.get("auto_assign_user_id"):
            values["auto_assign_user"] = services.eligible_assignee(tenant=tenant, user_id=data["auto_assign_user_id"])
        category = services.category_create(tenant=tenant, by=request.user, data=values)
        return ApiResponse(P.desk_category_created(category), status=201, message=_("Category created."))


class DeskUploadView(DeskAPIView):
    """``POST /api/upload``: store a file (size and content checked), optionally on a ticket."""

    required_permissions = "ticket:upload"
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request={"multipart/form-data": S.Upload}, responses={201: P.desk_upload.response_serializer})
    def post(self, request):
        data = _valid(S.Upload, request.data)
        ticket = visible_ticket(request, data["ticket_id"]) if data.get("ticket_id") else None
        attachment = services.attachment_upload(
            tenant=request.user.tenant,
            by=request.user,
            upload=data["file"],
            ticket=ticket,
            kind=data.get("type") or "attachment",
            description=data.get("description", ""),
        )
        return ApiResponse(P.desk_upload(request, attachment), status=201, message=_("File uploaded."))


class DeskUploadDownloadView(DeskAPIView):
    """``GET /api/uploads/{id}/download``: a file uploaded through ``POST /api/upload``; the
    uploader, or anyone who can see its ticket, may download it."""

    required_permissions = "ticket:read"

    def get_base_queryset(self):
        return TicketAttachment.objects.all()

    # The stored file, served with the content type it was uploaded with (text/plain, image/png, …).
    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        attachment = selectors.upload_for_download(user=request.user, pk=pk)
        if attachment is None:
            raise DomainError(ErrorCode.NOT_FOUND, _("The attachment does not exist."))
        return attachment_response(attachment)
