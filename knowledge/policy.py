"""Who may see and do what in the knowledge base.

Visibility: holders of ``knowledge:review`` (supervisors, admins) see every document of the
tenant; authors (``knowledge:create``, i.e. agents) see published documents, public and
internal, and their own in any state; everyone else (requesters) sees only published public
documents — in lists, details, search and recommendations alike.

Workflow: draft/rejected → pending review (submit) → published (approve) or rejected (reject,
with comments and suggestions) → archived (archive). Only ``knowledge:review`` holders approve,
reject or archive, never their own document; a draft is never approved without submission.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from knowledge.choices import DocumentStatus, ReviewAction, Visibility
from portal.errors import DomainError, ErrorCode

S = DocumentStatus

# review action -> (statuses it may start from, status it leads to)
REVIEW_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    ReviewAction.SUBMIT: (frozenset({S.DRAFT, S.REJECTED}), S.PENDING_REVIEW),
    ReviewAction.APPROVE: (frozenset({S.PENDING_REVIEW}), S.PUBLISHED),
    ReviewAction.REJECT: (frozenset({S.PENDING_REVIEW}), S.REJECTED),
    ReviewAction.ARCHIVE: (frozenset({S.PUBLISHED}), S.ARCHIVED),
}


def is_reviewer(user) -> bool:
    return bool(user and user.is_authenticated and user.has_contract_permission("knowledge:review"))


def is_author_role(user) -> bool:
    return bool(user and user.is_authenticated and user.has_contract_permission("knowledge:create"))


def sees_only_public(user) -> bool:
    """Requesters: only published public documents, everywhere."""
    return not is_reviewer(user) and not is_author_role(user)


def visibility_q(user, prefix: str = "") -> Q:
    """The documents ``user`` may see, as a filter on Document (``prefix`` for a relation)."""
    if is_reviewer(user):
        return Q()
    published = Q(**{f"{prefix}status": S.PUBLISHED})
    if is_author_role(user):
        return published | Q(**{f"{prefix}author": user})
    return published & Q(**{f"{prefix}visibility": Visibility.PUBLIC})


def require_code(user, code: str) -> None:
    if not user.has_contract_permission(code):
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, details={"required_permission": code})


def can_edit(document, user) -> bool:
    if not user.has_contract_permission("knowledge:update"):
        return False
    return document.author_id == user.pk or is_reviewer(user)


def check_edit(document, user) -> None:
    require_code(user, "knowledge:update")
    if not can_edit(document, user):
        raise DomainError(
            ErrorCode.INSUFFICIENT_PERMISSIONS, _("Only the author or a reviewer can edit this document.")
        )


def check_delete(document, user) -> None:
    require_code(user, "knowledge:delete")
    if document.author_id != user.pk and not is_reviewer(user):
        raise DomainError(
            ErrorCode.INSUFFICIENT_PERMISSIONS, _("Only the author or a reviewer can delete this document.")
        )


def check_review_action(document, user, action: str) -> str:
    """Raise unless ``user`` may take ``action`` on ``document`` now; returns the new status."""
    sources, target = REVIEW_TRANSITIONS[action]
    if action == ReviewAction.SUBMIT:
        require_code(user, "knowledge:submit-review")
        if document.author_id != user.pk and not is_reviewer(user):
            raise DomainError(
                ErrorCode.INSUFFICIENT_PERMISSIONS, _("Only the author or a reviewer can submit this document.")
            )
    else:
        require_code(user, "knowledge:review")
        if document.author_id == user.pk:
            raise DomainError(ErrorCode.SELF_REVIEW_FORBIDDEN)
    if document.status not in sources:
        raise DomainError(
            ErrorCode.DOCUMENT_STATUS_INVALID,
            _("The document is “%(status)s”: this step is not possible now.") % {"status": S(document.status).label},
            details={"status": document.status, "action": str(action)},
        )
    return target


def allowed_review_actions(document, user) -> list[str]:
    out = []
    for action in REVIEW_TRANSITIONS:
        try:
            check_review_action(document, user, action)
        except DomainError:
            continue
        out.append(str(action))
    return out
