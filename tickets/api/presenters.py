"""How tickets look in each contract: every response body of the ticket adapters comes from
here. Plain functions over already-loaded rows (the selectors load what a list shows, so
presenting never queries per row); each is paired with the response serializer that documents
it (``@presents``), which the adapters hand to the OpenAPI schema."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from portal.api.presenting import presents
from portal.timestamps import iso_utc as _dt
from tickets import sla
from tickets.api import serializers as S
from tickets.choices import DESK, V1, priority_word, status_word


def display_name(user) -> str:
    if user is None:
        return ""
    return user.real_name or f"{user.last_name}{user.first_name}" or user.username


# --- desk -------------------------------------------------------------------------------------


def desk_user(user, *, email: bool = False, role: bool = False) -> dict | None:
    if user is None:
        return None
    data = {"id": user.pk, "username": user.username, "first_name": user.first_name, "last_name": user.last_name}
    if email:
        data["email"] = user.email
    if role:
        data["role"] = user.primary_role
    return data


def desk_category(category, *, description: bool = False, sla_hours: bool = False) -> dict | None:
    if category is None:
        return None
    data = {"id": category.pk, "name": category.name}
    if description:
        data["description"] = category.description
    if sla_hours:
        data["sla_hours"] = category.sla_hours
    return data


@presents(S.DeskTicketOut)
def desk_ticket(ticket) -> dict:
    """A ticket in the desk list (``GET /api/tickets``)."""
    return {
        "id": ticket.pk,
        "ticket_number": ticket.number,
        "title": ticket.title,
        "description": ticket.description,
        "status": status_word(ticket.status, DESK),
        "priority": priority_word(ticket.priority, DESK),
        "type": ticket.type,
        "source": ticket.source,
        "created_by": desk_user(ticket.created_by),
        "assigned_to": desk_user(ticket.assigned_to),
        "category": desk_category(ticket.category),
        "customer_email": ticket.customer_email,
        "customer_phone": ticket.customer_phone,
        "customer_name": ticket.customer_name,
        "created_at": _dt(ticket.created_at),
        "updated_at": _dt(ticket.updated_at),
        "due_date": _dt(ticket.due_date),
        "sla_due_date": _dt(ticket.sla_due_date),
        "is_overdue": ticket.is_overdue,
        "is_escalated": ticket.is_escalated,
        "sla_breached": ticket.sla_breached,
    }


@presents(S.DeskCommentOut)
def desk_comment(comment) -> dict:
    return {
        "id": comment.pk,
        "content": comment.content,
        "user": desk_user(comment.author),
        "created_at": _dt(comment.created_at),
        "is_internal": comment.is_internal,
    }


@presents(S.DeskTicketDetailOut)
def desk_ticket_detail(ticket, comments) -> dict:
    data = desk_ticket(ticket)
    data.update(
        {
            "created_by": desk_user(ticket.created_by, email=True),
            "assigned_to": desk_user(ticket.assigned_to, email=True),
            "category": desk_category(ticket.category, description=True),
            "created_by_id": ticket.created_by_id,
            "assigned_to_id": ticket.assigned_to_id,
            "category_id": ticket.category_id,
            "tags": ticket.tags,
            "custom_fields": ticket.custom_fields,
            "resolved_at": _dt(ticket.resolved_at),
            "closed_at": _dt(ticket.closed_at),
            "first_reply_at": _dt(ticket.first_reply_at),
            "response_time": ticket.response_time,
            "resolution_time": ticket.resolution_time,
            "view_count": ticket.view_count,
            "comment_count": ticket.comment_count,
            "rating": ticket.rating,
            "rating_comment": ticket.rating_comment,
            "comments": [desk_comment(c) for c in comments],
        }
    )
    return data


ACTION_TEXT = {
    "create": lambda e: _("Ticket created"),
    "assign": lambda e: _("Ticket assigned to %(name)s") % {"name": e.get("assignee") or "-"},
    "transfer": lambda e: _("Ticket transferred to %(name)s") % {"name": e.get("assignee") or "-"},
    "escalate": lambda e: _("Ticket escalated"),
    "accept": lambda e: _("Ticket accepted"),
    "reject": lambda e: _("Ticket rejected"),
    "status": lambda e: _("Status changed to %(status)s") % {"status": e.get("status") or "-"},
    "update": lambda e: _("Ticket updated"),
    "comment": lambda e: _("Comment added"),
    "attachment": lambda e: _("Attachment added"),
    "attachment_delete": lambda e: _("Attachment deleted"),
    "rate": lambda e: _("Ticket rated"),
    "delete": lambda e: _("Ticket deleted"),
    "restore": lambda e: _("Ticket restored"),
}


def history_description(entry: dict, users: dict) -> str:
    changes = entry["changes"]
    facts = {}
    if "assigned_to_id" in changes:
        facts["assignee"] = users.get(changes["assigned_to_id"]["new"], "")
    if "status" in changes:
        facts["status"] = status_word(changes["status"]["new"], DESK) if changes["status"]["new"] else ""
    text = ACTION_TEXT.get(entry["action"], lambda e: entry["action"])(facts)
    return f"{text}: {entry['note']}" if entry["note"] else text


@presents(S.DeskHistoryOut)
def desk_history(entries: list[dict], users: dict) -> list[dict]:
    return [
        {
            "id": entry["id"],
            "action": entry["action"],
            "description": history_description(entry, users),
            "user": {"id": entry["actor"].pk, "username": entry["actor"].username} if entry["actor"] else None,
            "created_at": _dt(entry["created_at"]),
            "field_changes": entry["changes"],
        }
        for entry in entries
    ]


@presents(S.DeskCategoryNodeOut)
def desk_category_node(node, *, depth: int = 0) -> dict:
    data = {
        "id": node.pk,
        "name": node.name,
        "description": node.description,
        "ticket_count": node.ticket_count,
    }
    if depth == 0 or node.children_list:
        data.update(
            {
                "code": node.code,
                "color": node.color,
                "icon": node.icon,
                "sla_hours": node.sla_hours,
                "auto_assign_user_id": node.auto_assign_user_id,
                "parent_id": node.parent_id,
                "is_active": node.is_active,
                "sort_order": node.sort_order,
            }
        )
    data["subcategories"] = [desk_category_node(child, depth=depth + 1) for child in node.children_list]
    return data


def download_url(request, attachment) -> str:
    if attachment.external_url:
        return attachment.external_url
    if attachment.ticket_id:
        path = reverse(
            "v1-ticket-download-attachment", kwargs={"pk": attachment.ticket_id, "attachment_id": attachment.pk}
        )
    else:
        path = reverse("desk-upload-download", kwargs={"pk": attachment.pk})
    return request.build_absolute_uri(path) if request is not None else path


@presents(S.DeskUploadOut)
def desk_upload(request, attachment) -> dict:
    return {
        "id": attachment.pk,
        "filename": attachment.file.name.rsplit("/", 1)[-1],
        "original_name": attachment.original_name,
        "file_size": attachment.size,
        "mime_type": attachment.mime_type,
        "file_path": "/uploads/" + attachment.file.name.split("/", 2)[-1],
        "url": download_url(request, attachment),
        "ticket_id": attachment.ticket_id,
        "uploaded_at": _dt(attachment.created_at),
    }


def desk_user_brief(user) -> dict | None:
    return None if user is None else {"id": user.pk, "username": user.username}


@presents(S.DeskTicketCreatedOut)
def desk_ticket_created(ticket) -> dict:
    return {
        "id": ticket.pk,
        "ticket_number": ticket.number,
        "title": ticket.title,
        "status": status_word(ticket.status, DESK),
        "priority": ticket.priority,
        "type": ticket.type,
        "created_by": desk_user_brief(ticket.created_by),
        "assigned_to": desk_user_brief(ticket.assigned_to),
        "category_id": ticket.category_id,
        "sla_due_date": _dt(ticket.sla_due_date),
        "created_at": _dt(ticket.created_at),
    }


@presents(S.DeskTicketUpdatedOut)
def desk_ticket_updated(ticket) -> dict:
    return {
        "id": ticket.pk,
        "ticket_number": ticket.number,
        "title": ticket.title,
        "status": status_word(ticket.status, DESK),
        "priority": ticket.priority,
        "assigned_to_id": ticket.assigned_to_id,
        "rating": ticket.rating,
        "resolved_at": _dt(ticket.resolved_at),
        "resolution_time": ticket.resolution_time,
        "updated_at": _dt(ticket.updated_at),
    }


@presents(S.DeskAssignedOut)
def desk_assigned(ticket) -> dict:
    return {
        "id": ticket.pk,
        "assigned_to_id": ticket.assigned_to_id,
        "assigned_to": desk_user(ticket.assigned_to),
        "status": status_word(ticket.status, DESK),
        "updated_at": _dt(ticket.updated_at),
    }


@presents(S.DeskTransferredOut)
def desk_transferred(ticket, previous_assignee_id) -> dict:
    return {
        "id": ticket.pk,
        "assigned_to_id": ticket.assigned_to_id,
        "previous_assignee_id": previous_assignee_id,
        "updated_at": _dt(ticket.updated_at),
    }


@presents(S.DeskEscalatedOut)
def desk_escalated(ticket) -> dict:
    return {
        "id": ticket.pk,
        "priority": ticket.priority,
        "is_escalated": ticket.is_escalated,
        "assigned_to": desk_user(ticket.assigned_to, role=True),
        "updated_at": _dt(ticket.updated_at),
    }


@presents(S.DeskStatusChangedOut)
def desk_status_changed(ticket) -> dict:
    return {
        "id": ticket.pk,
        "status": status_word(ticket.status, DESK),
        "resolved_at": _dt(ticket.resolved_at),
        "resolution_time": ticket.resolution_time,
        "closed_at": _dt(ticket.closed_at),
        "updated_at": _dt(ticket.updated_at),
    }


@presents(S.DeskMyTicketOut)
def desk_my_ticket(ticket) -> dict:
    return {
        "id": ticket.pk,
        "ticket_number": ticket.number,
        "title": ticket.title,
        "status": status_word(ticket.status, DESK),
        "priority": ticket.priority,
        "customer_name": ticket.customer_name,
        "assigned_to_id": ticket.assigned_to_id,
        "created_by_id": ticket.created_by_id,
        "created_at": _dt(ticket.created_at),
        "due_date": _dt(ticket.due_date),
        "is_overdue": ticket.is_overdue,
        "sla_breached": ticket.sla_breached,
    }


@presents(S.DeskUnassignedTicketOut)
def desk_unassigned_ticket(ticket) -> dict:
    return {
        "id": ticket.pk,
        "ticket_number": ticket.number,
        "title": ticket.title,
        "status": status_word(ticket.status, DESK),
        "priority": ticket.priority,
        "customer_name": ticket.customer_name,
        "category": desk_category(ticket.category),
        "created_at": _dt(ticket.created_at),
        "auto_assign_user_id": ticket.category.auto_assign_user_id if ticket.category else None,
    }


def _hours_between(start, end) -> int:
    if start is None:
        return 0
    return max(0, int((end - start).total_seconds() // 3600))


@presents(S.DeskOverdueTicketOut)
def desk_overdue_ticket(ticket, *, now) -> dict:
    return {
        "id": ticket.pk,
        "ticket_number": ticket.number,
        "title": ticket.title,
        "status": status_word(ticket.status, DESK),
        "priority": ticket.priority,
        "assigned_to": desk_user_brief(ticket.assigned_to),
        "due_date": _dt(ticket.due_date),
        "overdue_hours": _hours_between(ticket.due_date, now),
        "is_overdue": True,
    }


@presents(S.DeskBreachedTicketOut)
def desk_breached_ticket(ticket, *, now) -> dict:
    return {
        "id": ticket.pk,
        "ticket_number": ticket.number,
        "title": ticket.title,
        "status": status_word(ticket.status, DESK),
        "priority": ticket.priority,
        "sla_due_date": _dt(ticket.sla_due_date),
        "sla_breached": True,
        "breach_hours": _hours_between(ticket.sla_due_date, ticket.resolved_at or now),
        "category": desk_category(ticket.category, sla_hours=True),
    }


@presents(S.DeskBulkAssignedOut)
def desk_bulk_assigned(done: list[int], failed: list[dict]) -> dict:
    return {
        "assigned_count": len(done),
        "failed_count": len(failed),
        "assigned_tickets": done,
        "failed_tickets": failed,
    }


@presents(S.DeskBulkStatusOut)
def desk_bulk_status(done: list[int], failed: list[dict]) -> dict:
    return {"updated_count": len(done), "failed_count": len(failed), "updated_tickets": done, "failed_tickets": failed}


@presents(S.DeskCategoryCreatedOut)
def desk_category_created(category) -> dict:
    return {
        "id": category.pk,
        "code": category.code,
        "name": category.name,
        "description": category.description,
        "color": category.color,
        "icon": category.icon,
        "sla_hours": category.sla_hours,
        "auto_assign_user_id": category.auto_assign_user_id,
        "parent_id": category.parent_id,
        "created_at": _dt(category.created_at),
    }


# --- v1 ---------------------------------------------------------------------------------------


@presents(S.V1TicketCreatedOut)
def v1_ticket_created(ticket) -> dict:
    return {
        "ticket_id": ticket.number,
        "id": ticket.pk,
        "title": ticket.title,
        "status": status_word(ticket.status, V1),
        "priority": priority_word(ticket.priority, V1),
        "category": ticket.category.code if ticket.category else None,
        "assigned_to": ticket.assigned_to_id,
        "created_at": _dt(ticket.created_at),
        "estimated_resolve_time": _dt(ticket.sla_due_date or ticket.due_date),
    }


@presents(S.V1TicketMovedOut)
def v1_ticket_moved(ticket) -> dict:
    return {
        "id": ticket.pk,
        "ticket_id": ticket.number,
        "status": status_word(ticket.status, V1),
        "assigned_to": ticket.assigned_to_id,
    }


@presents(S.V1TicketOut)
def v1_ticket(ticket, *, tenant_name: str = "") -> dict:
    """A ticket in the v1 list."""
    return {
        "id": ticket.pk,
        "ticket_id": ticket.number,
        "title": ticket.title,
        "description": ticket.description,
        "status": status_word(ticket.status, V1),
        "priority": priority_word(ticket.priority, V1),
        "type": ticket.type,
        "source": ticket.source,
        "category": ticket.category.code if ticket.category else None,
        "customer_id": ticket.customer_id,
        "customer_name": ticket.customer_company or tenant_name,
        "contact_name": ticket.customer_name,
        "assigned_to": ticket.assigned_to_id,
        "assigned_name": display_name(ticket.assigned_to) or None,
        "created_at": _dt(ticket.created_at),
        "updated_at": _dt(ticket.updated_at),
        "due_time": _dt(ticket.due_date or ticket.sla_due_date),
        "tags": ticket.tags,
    }


@presents(S.V1AttachmentOut)
def v1_attachment(request, attachment) -> dict:
    return {
        "id": attachment.pk,
        "filename": attachment.original_name,
        "file_url": download_url(request, attachment),
        "file_size": attachment.size,
        "mime_type": attachment.mime_type,
        "description": attachment.description,
        "uploaded_by": display_name(attachment.uploaded_by),
        "uploaded_at": _dt(attachment.created_at),
    }


@presents(S.V1TicketDetailOut)
def v1_ticket_detail(request, ticket, *, attachments, tenant_name: str = "") -> dict:
    assignee = ticket.assigned_to
    return {
        "id": ticket.pk,
        "ticket_id": ticket.number,
        "title": ticket.title,
        "description": ticket.description,
        "status": status_word(ticket.status, V1),
        "priority": priority_word(ticket.priority, V1),
        "type": ticket.type,
        "source": ticket.source,
        "category": ticket.category.code if ticket.category else None,
        "category_name": ticket.category.name if ticket.category else None,
        "customer_info": {
            "id": ticket.customer_id,
            "name": ticket.customer_company or tenant_name,
            "contact_name": ticket.customer_name,
            "contact_phone": ticket.customer_phone,
            "contact_email": ticket.customer_email,
        },
        "assigned_info": None
        if assignee is None
        else {"id": assignee.pk, "name": display_name(assignee), "email": assignee.email, "phone": assignee.phone},
        "time_info": {
            "created_at": _dt(ticket.created_at),
            "assigned_at": _dt(ticket.assigned_at),
            "accepted_at": _dt(ticket.accepted_at),
            "first_response_at": _dt(ticket.first_reply_at),
            "due_time": _dt(ticket.due_date or ticket.sla_due_date),
            "resolved_at": _dt(ticket.resolved_at),
            "closed_at": _dt(ticket.closed_at),
        },
        "attachments": [v1_attachment(request, a) for a in attachments],
        "custom_fields": ticket.custom_fields,
        "tags": ticket.tags,
        "sla_info": sla.sla_info(ticket),
        "solution": ticket.resolution_notes,
        "rating": ticket.rating,
        "comment_count": ticket.comment_count,
        "view_count": ticket.view_count,
        "is_escalated": ticket.is_escalated,
    }


@presents(S.V1CommentOut)
def v1_comment(request, comment) -> dict:
    author = comment.author
    return {
        "id": comment.pk,
        "content": comment.content,
        "type": "internal" if comment.is_internal else "public",
        "author": {"id": author.pk, "name": display_name(author), "avatar": author.avatar or None},
        "created_at": _dt(comment.created_at),
        "attachments": [
            {"id": a.pk, "filename": a.original_name, "file_url": download_url(request, a)}
            for a in comment.attachments.all()
            if not a.is_deleted
        ],
    }
