"""Ticket Desk API adapters (``/api/tickets…``, ``/api/categories``, ``/api/upload``)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import F, Q
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.parsers import FormParser

from accounts.models import User
from portal.api.parsers import JSONParser, MultiPartParser
from portal.api.responses import ApiResponse
from portal.api.views import DeskAPIView, DeskViewSet
from portal.errors import DomainError, ErrorCode
from tickets import selectors, services
from tickets.api import presenters as P
from tickets.api import serializers as S
from tickets.api.common import TicketQuerysetMixin, documented, visible_ticket
from tickets.choices import DESK, OPEN_STATUSES, status_from_word
from tickets.filtersets import DeskTicketFilterSet
from tickets.models import Category, TicketAttachment, overdue_q, sla_breached_q


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _hours_since(moment, now) -> int:
    if moment is None:
        return 0
    return max(0, int((now - moment).total_seconds() // 3600))


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
    many=("list", "history", "my_tickets", "unassigned", "overdue", "sla_breach"),
)
class DeskTicketViewSet(TicketQuerysetMixin, DeskViewSet):
    """Tickets in the desk contract: CRUD, workflow, history, stats, queues and bulk work."""

    required_permissions = {
        "list": "ticket:read",
        "retrieve": "ticket:read",
        "create": "ticket:create",
        "update": None,  # rating alone is the requester's; anything else needs ticket:update (service)
        "destroy": "ticket:delete",
        "assign": "ticket:assign",
        "transfer": "ticket:assign",
        "escalate": "ticket:update",
        "status": "ticket:read",  # the service checks the code of the target status
        "history": "ticket:read",
        "stats": "ticket:read",
        "my_tickets": "ticket:read",
        "unassigned": "ticket:read",
        "overdue": "ticket:read",
        "sla_breach": "ticket:read",
        "bulk_assign": "ticket:assign",
        "bulk_status": "ticket:read",
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
        body = {
            "id": ticket.pk,
            "ticket_number": ticket.number,
            "title": ticket.title,
            "status": P.status_word(ticket.status, DESK),
            "priority": ticket.priority,
            "type": ticket.type,
            "created_by": {"id": request.user.pk, "username": request.user.username},
            "assigned_to": {"id": ticket.assigned_to.pk, "username": ticket.assigned_to.username}
            if ticket.assigned_to
            else None,
            "category_id": ticket.category_id,
            "sla_due_date": P._dt(ticket.sla_due_date),
            "created_at": P._dt(ticket.created_at),
        }
        return ApiResponse(body, status=201, message=_("Ticket created."))

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
        body = {
            "id": ticket.pk,
            "ticket_number": ticket.number,
            "title": ticket.title,
            "status": P.status_word(ticket.status, DESK),
            "priority": ticket.priority,
            "assigned_to_id": ticket.assigned_to_id,
            "rating": ticket.rating,
            "resolved_at": P._dt(ticket.resolved_at),
            "resolution_time": ticket.resolution_time,
            "updated_at": P._dt(ticket.updated_at),
        }
        return ApiResponse(body, message=_("Ticket updated."))

    def destroy(self, request, pk=None):
        services.ticket_delete(ticket=visible_ticket(request, pk), by=request.user)
        return ApiResponse(None, message=_("Ticket deleted."))

    # --- workflow -----------------------------------------------------------------------------

    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        ticket = visible_ticket(request, pk)
        data = _valid(S.DeskAssign, request.data)
        assignee = services.eligible_assignee(tenant=request.user.tenant, user_id=data["assigned_to_id"])
        ticket = services.ticket_assign(ticket=ticket, by=request.user, assignee=assignee, note=data.get("comment", ""))
        body = {
            "id": ticket.pk,
            "assigned_to_id": assignee.pk,
            "assigned_to": P.desk_user(assignee),
            "status": P.status_word(ticket.status, DESK),
            "updated_at": P._dt(ticket.updated_at),
        }
        return ApiResponse(body, message=_("Ticket assigned."))

    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        ticket = visible_ticket(request, pk)
        data = _valid(S.DeskTransfer, request.data)
        assignee = services.eligible_assignee(tenant=request.user.tenant, user_id=data["assigned_to_id"])
        note = "\n".join(x for x in (data.get("comment"), data.get("transfer_reason"), data.get("department")) if x)
        ticket, previous = services.ticket_transfer(ticket=ticket, by=request.user, assignee=assignee, note=note)
        body = {
            "id": ticket.pk,
            "assigned_to_id": assignee.pk,
            "previous_assignee_id": previous,
            "updated_at": P._dt(ticket.updated_at),
        }
        return ApiResponse(body, message=_("Ticket transferred."))

    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        ticket = visible_ticket(request, pk)
        data = _valid(S.DeskEscalate, request.data)
        target = None
        if data.get("escalate_to_id"):
            target = services.eligible_assignee(tenant=request.user.tenant, user_id=data["escalate_to_id"])
        ticket = services.ticket_escalate(
            ticket=ticket, by=request.user, reason=data["reason"], escalate_to=target, note=data.get("comment", "")
        )
        body = {
            "id": ticket.pk,
            "priority": ticket.priority,
            "is_escalated": ticket.is_escalated,
            "assigned_to": P.desk_user(ticket.assigned_to, role=True) if ticket.assigned_to else None,
            "updated_at": P._dt(ticket.updated_at),
        }
        return ApiResponse(body, message=_("Ticket escalated."))

    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        ticket = visible_ticket(request, pk)
        data = _valid(S.DeskStatus, request.data)
        target = status_from_word(data["status"], DESK, assigned=ticket.assigned_to_id is not None)
        ticket = services.ticket_transition(
            ticket=ticket,
            to=target,
            by=request.user,
            note=data.get("comment", ""),
            data={"resolution_notes": data.get("resolution_notes")},
        )
        body = {
            "id": ticket.pk,
            "status": P.status_word(ticket.status, DESK),
            "resolved_at": P._dt(ticket.resolved_at),
            "resolution_time": ticket.resolution_time,
            "closed_at": P._dt(ticket.closed_at),
            "updated_at": P._dt(ticket.updated_at),
        }
        return ApiResponse(body, message=_("Status updated."))

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        ticket = visible_ticket(request, pk)
        entries = selectors.history_entries(ticket=ticket, user=request.user)
        ids = {c["assigned_to_id"]["new"] for e in entries for c in [e["changes"]] if "assigned_to_id" in c}
        users = dict(User.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "username"))
        return ApiResponse(P.desk_history(entries, users), extra={"total": len(entries)})

    # --- figures and queues -------------------------------------------------------------------

    @action(detail=False, methods=["get"])
    def stats(self, request):
        return ApiResponse(selectors.desk_stats(user=request.user))

    def _short_list(self, queryset, default_limit: int, present):
        limit = _valid(S.ShortList, request_params(self.request)).get("limit", default_limit)
        filterset = DeskTicketFilterSet(self.request.query_params, queryset=queryset)
        if not filterset.is_valid():
            from rest_framework.exceptions import ValidationError

            raise ValidationError(filterset.errors)
        queryset = filterset.qs
        total = queryset.count()
        return ApiResponse([present(t) for t in queryset[:limit]], extra={"total": total})

    @action(detail=False, methods=["get"], url_path="my-tickets")
    def my_tickets(self, request):
        queryset = selectors.tickets_for(request.user).filter(Q(assigned_to=request.user) | Q(created_by=request.user))
        queryset = queryset.select_related(*selectors.LIST_RELATED)

        def present(t):
            return {
                "id": t.pk,
                "ticket_number": t.number,
                "title": t.title,
                "status": P.status_word(t.status, DESK),
                "priority": t.priority,
                "customer_name": t.customer_name,
                "assigned_to_id": t.assigned_to_id,
                "created_by_id": t.created_by_id,
                "created_at": P._dt(t.created_at),
                "due_date": P._dt(t.due_date),
                "is_overdue": t.is_overdue,
                "sla_breached": t.sla_breached,
            }

        return self._short_list(queryset, 10, present)

    @action(detail=False, methods=["get"])
    def unassigned(self, request):
        queryset = selectors.tickets_for(request.user).filter(assigned_to__isnull=True, status__in=OPEN_STATUSES)
        queryset = queryset.select_related("category")

        def present(t):
            return {
                "id": t.pk,
                "ticket_number": t.number,
                "title": t.title,
                "status": P.status_word(t.status, DESK),
                "priority": t.priority,
                "customer_name": t.customer_name,
                "category": P.desk_category(t.category),
                "created_at": P._dt(t.created_at),
                "auto_assign_user_id": t.category.auto_assign_user_id if t.category else None,
            }

        return self._short_list(queryset, 20, present)

    @action(detail=False, methods=["get"])
    def overdue(self, request):
        now = timezone.now()
        queryset = selectors.tickets_for(request.user).filter(overdue_q(now)).select_related("assigned_to")
        if hours := _min_hours(request, "overdue_hours"):
            queryset = queryset.filter(due_date__lte=now - timedelta(hours=hours))
        queryset = queryset.order_by("due_date", "id")

        def present(t):
            return {
                "id": t.pk,
                "ticket_number": t.number,
                "title": t.title,
                "status": P.status_word(t.status, DESK),
                "priority": t.priority,
                "assigned_to": {"id": t.assigned_to.pk, "username": t.assigned_to.username} if t.assigned_to else None,
                "due_date": P._dt(t.due_date),
                "overdue_hours": _hours_since(t.due_date, now),
                "is_overdue": True,
            }

        return self._short_list_sorted(queryset, present)

    @action(detail=False, methods=["get"], url_path="sla-breach")
    def sla_breach(self, request):
        now = timezone.now()
        queryset = selectors.tickets_for(request.user).filter(sla_breached_q(now)).select_related("category")
        if hours := _min_hours(request, "breach_hours"):
            late = timedelta(hours=hours)
            queryset = queryset.filter(
                Q(resolved_at__isnull=True, sla_due_date__lte=now - late)
                | Q(resolved_at__isnull=False, resolved_at__gte=F("sla_due_date") + late)
            )
        queryset = queryset.order_by("sla_due_date", "id")

        def present(t):
            until = t.resolved_at if t.resolved_at else now
            return {
                "id": t.pk,
                "ticket_number": t.number,
                "title": t.title,
                "status": P.status_word(t.status, DESK),
                "priority": t.priority,
                "sla_due_date": P._dt(t.sla_due_date),
                "sla_breached": True,
                "breach_hours": _hours_since(t.sla_due_date, until),
                "category": P.desk_category(t.category, sla_hours=True),
            }

        return self._short_list_sorted(queryset, present)

    def _short_list_sorted(self, queryset, present):
        limit = _valid(S.ShortList, request_params(self.request)).get("limit", 20)
        total = queryset.count()
        return ApiResponse([present(t) for t in queryset[:limit]], extra={"total": total})

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
        body = {
            "assigned_count": len(done),
            "failed_count": len(failed),
            "assigned_tickets": done,
            "failed_tickets": failed,
        }
        return ApiResponse(body, message=_("Bulk assignment finished."))

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
        body = {
            "updated_count": len(done),
            "failed_count": len(failed),
            "updated_tickets": done,
            "failed_tickets": failed,
        }
        return ApiResponse(body, message=_("Bulk status update finished."))


def request_params(request) -> dict:
    return {k: v for k, v in request.query_params.items() if k == "limit"}


@documented({"create": S.CategoryCreate}, ["list", "create"], many=("list",))
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
            values["parent"] = Category.objects.filter(tenant=tenant, pk=data["parent_id"]).first()
            if values["parent"] is None:
                raise DomainError(ErrorCode.CATEGORY_NOT_FOUND, field="parent_id")
        if data.get("auto_assign_user_id"):
            values["auto_assign_user"] = services.eligible_assignee(tenant=tenant, user_id=data["auto_assign_user_id"])
        category = services.category_create(tenant=tenant, by=request.user, data=values)
        body = {
            "id": category.pk,
            "code": category.code,
            "name": category.name,
            "description": category.description,
            "color": category.color,
            "icon": category.icon,
            "sla_hours": category.sla_hours,
            "auto_assign_user_id": category.auto_assign_user_id,
            "parent_id": category.parent_id,
            "created_at": P._dt(category.created_at),
        }
        return ApiResponse(body, status=201, message=_("Category created."))


class DeskUploadView(DeskAPIView):
    """``POST /api/upload``: store a file (size and content checked), optionally on a ticket."""

    required_permissions = "ticket:upload"
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request={"multipart/form-data": S.Upload}, responses={201: OpenApiTypes.OBJECT})
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


def attachment_response(attachment) -> FileResponse:
    """Serve a stored file as a download that browsers never render inline."""
    if not attachment.file:
        raise DomainError(ErrorCode.NOT_FOUND, _("The attachment has no stored file."))
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.mime_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class DeskUploadDownloadView(DeskAPIView):
    """``GET /api/uploads/{id}/download``: a file uploaded through ``POST /api/upload``; the
    uploader, or anyone who can see its ticket, may download it."""

    required_permissions = "ticket:read"

    def get_base_queryset(self):
        return TicketAttachment.objects.all()

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        visible = selectors.tickets_for(request.user).values("pk")
        attachment = (
            self.get_queryset()
            .filter(pk=pk)
            .filter(Q(ticket__in=visible) | Q(ticket__isnull=True, uploaded_by=request.user))
            .first()
        )
        if attachment is None:
            raise DomainError(ErrorCode.NOT_FOUND, _("The attachment does not exist."))
        return attachment_response(attachment)
