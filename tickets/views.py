"""Server-rendered ticket pages over the same selectors and services as the APIs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from portal.errors import DomainError
from portal.page_views import PortalPageMixin
from tickets import selectors, services
from tickets.actions import TICKET_ACTIONS, page_action, perform_on_page
from tickets.api.common import attachment_response
from tickets.choices import OPEN_STATUSES, TicketPriority, TicketStatus, TicketType
from tickets.filtersets import PageTicketFilterSet
from tickets.forms import (
    RATING_LABELS,
    AssignForm,
    BulkForm,
    CategoryForm,
    CommentForm,
    EscalateForm,
    RatingForm,
    TicketForm,
    UploadForm,
)
from tickets.models import Category, Ticket, TicketAttachment
from tickets.policy import BULK_TARGETS, STAFF_QUEUE, allowed_actions, bulk_options, is_manager, is_staff_member

PAGE_SIZES = (20, 50, 100)


class TicketPageMixin(PortalPageMixin):
    """Ticket pages are work inside a tenant: platform principals get a clear refusal."""

    tenant_required = True


class TicketGone(Exception):
    """The ticket exists in the user's tenant and they took part in it, but can no longer see it."""

    def __init__(self, ticket):
        self.ticket = ticket


def _visible_ticket(request, pk):
    ticket = selectors.tickets_for(request.user).select_related(*selectors.LIST_RELATED).filter(pk=pk).first()
    if ticket is None:
        gone = selectors.ticket_left_view(user=request.user, pk=pk)
        if gone is not None:
            raise TicketGone(gone)
        raise Http404
    return ticket


def gone_response(request, ticket):
    """A ticket that left this user's view (reassigned away, deleted) explains itself instead of
    a bare 404. Only for people who took part in it: anyone else still gets the 404."""
    reason = "deleted" if ticket.is_deleted else "reassigned"
    return render(request, "tickets/gone.html", {"gone": ticket, "reason": reason}, status=403)


class TicketPaginator(Paginator):
    """Counts through the list's own plan (roll-up counters, or a capped count) and reads deep
    pages ids first, like the API lists."""

    @cached_property
    def count(self):
        return self.object_list.page_total()

    def page(self, number):
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        return self._get_page(self.object_list.page_window(start, self.per_page), number, self)


class TicketListView(TicketPageMixin, View):
    """All tickets the user can see, with filters, search, sort, pagination and bulk actions."""

    required_permission = "ticket:read"
    template_name = "tickets/list.html"
    heading = gettext_lazy("Tickets")
    scope = "all"

    def base(self, request):
        queryset = selectors.tickets_for(request.user)
        if self.scope == "mine":
            queryset = queryset.filter(assigned_to=request.user) | queryset.filter(created_by=request.user)
        elif self.scope == "unassigned":
            queryset = queryset.filter(assigned_to__isnull=True, status__in=OPEN_STATUSES)
        return selectors.with_list_columns(queryset)

    def get(self, request):
        if self.scope == "all" and not is_staff_member(request.user):
            # A requester's whole view is their own tickets: "All tickets" is "My tickets" for
            # them (same rows), so old links and bookmarks land there, filters kept.
            query = request.GET.urlencode()
            return redirect(reverse("tickets:mine") + (f"?{query}" if query else ""))
        filterset = PageTicketFilterSet(request.GET or None, queryset=self.base(request), user=request.user)
        queryset = filterset.qs if filterset.is_valid() else self.base(request).order_by("-created_at", "-id")
        if self.scope == "all" and filterset.is_valid():
            queryset = selectors.with_count_plan(queryset, user=request.user, filterset=filterset)
        try:
            size = int(request.GET.get("size", 20))
        except ValueError:
            size = 20
        size = size if size in PAGE_SIZES else 20
        page = TicketPaginator(queryset, size).get_page(request.GET.get("page"))
        can_bulk = request.user.has_contract_permission("ticket:assign") or request.user.has_contract_permission(
            "ticket:process"
        )
        rows = [(t, bulk_options(t, request.user) if can_bulk else None) for t in page]
        form = filterset.form
        context = {
            "heading": self.heading,
            "scope": self.scope,
            "filterset": filterset,
            "page": page,
            "rows": rows,
            "size": size,
            "page_sizes": PAGE_SIZES,
            "can_bulk": can_bulk,
            "can_create": request.user.has_contract_permission("ticket:create"),
            "agents": selectors.assignees_for(request.user) if can_bulk else [],
            "bulk_statuses": [(s, TicketStatus(s).label) for s in BULK_TARGETS],
            "status_choices": TicketStatus.choices,
            "priority_choices": TicketPriority.choices,
            "type_choices": TicketType.choices,
            "chosen_statuses": request.GET.getlist("status"),
            "chosen_priorities": request.GET.getlist("priority"),
            "categories": form.fields["category"].queryset.order_by("tree_id", "lft"),
            "filtered": any(k in request.GET for k in ("q", "status", "priority", "type", "category")),
            "sorts": [
                ("created_at", _("Created")),
                ("updated_at", _("Updated")),
                ("due_date", _("Due date")),
                ("priority", _("Priority")),
            ],
        }
        return render(request, self.template_name, context)


class MyTicketListView(TicketListView):
    heading = gettext_lazy("My tickets")
    scope = "mine"


class UnassignedTicketListView(TicketListView):
    """The queue staff pick work from; a requester has nothing to pick (403 page)."""

    required_permission = STAFF_QUEUE
    heading = gettext_lazy("Unassigned tickets")
    scope = "unassigned"


class TicketBulkView(TicketPageMixin, View):
    required_permission = "ticket:read"

    def post(self, request):
        form = BulkForm(request.POST, user=request.user)
        back = request.POST.get("next") or reverse("tickets:list")
        if not back.startswith("/"):
            back = reverse("tickets:list")
        if not form.is_valid():
            messages.error(request, _("Choose tickets and an operation."))
            return redirect(back)
        data = form.cleaned_data
        visible = selectors.tickets_for(request.user)
        try:
            if data["operation"] == "assign":
                done, failed = services.tickets_bulk_assign(
                    visible=visible, by=request.user, ticket_ids=data["ids"], assignee=data["assignee"]
                )
            else:
                done, failed = services.tickets_bulk_status(
                    visible=visible, by=request.user, ticket_ids=data["ids"], to=data["status"]
                )
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect(back)
        numbers = dict(visible.filter(pk__in=[*done, *(f["id"] for f in failed)]).values_list("pk", "number"))
        if done:
            messages.success(
                request,
                _("%(n)d tickets updated: %(numbers)s.")
                % {"n": len(done), "numbers": ", ".join(numbers[i] for i in done)},
            )
        for failure in failed:
            # A ticket the user cannot see is named by nothing at all (its number would leak).
            name = numbers.get(failure["id"]) or _("a ticket you cannot see")
            messages.warning(
                request, _("Ticket %(number)s: %(reason)s") % {"number": name, "reason": failure["reason"]}
            )
        return redirect(back)


class TicketCreateView(TicketPageMixin, View):
    required_permission = "ticket:create"
    template_name = "tickets/form.html"

    def get(self, request):
        return render(
            request,
            self.template_name,
            {
                "form": TicketForm(user=request.user),
                "ticket": None,
                "is_staff_member": is_staff_member(request.user),
            },
        )

    def post(self, request):
        form = TicketForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                ticket = services.ticket_create(
                    tenant=request.user.tenant, by=request.user, data={**form.cleaned_data, "source": "web"}
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Ticket %(number)s created.") % {"number": ticket.number})
                return redirect("tickets:detail", pk=ticket.pk)
        return render(
            request,
            self.template_name,
            {"form": form, "ticket": None, "is_staff_member": is_staff_member(request.user)},
            status=400,
        )


class TicketEditView(TicketPageMixin, View):
    required_permission = "ticket:update"
    template_name = "tickets/form.html"

    def get(self, request, pk):
        ticket = _visible_ticket(request, pk)
        initial = {
            "title": ticket.title,
            "description": ticket.description,
            "type": ticket.type,
            "priority": ticket.priority,
            "category": ticket.category,
            "customer_name": ticket.customer_name,
            "customer_email": ticket.customer_email,
            "customer_phone": ticket.customer_phone,
            "tags": ", ".join(ticket.tags),
            "due_date": ticket.due_date,
        }
        form = TicketForm(initial=initial, user=request.user)
        return render(
            request,
            self.template_name,
            {"form": form, "ticket": ticket, "is_staff_member": is_staff_member(request.user)},
        )

    def post(self, request, pk):
        ticket = _visible_ticket(request, pk)
        form = TicketForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.ticket_update(ticket=ticket, by=request.user, data=form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Ticket updated."))
                return redirect("tickets:detail", pk=ticket.pk)
        return render(
            request,
            self.template_name,
            {"form": form, "ticket": ticket, "is_staff_member": is_staff_member(request.user)},
            status=400,
        )


HISTORY_ACTIONS = {
    "create": gettext_lazy("created the ticket"),
    "assign": gettext_lazy("assigned the ticket"),
    "transfer": gettext_lazy("transferred the ticket"),
    "escalate": gettext_lazy("escalated the ticket"),
    "accept": gettext_lazy("accepted the ticket"),
    "reject": gettext_lazy("rejected the ticket"),
    "status": gettext_lazy("changed the status"),
    "update": gettext_lazy("updated the ticket"),
    "attachment": gettext_lazy("added an attachment"),
    "attachment_delete": gettext_lazy("deleted an attachment"),
    "rate": gettext_lazy("rated the ticket"),
    "delete": gettext_lazy("deleted the ticket"),
    "restore": gettext_lazy("restored the ticket"),
}
HIDDEN_HISTORY_FIELDS = {"internal_note", "comment", "attachment", "priority_rank", "resolution_notes"}
#: Times and durations only staff need; requesters see status, deadline and answers.
STAFF_ONLY_HISTORY_FIELDS = {
    "assigned_at",
    "accepted_at",
    "resolution_time",
    "response_time",
    "started_at",
    "paused_at",
    "escalated_at",
    "sla_due_date",
    "sla_response_due_at",
    "first_reply_at",
    "is_escalated",
    "resolved_at",
    "closed_at",
}
VOCABULARIES = {"status": TicketStatus, "priority": TicketPriority, "type": TicketType}


def _history_value(field: str, value, names: dict):
    """A history value as people read it: labels for vocabularies, names for users and
    categories, local times for timestamps."""
    if value in (None, ""):
        return "—"
    if field in VOCABULARIES:
        try:
            return VOCABULARIES[field](value).label
        except ValueError:
            return value
    if field in ("assigned_to_id", "deleted_by_id", "category_id"):
        return names.get((field, value), value)
    if isinstance(value, str) and (moment := parse_datetime(value)) is not None:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value


def _field_label(field: str) -> str:
    name = field[:-3] if field.endswith("_id") and field != "customer_id" else field
    try:
        return str(Ticket._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _history_names(entries: list[dict]) -> dict:
    """Names of the users and categories the history mentions, in two queries."""
    users, categories = set(), set()
    for entry in entries:
        for field, change in entry["changes"].items():
            target = (
                categories
                if field == "category_id"
                else users
                if field in ("assigned_to_id", "deleted_by_id")
                else None
            )
            if target is not None:
                target.update(v for v in (change["old"], change["new"]) if v)
    names = {}
    for user in get_user_model().objects.filter(pk__in=users):
        names[("assigned_to_id", user.pk)] = names[("deleted_by_id", user.pk)] = str(user)
    for category in Category.objects.filter(pk__in=categories):
        names[("category_id", category.pk)] = str(category)
    return names


def _history_lines(entry: dict, names: dict | None = None, *, staff: bool = True) -> dict:
    names = names if names is not None else {}
    hidden = HIDDEN_HISTORY_FIELDS if staff else HIDDEN_HISTORY_FIELDS | STAFF_ONLY_HISTORY_FIELDS
    return {
        "action": HISTORY_ACTIONS.get(entry["action"], entry["action"]),
        "changes": [
            (
                _field_label(field),
                _history_value(field, change["old"], names),
                _history_value(field, change["new"], names),
            )
            for field, change in entry["changes"].items()
            if field not in hidden
        ],
    }


class TicketDetailView(TicketPageMixin, View):
    """One ticket: details, timeline of comments and history, the actions this user may take."""

    required_permission = "ticket:read"
    template_name = "tickets/detail.html"

    def get(self, request, pk):
        try:
            ticket = _visible_ticket(request, pk)
        except TicketGone as gone:
            return gone_response(request, gone.ticket)
        if request.headers.get("X-Requested-With") != "live":  # the page's own live refreshes are no views
            services.ticket_record_view(ticket=ticket, viewer=request.user)
        request.visit = (f"ticket_{ticket.pk}", f"{ticket.number} {ticket.title}")  # the workbench's recent visits
        return render(request, self.template_name, self.context(request, ticket))

    def context(self, request, ticket, **forms):
        user = request.user
        staff = is_staff_member(user)
        comments = list(selectors.comments_for(ticket=ticket, user=user))
        entries = selectors.history_entries(ticket=ticket, user=user)
        names = _history_names(entries)
        timeline = [{"kind": "comment", "at": c.created_at, "comment": c} for c in comments]
        timeline += [
            {"kind": "history", "at": e["created_at"], "entry": e, "lines": _history_lines(e, names, staff=staff)}
            for e in entries
            if e["action"] != "comment"
        ]
        timeline.sort(key=lambda item: item["at"])
        actions = allowed_actions(ticket, user)
        deadline = ticket.sla_due_date or ticket.due_date
        return {
            "deadline": deadline,
            "deadline_met": deadline is not None and ticket.resolved_at is not None and ticket.resolved_at <= deadline,
            "can_escalate": staff
            and user.has_contract_permission("ticket:update")
            and ticket.status in OPEN_STATUSES
            and not ticket.is_escalated,
            "can_transfer": "assign" in actions and ticket.assigned_to_id is not None,
            "transfer_form": AssignForm(user=user, prefix="transfer"),
            "escalate_form": EscalateForm(user=user),
            "rating_choices": [(i, RATING_LABELS[i]) for i in range(5, 0, -1)],
            "ticket": ticket,
            "timeline": timeline,
            "attachments": selectors.attachments_for(ticket=ticket),
            "workflow": [
                (a, TICKET_ACTIONS[a].label, TICKET_ACTIONS[a].needs_note) for a in actions if TICKET_ACTIONS[a].label
            ],
            "can_assign": "assign" in actions,
            "can_rate": "rate" in actions,
            "can_edit": user.has_contract_permission("ticket:update"),
            "can_comment": user.has_contract_permission("ticket:comment"),
            "can_upload": user.has_contract_permission("ticket:upload"),
            "can_delete_attachments": user.has_contract_permission("ticket:delete"),
            "is_staff_member": staff,
            "comment_form": forms.get("comment_form") or CommentForm(),
            "upload_form": forms.get("upload_form") or UploadForm(),
            "assign_form": AssignForm(user=user, initial={"assignee": ticket.assigned_to_id}),
            "rating_form": RatingForm(initial={"rating": ticket.rating}),
        }


class TicketActionView(TicketPageMixin, View):
    """POST one action of the table (``tickets.actions``); the services decide whether it is
    allowed, and a refusal or invalid input is shown as a message on the ticket."""

    required_permission = "ticket:read"

    def post(self, request, pk, action):
        try:
            ticket = _visible_ticket(request, pk)
        except TicketGone as gone:
            return gone_response(request, gone.ticket)
        user, chosen = request.user, page_action(action)
        if chosen is None:
            raise Http404
        try:
            perform_on_page(chosen, request=request, ticket=ticket)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Done."))
        if selectors.tickets_for(user).filter(pk=ticket.pk).exists():
            return redirect("tickets:detail", pk=ticket.pk)
        # e.g. after rejecting: the ticket left this agent's view
        return redirect("tickets:list" if is_staff_member(user) else "tickets:mine")


class AttachmentDownloadView(TicketPageMixin, View):
    required_permission = "ticket:read"

    def get(self, request, pk):
        visible = selectors.tickets_for(request.user).values("pk")
        attachment = TicketAttachment.objects.for_user(request.user).filter(pk=pk, ticket__in=visible).first()
        if attachment is None or not attachment.file:
            raise Http404
        try:
            return attachment_response(attachment)
        except DomainError:  # the file is missing from storage
            raise Http404 from None


class AttachmentDeleteView(TicketPageMixin, View):
    required_permission = "ticket:delete"

    def post(self, request, pk):
        visible = selectors.tickets_for(request.user).values("pk")
        attachment = TicketAttachment.objects.filter(pk=pk, ticket__in=visible).select_related("ticket").first()
        if attachment is None:
            raise Http404
        services.attachment_delete(attachment=attachment, by=request.user)
        messages.success(request, _("Attachment deleted."))
        return redirect("tickets:detail", pk=attachment.ticket_id)


class CategoryManageView(TicketPageMixin, View):
    """Category tree management for tenant admins and supervisors."""

    required_permission = "ticket:category:create"
    template_name = "tickets/categories.html"

    def get(self, request, pk=None):
        return render(request, self.template_name, self.context(request, pk))

    def context(self, request, pk, form=None):
        category = selectors.categories_for(request.user).filter(pk=pk).first() if pk else None
        if pk and category is None:
            raise Http404
        if form is None:
            initial = {}
            if category is not None:
                initial = {
                    f: getattr(category, f)
                    for f in (
                        "name",
                        "code",
                        "description",
                        "parent",
                        "color",
                        "icon",
                        "sla_hours",
                        "auto_assign_user",
                        "sort_order",
                        "is_active",
                    )
                }
            form = CategoryForm(initial=initial, user=request.user)
        return {
            "tree": selectors.category_tree(user=request.user),
            "form": form,
            "category": category,
            "is_manager": is_manager(request.user),
        }

    def post(self, request, pk=None):
        context = self.context(request, pk)
        form = CategoryForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                if context["category"] is None:
                    services.category_create(tenant=request.user.tenant, by=request.user, data=form.cleaned_data)
                else:
                    services.category_update(category=context["category"], by=request.user, data=form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Category saved."))
                return redirect("tickets:categories")
        return render(request, self.template_name, self.context(request, pk, form=form), status=400)
