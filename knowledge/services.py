"""Every write of the knowledge domain. Keyword-only, typed, transactional.

A document write locks the document row, checks the actor's permission code and relation
(``knowledge.policy``), saves the document and one immutable ``DocumentVersion``, and asks the
search index to follow after commit. A refusal raises ``DomainError`` before anything is
written. Category tree writes go through ``portal.trees.tree_write``.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledge import search, text
from knowledge.choices import ChangeType, DocumentStatus, ReviewAction, ReviewType, Visibility
from knowledge.models import (
    Document,
    DocumentAttachment,
    DocumentRating,
    DocumentReview,
    DocumentTag,
    DocumentVersion,
    DocumentView,
    KnowledgeCategory,
    TicketDocumentLink,
)
from knowledge.policy import check_delete, check_edit, check_review_action, is_reviewer, require_code
from portal.errors import DomainError, ErrorCode
from portal.trees import tree_write
from portal.uploads import CheckedUpload, check_upload
from tenants.models import Tenant

S = DocumentStatus
CONTENT_FIELDS = (
    "title",
    "content",
    "content_type",
    "summary",
    "tags",
    "keywords",
    "visibility",
    "difficulty_level",
    "estimated_read_time",
    "template_id",
)
MAX_TAGS = 20


def _clean_list(values, limit: int = MAX_TAGS) -> list[str]:
    out = []
    for value in values or []:
        value = str(value).strip()[:64]
        if value and value not in out:
            out.append(value)
    return out[:limit]


def category_in(tenant: Tenant, category_id) -> KnowledgeCategory | None:
    if category_id in (None, ""):
        return None
    category = KnowledgeCategory.objects.for_tenant(tenant).filter(pk=category_id).first()
    if category is None:
        raise DomainError(ErrorCode.CATEGORY_NOT_FOUND, field="category_id", details={"category_id": category_id})
    return category


def _apply(document: Document, data: dict) -> None:
    for name in CONTENT_FIELDS:
        if name in data and data[name] is not None:
            setattr(document, name, data[name])
    if "is_public" in data and data["is_public"] is not None:
        document.visibility = Visibility.PUBLIC if data["is_public"] else Visibility.INTERNAL
    if "category_id" in data:
        document.category = category_in(document.tenant, data["category_id"])
    document.tags = _clean_list(document.tags)
    document.keywords = _clean_list(document.keywords)
    plain = text.plain_text(document.content, document.content_type)
    if not data.get("summary") and ("content" in data or not document.summary):
        body = text.body_text(document.content, document.content_type, title=document.title, plain=plain)
        document.summary = text.make_summary(body)
    if not data.get("estimated_read_time"):
        document.estimated_read_time = text.reading_minutes(plain)


def _sync_tags(document: Document) -> None:
    DocumentTag.objects.filter(document=document).exclude(name__in=document.tags).delete()
    have = set(DocumentTag.objects.filter(document=document).values_list("name", flat=True))
    DocumentTag.objects.bulk_create(
        [DocumentTag(tenant_id=document.tenant_id, document=document, name=t) for t in document.tags if t not in have]
    )


MAX_ATTACHMENTS = 50


def _display_name(name: str) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:255] or "file"


def _checked(tenant: Tenant, uploads) -> list[tuple[object, CheckedUpload]]:
    """Check every file before anything is written: one refused file refuses the whole call."""
    return [(upload, check_upload(tenant=tenant, upload=upload)) for upload in uploads or ()]


def _store(*, tenant_id, by, document: Document | None, checked) -> list[DocumentAttachment]:
    """Write checked files and their rows. A failure removes the files already written (the
    transaction takes the rows back)."""
    rows: list[DocumentAttachment] = []
    try:
        for upload, check in checked:
            row = DocumentAttachment(
                tenant_id=tenant_id,
                document=document,
                uploaded_by=by,
                filename=_display_name(getattr(upload, "name", "")),
                extension=check.extension,
                file_size=check.size,
                file_type=check.mime_type,
            )
            rows.append(row)
            row.file.save("upload", upload, save=False)
            row.save()
    except BaseException:
        for row in rows:
            if row.file:
                row.file.delete(save=False)
        raise
    return rows


def _link_attachments(document: Document, by, links) -> None:
    """Make the document's attachments exactly ``links`` (an API body's list, already resolved
    to ``{"id"}`` for files uploaded here or ``{"external_url"}`` otherwise): listed ones stay
    (renamed when a ``filename`` is given), the caller's waiting uploads join, the rest are
    removed (soft delete). A link to a file that was never uploaded here is refused."""
    if links is None:
        return
    current = {row.pk: row for row in DocumentAttachment.objects.filter(document=document)}
    by_url = {row.external_url: row for row in current.values() if row.external_url}
    keep: list[int] = []
    for link in links:
        if link.get("id") in current:
            row = current[link["id"]]
        elif link.get("id"):
            row = DocumentAttachment.objects.filter(
                pk=link["id"], tenant_id=document.tenant_id, uploaded_by=by, document__isnull=True
            ).first()
            if row is None:
                raise DomainError(ErrorCode.NOT_FOUND, _("The attachment does not exist."), field="attachments")
        elif link.get("external_url") in by_url:
            row = by_url[link["external_url"]]
        else:
            raise DomainError(
                ErrorCode.VALIDATION_FAILED,
                _("Upload the file first: an attachment is a file uploaded here, not a link."),
                field="attachments",
            )
        name = _display_name(link["filename"]) if link.get("filename") else row.filename
        if row.document_id != document.pk or row.filename != name:
            DocumentAttachment.objects.filter(pk=row.pk).update(document=document, filename=name)
        keep.append(row.pk)
    _remove_attachments(document, [pk for pk in current if pk not in keep])


def _remove_attachments(document: Document, ids) -> None:
    if ids:
        DocumentAttachment.objects.filter(document=document, pk__in=list(ids)).update(
            is_deleted=True, deleted_at=timezone.now()
        )


def _attach(document: Document, by, *, links, checked, remove) -> None:
    _link_attachments(document, by, links)
    _remove_attachments(document, remove)
    alive = DocumentAttachment.objects.filter(document=document).count()
    if alive + len(checked) > MAX_ATTACHMENTS:
        raise DomainError(
            ErrorCode.VALIDATION_FAILED,
            _("A document has at most %(n)d attachments.") % {"n": MAX_ATTACHMENTS},
            field="attachments",
        )
    _store(tenant_id=document.tenant_id, by=by, document=document, checked=checked)


@transaction.atomic
def attachment_upload(*, tenant: Tenant, by, upload) -> DocumentAttachment:
    """An API upload that waits (seen only by its uploader) until a create or update body
    names its ``file_url``."""
    require_code(by, "knowledge:create")
    if tenant is None:
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("Only members of a tenant can upload files."))
    checked = _checked(tenant, [upload])
    return _store(tenant_id=tenant.pk, by=by, document=None, checked=checked)[0]


def _snapshot(document: Document, *, by, change_summary: str, change_type: str, rollback_of: str = ""):
    return DocumentVersion.objects.create(
        tenant_id=document.tenant_id,
        document=document,
        major=document.major,
        minor=document.minor,
        title=document.title,
        content=document.content,
        summary=document.summary,
        tags=list(document.tags),
        change_summary=change_summary[:500],
        change_type=change_type,
        rollback_of=rollback_of,
        author=by,
    )


def _save_with_unique_slug(document: Document) -> None:
    base = text.slug_base(document.title)
    taken = set(
        Document.all_objects.filter(tenant_id=document.tenant_id, slug__startswith=base).values_list("slug", flat=True)
    )
    n = 1
    while True:
        slug = base if n == 1 else f"{base}-{n}"
        n += 1
        if slug in taken:
            continue
        document.slug = slug
        try:
            with transaction.atomic():  # a savepoint: a parallel insert of the same slug retries
                document.save()
            return
        except IntegrityError:
            if n > 50:
                raise
            taken.add(slug)


@transaction.atomic
def document_create(*, tenant: Tenant, by, data: dict, uploads=()) -> Document:
    """A new draft (version 1.0) by ``by``, with the files of ``uploads`` (the editor page) and
    the waiting uploads ``data["attachments"]`` names (the API)."""
    require_code(by, "knowledge:create")
    checked = _checked(tenant, uploads)
    document = Document(tenant=tenant, author=by, last_updated_by=by, status=S.DRAFT, major=1, minor=0)
    _apply(document, data)
    _save_with_unique_slug(document)
    _sync_tags(document)
    _snapshot(
        document, by=by, change_summary=data.get("change_summary") or _("First version"), change_type=ChangeType.MAJOR
    )
    _attach(document, by, links=data.get("attachments"), checked=checked, remove=())
    search.schedule_index(document.pk)
    return document


def _lock(document: Document) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("tenant").get(pk=document.pk)


def _next_version(document: Document, change_type: str) -> None:
    if change_type == ChangeType.MAJOR:
        document.major, document.minor = document.major + 1, 0
    else:
        document.minor += 1


@transaction.atomic
def document_update(*, document: Document, by, data: dict, uploads=(), remove_attachments=()) -> Document:
    """Save new content as the next version (``change_type`` minor → x.y+1, major → x+1.0).
    The row lock makes parallel saves queue, so each gets its own number. A published document
    edited by someone who is not a reviewer goes back to review. ``uploads`` add files,
    ``remove_attachments`` (ids) remove some, ``data["attachments"]`` (API) names the full set."""
    document = _lock(document)
    check_edit(document, by)
    checked = _checked(document.tenant, uploads)
    change_type = data.get("change_type") or ChangeType.MINOR
    _apply(document, data)
    _next_version(document, change_type)
    document.last_updated_by = by
    resubmit = document.status == S.PUBLISHED and not is_reviewer(by)
    if resubmit:
        document.status = S.PENDING_REVIEW
    document.save()
    _sync_tags(document)
    _snapshot(document, by=by, change_summary=data.get("change_summary") or "", change_type=change_type)
    if resubmit:
        DocumentReview.objects.create(
            tenant_id=document.tenant_id,
            document=document,
            action=ReviewAction.SUBMIT,
            review_type=ReviewType.UPDATE,
            urgency="normal",
            comment=data.get("change_summary") or "",
            version=document.version,
            actor=by,
        )
    _attach(document, by, links=data.get("attachments"), checked=checked, remove=remove_attachments)
    search.schedule_index(document.pk)
    return document


@transaction.atomic
def version_rollback(*, document: Document, by, version: DocumentVersion, change_summary: str = "") -> Document:
    """A new version whose content equals ``version``'s; nothing is lost."""
    document = _lock(document)
    check_edit(document, by)
    document.title = version.title
    document.content = version.content
    document.summary = version.summary
    document.tags = list(version.tags)
    document.estimated_read_time = text.reading_minutes(text.plain_text(version.content, document.content_type))
    _next_version(document, ChangeType.MINOR)
    document.last_updated_by = by
    if document.status == S.PUBLISHED and not is_reviewer(by):
        document.status = S.PENDING_REVIEW
    document.save()
    _sync_tags(document)
    summary = change_summary or _("Rolled back to version %(version)s") % {"version": version.version}
    _snapshot(document, by=by, change_summary=summary, change_type=ChangeType.MINOR, rollback_of=version.version)
    search.schedule_index(document.pk)
    return document


@transaction.atomic
def document_delete(*, document: Document, by) -> None:
    """Soft delete: the document leaves every list, search and recommendation."""
    document = _lock(document)
    check_delete(document, by)
    document.is_deleted = True
    document.deleted_at = timezone.now()
    document.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    search.schedule_index(document.pk)


# --- review workflow --------------------------------------------------------------------------


@transaction.atomic
def document_submit_review(
    *, document: Document, by, review_type: str = ReviewType.PUBLISH, comment: str = "", urgency: str = "normal"
) -> DocumentReview:
    document = _lock(document)
    target = check_review_action(document, by, ReviewAction.SUBMIT)
    document.status = target
    document.save(update_fields=["status", "updated_at"])
    review = DocumentReview.objects.create(
        tenant_id=document.tenant_id,
        document=document,
        action=ReviewAction.SUBMIT,
        review_type=review_type or ReviewType.PUBLISH,
        urgency=urgency or "normal",
        comment=comment,
        version=document.version,
        actor=by,
    )
    search.schedule_index(document.pk)
    return review


@transaction.atomic
def document_review(*, document: Document, by, action: str, comment: str = "", suggestions=None) -> DocumentReview:
    """A reviewer approves (publishes), rejects (with comments and suggestions) or archives."""
    document = _lock(document)
    target = check_review_action(document, by, action)
    if action == ReviewAction.REJECT and not (comment or suggestions):
        raise DomainError(ErrorCode.VALIDATION_FAILED, _("Say why the document is rejected."), field="comment")
    document.status = target
    fields = ["status", "updated_at"]
    if target == S.PUBLISHED:
        document.published_at = timezone.now()
        fields.append("published_at")
    document.save(update_fields=fields)
    review = DocumentReview.objects.create(
        tenant_id=document.tenant_id,
        document=document,
        action=action,
        comment=comment,
        suggestions=_clean_list(suggestions, limit=50),
        version=document.version,
        actor=by,
    )
    search.schedule_index(document.pk)
    return review


# --- ratings and views ------------------------------------------------------------------------


@transaction.atomic
def document_rate(*, document: Document, by, rating: int, comment: str = "", helpful=None, tags=None):
    """One rating per user and document: a second one replaces the first. The upsert rides on
    the unique constraint (``ON CONFLICT DO UPDATE``), so two ratings arriving at once still
    leave one row; the document's row lock keeps the aggregates exact."""
    require_code(by, "knowledge:rate")
    document = _lock(document)
    if document.status != S.PUBLISHED:
        raise DomainError(ErrorCode.DOCUMENT_STATUS_INVALID, _("Only published documents can be rated."))
    DocumentRating.objects.bulk_create(
        [
            DocumentRating(
                tenant_id=document.tenant_id,
                document=document,
                user=by,
                rating=rating,
                comment=comment or "",
                helpful=helpful,
                tags=_clean_list(tags),
            )
        ],
        update_conflicts=True,
        unique_fields=["document", "user"],
        update_fields=["rating", "comment", "helpful", "tags", "updated_at"],
    )
    figures = DocumentRating.objects.filter(document=document).aggregate(
        avg=Avg("rating"), count=Count("id"), likes=Count("id", filter=Q(helpful=True))
    )
    document.rating_avg = round(figures["avg"] or 0, 2)
    document.rating_count = figures["count"]
    document.like_count = figures["likes"]
    Document.objects.filter(pk=document.pk).update(
        rating_avg=document.rating_avg, rating_count=document.rating_count, like_count=document.like_count
    )
    return DocumentRating.objects.get(document=document, user=by), document


def document_record_view(*, document: Document, user) -> None:
    """Count a reading (a row for statistics and behaviour, and the document's counter)."""
    now = timezone.now()
    with transaction.atomic():
        DocumentView.objects.create(tenant_id=document.tenant_id, document=document, user=user)
        Document.objects.filter(pk=document.pk).update(view_count=F("view_count") + 1, last_viewed_at=now)


@transaction.atomic
def ticket_link(*, ticket, document: Document, by) -> TicketDocumentLink:
    """Record that ``document`` helped with ``ticket`` (idempotent)."""
    require_code(by, "knowledge:read")
    if ticket.tenant_id != document.tenant_id:
        raise DomainError(ErrorCode.DOCUMENT_NOT_FOUND)
    link, _created = TicketDocumentLink.objects.get_or_create(
        ticket=ticket, document=document, defaults={"tenant_id": document.tenant_id, "linked_by": by}
    )
    return link


# --- categories -------------------------------------------------------------------------------

CATEGORY_FIELDS = ("name", "description", "icon", "sort_order")


@transaction.atomic
def category_create(*, tenant: Tenant, by, data: dict) -> KnowledgeCategory:
    require_code(by, "knowledge:category:create")
    with tree_write(KnowledgeCategory):
        parent = category_in(tenant, data.get("parent_id")) if data.get("parent_id") else None
        category = KnowledgeCategory(
            tenant=tenant, parent=parent, **{k: data[k] for k in CATEGORY_FIELDS if data.get(k) is not None}
        )
        category.save()
    return category


@transaction.atomic
def category_update(*, category: KnowledgeCategory, by, data: dict) -> KnowledgeCategory:
    require_code(by, "knowledge:category:create")
    with tree_write(KnowledgeCategory):
        category = KnowledgeCategory.objects.get(pk=category.pk)
        for name in CATEGORY_FIELDS:
            if name in data and data[name] is not None:
                setattr(category, name, data[name])
        if "parent_id" in data:
            parent = category_in(category.tenant, data["parent_id"]) if data["parent_id"] else None
            if parent is not None and (parent.pk == category.pk or parent.is_descendant_of(category)):
                raise DomainError(
                    ErrorCode.VALIDATION_FAILED, _("A category cannot be moved under itself."), field="parent_id"
                )
            category.parent = parent
        category.save()
    return category
