"""The one table of ticket workflow actions, shared by the ticket pages and both APIs.

An entry names, once: the service call that performs the action, the permission code it needs,
and how each channel feeds it — the page's form and both contracts' serializers, each with the
function that turns validated input into the service's keyword arguments. The detail page
(``tickets.views.TicketActionView``) performs any entry that has a ``page`` binding; an API
route performs the entry it names (``tickets.api.common.TicketActionsMixin``), and its
``required_permissions`` entry is the table's ``permission``. So adding an action is one entry
here (plus, for an API, the route and presenter its contract documents).

``permission`` is checked by the APIs before the ticket is loaded (403 with
``required_permission``, as the v1 contract asks); the service checks the same code again together
with the relation rules (assignee, requester, manager: ``tickets.policy``), and that is what a
page relies on, so a page and an API refuse the same callers. ``None``: the relation rules alone
decide (reopen, cancel and rate are open to requesters, who hold none of the staff codes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.fields import TenantRowsForm
from portal.errors import DomainError, ErrorCode
from tickets import services
from tickets.api import serializers as S
from tickets.choices import DESK, TicketStatus, status_from_word
from tickets.forms import AssignForm, CommentForm, EscalateForm, RatingForm, UploadForm

#: read(validated input, request, ticket) -> the service's keyword arguments
Reader = Callable[..., dict]


@dataclass(frozen=True)
class PageInput:
    """How the detail page feeds an action: its form (``None``: only the optional ``note``
    field, which every action's input carries), and the message shown when it is invalid."""

    read: Reader
    form: type | None = None
    invalid: str = ""
    prefix: str | None = None
    files: bool = False


@dataclass(frozen=True)
class ApiInput:
    """How a contract feeds an action: its serializer (``None``: the raw ``request.data``)."""

    read: Reader
    serializer: type | None = None


@dataclass(frozen=True)
class TicketAction:
    name: str
    #: perform(ticket, by, **kwargs) -> what the service returns
    perform: Callable
    permission: str | None
    page: PageInput | None = None
    v1: ApiInput | None = None
    desk: ApiInput | None = None
    #: label of the page's workflow button (actions with their own dialog have none)
    label: str | None = None
    needs_note: bool = False


def _move(to: str) -> Callable:
    def perform(ticket, by, **kwargs):
        return services.ticket_transition(ticket=ticket, to=to, by=by, **kwargs)

    return perform


def _assignee(request, user_id):
    return services.eligible_assignee(tenant=request.user.tenant, user_id=user_id)


def _page_note(data, request, ticket) -> dict:
    return {"note": data["note"]}


def _page_handover(data, request, ticket) -> dict:
    return {"assignee": data["assignee"], "note": data["note"]}


def _v1_note(data, request, ticket) -> dict:
    return {"note": data.get("comment") or data.get("reason") or ""}


def _v1_comment(data, request, ticket) -> dict:
    links = data.get("attachments") or []
    if any(not link.get("id") for link in links):
        raise DomainError(
            ErrorCode.VALIDATION_FAILED, _("Comment attachments must be uploaded first (id)."), field="attachments"
        )
    return {
        "content": data["content"],
        "is_internal": data.get("type") == "internal",
        "attachment_ids": [link["id"] for link in links],
    }


def _v1_upload(data, request, ticket) -> dict:
    upload = request.FILES.get("file")
    if upload is None:
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("No file was sent."), field="file")
    return {"upload": upload, "description": data.get("description", "") or ""}


def _desk_escalate_to(data, request):
    return _assignee(request, data["escalate_to_id"]) if data.get("escalate_to_id") else None


def _upload(ticket, by, *, upload, description):
    return services.attachment_upload(tenant=by.tenant, by=by, upload=upload, ticket=ticket, description=description)


def _service(service) -> Callable:
    """``service(ticket=…, by=…, **kwargs)`` as a table entry's ``perform``."""

    def perform(ticket, by, **kwargs):
        return service(ticket=ticket, by=by, **kwargs)

    return perform


def _status(ticket, by, *, word, **kwargs):
    to = status_from_word(word, DESK, assigned=ticket.assigned_to_id is not None)
    return services.ticket_transition(ticket=ticket, to=to, by=by, **kwargs)


_NOTE = PageInput(read=_page_note)
_V1_NOTE = ApiInput(serializer=S.V1Note, read=_v1_note)
IN_PROGRESS, PAUSED, RESOLVED = TicketStatus.IN_PROGRESS, TicketStatus.PAUSED, TicketStatus.RESOLVED

TICKET_ACTIONS: dict[str, TicketAction] = {
    action.name: action
    for action in (
        TicketAction(
            "accept",
            _service(services.ticket_accept),
            "ticket:accept",
            page=PageInput(read=lambda data, request, ticket: {}),
            v1=ApiInput(read=lambda data, request, ticket: {}),
            label=gettext_lazy("Accept"),
        ),
        TicketAction(
            "reject",
            _service(services.ticket_reject),
            "ticket:reject",
            page=PageInput(read=lambda data, request, ticket: {"reason": data["note"] or _("Rejected")}),
            v1=ApiInput(
                serializer=S.V1Reject,
                read=lambda data, request, ticket: {
                    "reason": data["reason"],
                    "suggest_assignee_id": data.get("suggest_assignee"),
                },
            ),
            label=gettext_lazy("Reject"),
            needs_note=True,
        ),
        TicketAction(
            "start",
            _move(IN_PROGRESS),
            "ticket:process",
            page=_NOTE,
            v1=_V1_NOTE,
            label=gettext_lazy("Start work"),
        ),
        TicketAction("resume", _move(IN_PROGRESS), "ticket:process", page=_NOTE, label=gettext_lazy("Resume")),
        TicketAction("pause", _move(PAUSED), "ticket:process", page=_NOTE, v1=_V1_NOTE, label=gettext_lazy("Pause")),
        TicketAction(
            "resolve",
            _move(RESOLVED),
            "ticket:resolve",
            page=PageInput(
                read=lambda data, request, ticket: {"note": data["note"], "data": {"resolution_notes": data["note"]}}
            ),
            v1=ApiInput(
                serializer=S.V1Resolve,
                read=lambda data, request, ticket: {
                    "data": {
                        "resolution_notes": data["solution"],
                        "resolution_type": data.get("resolution_type"),
                        "time_spent": data.get("time_spent"),
                    },
                    "attachments": data.get("attachments") or [],
                },
            ),
            label=gettext_lazy("Resolve"),
            needs_note=True,
        ),
        # A resolved ticket goes back to work: its requester, or a manager, may (no staff code).
        TicketAction("reopen", _move(IN_PROGRESS), None, page=_NOTE, label=gettext_lazy("Reopen")),
        TicketAction(
            "close",
            _move(TicketStatus.CLOSED),
            "ticket:close",
            page=_NOTE,
            v1=_V1_NOTE,
            label=gettext_lazy("Close"),
        ),
        # The requester (with ticket:close) or a manager (with ticket:update): the service decides.
        TicketAction("cancel", _move(TicketStatus.CANCELLED), None, page=_NOTE, label=gettext_lazy("Cancel ticket")),
        # Any status the desk contract names; the service checks the code of the target status.
        TicketAction(
            "status",
            _status,
            "ticket:read",
            desk=ApiInput(
                serializer=S.DeskStatus,
                read=lambda data, request, ticket: {
                    "word": data["status"],
                    "note": data.get("comment", ""),
                    "data": {"resolution_notes": data.get("resolution_notes")},
                },
            ),
        ),
        TicketAction(
            "assign",
            _service(services.ticket_assign),
            "ticket:assign",
            page=PageInput(
                form=AssignForm,
                invalid=gettext_lazy("Choose an assignee."),
                read=_page_handover,
            ),
            v1=ApiInput(
                serializer=S.V1Assign,
                read=lambda data, request, ticket: {
                    "assignee": _assignee(request, data["assigned_to"]),
                    "note": data.get("comment", ""),
                    "priority": data.get("priority"),
                },
            ),
            desk=ApiInput(
                serializer=S.DeskAssign,
                read=lambda data, request, ticket: {
                    "assignee": _assignee(request, data["assigned_to_id"]),
                    "note": data.get("comment", ""),
                },
            ),
        ),
        TicketAction(
            "transfer",
            _service(services.ticket_transfer),
            "ticket:assign",
            page=PageInput(
                form=AssignForm,
                prefix="transfer",
                invalid=gettext_lazy("Choose who takes the ticket over."),
                read=_page_handover,
            ),
            desk=ApiInput(
                serializer=S.DeskTransfer,
                read=lambda data, request, ticket: {
                    "assignee": _assignee(request, data["assigned_to_id"]),
                    "note": "\n".join(
                        x for x in (data.get("comment"), data.get("transfer_reason"), data.get("department")) if x
                    ),
                },
            ),
        ),
        TicketAction(
            "escalate",
            _service(services.ticket_escalate),
            "ticket:update",
            page=PageInput(
                form=EscalateForm,
                invalid=gettext_lazy("Give a reason for the escalation."),
                read=lambda data, request, ticket: {"reason": data["reason"], "escalate_to": data["escalate_to"]},
            ),
            desk=ApiInput(
                serializer=S.DeskEscalate,
                read=lambda data, request, ticket: {
                    "reason": data["reason"],
                    "escalate_to": _desk_escalate_to(data, request),
                    "note": data.get("comment", ""),
                },
            ),
        ),
        # The requester rates a resolved or closed ticket (the desk contract rates through update).
        TicketAction(
            "rate",
            _service(services.ticket_rate),
            None,
            page=PageInput(
                form=RatingForm,
                invalid=gettext_lazy("The rating must be from 1 to 5."),
                read=lambda data, request, ticket: {"rating": data["rating"], "comment": data["rating_comment"]},
            ),
        ),
        TicketAction(
            "comment",
            _service(services.comment_create),
            "ticket:comment",
            page=PageInput(
                form=CommentForm,
                invalid=gettext_lazy("The comment is empty."),
                read=lambda data, request, ticket: {"content": data["content"], "is_internal": data["is_internal"]},
            ),
            v1=ApiInput(serializer=S.V1Comment, read=_v1_comment),
        ),
        TicketAction(
            "upload",
            _upload,
            "ticket:upload",
            page=PageInput(
                form=UploadForm,
                files=True,
                invalid=gettext_lazy("Choose a file."),
                read=lambda data, request, ticket: {"upload": data["file"], "description": data["description"]},
            ),
            v1=ApiInput(read=_v1_upload),
        ),
    )
}


def page_action(name: str) -> TicketAction | None:
    """The action the detail page may post, or ``None`` (the page answers 404)."""
    action = TICKET_ACTIONS.get(name)
    return action if action is not None and action.page is not None else None


def perform_on_page(action: TicketAction, *, request, ticket):
    """Validate the page's form for ``action`` and perform it; a ``DomainError`` (invalid
    form, or the service's refusal) for the page to show."""
    page = action.page
    data = {}
    if page.form is not None:
        args = (request.POST, request.FILES) if page.files else (request.POST,)
        kwargs = {"prefix": page.prefix} if page.prefix else {}
        if issubclass(page.form, TenantRowsForm):  # its pickers offer the user's tenant's rows
            kwargs["user"] = request.user
        form = page.form(*args, **kwargs)
        if not form.is_valid():
            raise DomainError(ErrorCode.VALIDATION_FAILED, str(page.invalid))
        data = dict(form.cleaned_data)
    data["note"] = request.POST.get("note", "").strip()
    return action.perform(ticket, request.user, **page.read(data, request, ticket))


def perform_in_api(name: str, contract: str, *, request, ticket):
    """Validate ``contract``'s input for action ``name`` (the contract's 400) and perform it."""
    action = TICKET_ACTIONS[name]
    api = getattr(action, contract)
    if api.serializer is None:
        data = request.data
    else:
        serializer = api.serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
    return action.perform(ticket, request.user, **api.read(data, request, ticket))


def route_permissions(routes: dict[str, str]) -> dict[str, str | None]:
    """``{route: table action}`` → the API's ``required_permissions`` entries for those routes."""
    return {route: TICKET_ACTIONS[name].permission for route, name in routes.items()}
