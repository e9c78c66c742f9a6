"""Models of the knowledge domain: a per-tenant category tree, markdown documents with immutable
versions, reviews, ratings, views, tags, links to tickets and the search index rows.

Every write goes through ``knowledge.services``; the search index (``DocumentSearch`` and, on
SQLite, the FTS5 table ``knowledge_fts``) is refreshed by ``knowledge.search.index_document``
after each commit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey

from knowledge.choices import (
    ChangeType,
    ContentType,
    DifficultyLevel,
    DocumentStatus,
    ReviewAction,
    ReviewType,
    Urgency,
    Visibility,
)
from portal.tenancy import TenantOwnedModel, TenantQuerySet
from portal.uploads import stored_name


class KnowledgeCategory(MPTTModel, TenantOwnedModel):
    """A node of a tenant's knowledge category tree; siblings are kept in ``sort_order``.
    Written only through ``knowledge.services.category_*`` (``portal.trees.tree_write``)."""

    name = models.CharField(_("name"), max_length=128)
    description = models.CharField(_("description"), max_length=500, blank=True)
    icon = models.CharField(_("icon"), max_length=64, blank=True)
    parent = TreeForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    sort_order = models.IntegerField(_("sort order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantQuerySet.as_manager()

    class MPTTMeta:
        order_insertion_by = ["sort_order", "name"]

    class Meta:
        ordering = ["tree_id", "lft"]
        verbose_name = _("knowledge category")
        verbose_name_plural = _("knowledge categories")

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> str:
        return "/".join(node.name for node in self.get_ancestors(include_self=True))


class DocumentQuerySet(TenantQuerySet):
    def published(self):
        return self.filter(status=DocumentStatus.PUBLISHED)


class AliveDocumentManager(models.Manager.from_queryset(DocumentQuerySet)):
    """Soft-deleted documents are gone for every reader but the Django admin (``all_objects``)."""

    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class Document(TenantOwnedModel):
    """A knowledge article in markdown. ``major``/``minor`` name the current version (the
    latest ``DocumentVersion``); the rating and view figures are aggregates of ``DocumentRating``
    and ``DocumentView`` rows, kept current by the services under the document's row lock."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, allow_unicode=True)
    content = models.TextField(_("content"), blank=True)
    content_type = models.CharField(
        _("content type"), max_length=16, choices=ContentType.choices, default=ContentType.MARKDOWN
    )
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    category = models.ForeignKey(
        KnowledgeCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
        verbose_name=_("category"),
    )
    tags = models.JSONField(_("tags"), default=list, blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    visibility = models.CharField(_("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC)
    difficulty_level = models.CharField(
        _("difficulty"), max_length=16, choices=DifficultyLevel.choices, default=DifficultyLevel.BEGINNER
    )
    estimated_read_time = models.PositiveIntegerField(_("estimated read time (minutes)"), default=1)
    template_id = models.BigIntegerField(_("template id"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="knowledge_documents", verbose_name=_("author")
    )
    last_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last updated by"),
    )
    major = models.PositiveIntegerField(_("major version"), default=1)
    minor = models.PositiveIntegerField(_("minor version"), default=0)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    like_count = models.PositiveIntegerField(_("helpful votes"), default=0)
    rating_avg = models.FloatField(_("average rating"), default=0)
    rating_count = models.PositiveIntegerField(_("ratings"), default=0)
    last_viewed_at = models.DateTimeField(_("last viewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AliveDocumentManager()
    all_objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("knowledge document")
        verbose_name_plural = _("knowledge documents")
        constraints = [models.UniqueConstraint(fields=["tenant", "slug"], name="knowledge_document_slug_unique")]
        indexes = [
            models.Index(fields=["tenant", "status", "visibility"], name="kb_doc_visible_idx"),
            models.Index(fields=["tenant", "-updated_at", "-id"], name="kb_doc_updated_idx"),
            # category filters, and the counts of lists and of the category tree from the
            # index alone (index-only scan: the visibility columns are in it, deleted rows not)
            models.Index(
                fields=["tenant", "category", "status", "visibility", "author"],
                condition=models.Q(is_deleted=False),
                name="kb_doc_alive_category_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def version(self) -> str:
        return f"{self.major}.{self.minor}"


class DocumentVersion(TenantOwnedModel):
    """One immutable saved state of a document (never updated or deleted by the services).
    ``major.minor`` is unique per document; ``rollback_of`` names the version a rollback copied."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    major = models.PositiveIntegerField(_("major version"))
    minor = models.PositiveIntegerField(_("minor version"))
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    change_summary = models.CharField(_("change summary"), max_length=500, blank=True)
    change_type = models.CharField(_("change type"), max_length=8, choices=ChangeType.choices, default=ChangeType.MINOR)
    rollback_of = models.CharField(_("rolled back to"), max_length=16, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("saved by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-major", "-minor"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "major", "minor"], name="knowledge_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.version}"

    @property
    def version(self) -> str:
        return f"{self.major}.{self.minor}"


class DocumentReview(TenantOwnedModel):
    """One step of the review workflow: a submission (with urgency) or a reviewer's decision
    (with comment and suggestions). The document's reviews stay readable on it."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(_("action"), max_length=16, choices=ReviewAction.choices)
    review_type = models.CharField(_("review type"), max_length=16, choices=ReviewType.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    suggestions = models.JSONField(_("suggestions"), default=list, blank=True)
    version = models.CharField(_("version"), max_length=16, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("document review")
        verbose_name_plural = _("document reviews")


class DocumentRating(TenantOwnedModel):
    """A user's rating of a document: one per user and document (a new one replaces it)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    helpful = models.BooleanField(_("helpful"), null=True, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("document rating")
        verbose_name_plural = _("document ratings")
        constraints = [models.UniqueConstraint(fields=["document", "user"], name="knowledge_rating_one_per_user")]


class DocumentView(TenantOwnedModel):
    """One reading of a document (statistics and "user behaviour" recommendations)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    viewed_at = models.DateTimeField(_("viewed at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        verbose_name = _("document view")
        verbose_name_plural = _("document views")
        indexes = [models.Index(fields=["tenant", "user", "-viewed_at"], name="kb_view_user_idx")]


class DocumentTag(TenantOwnedModel):
    """A document's tag as a row, so that tag filters and facets are SQL aggregates."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="tag_rows")
    name = models.CharField(_("tag"), max_length=64)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["document", "name"], name="knowledge_tag_unique")]
        indexes = [models.Index(fields=["tenant", "name"], name="kb_tag_name_idx")]


def attachment_path(instance, filename: str) -> str:
    return stored_name("knowledge", instance.tenant_id, instance.extension)


class AliveAttachmentManager(models.Manager.from_queryset(TenantQuerySet)):
    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class DocumentAttachment(TenantOwnedModel):
    """A file of a document, checked and stored by ``portal.uploads`` under a generated name and
    served only through the permission-checked download views. ``document`` is empty while an
    API upload waits to be named in a create or update body (only its uploader sees it then).
    Removing an attachment is a soft delete. ``external_url`` holds links recorded before
    attachments were uploads; new ones are never external."""

    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255, blank=True)
    external_url = models.URLField(_("external URL"), max_length=1000, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(_("extension"), max_length=16, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0)
    file_type = models.CharField(_("file type"), max_length=128, blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AliveAttachmentManager()
    all_objects = models.Manager()

    class Meta:
        ordering = ["id"]
        base_manager_name = "all_objects"
        verbose_name = _("document attachment")
        verbose_name_plural = _("document attachments")

    def __str__(self) -> str:
        return self.filename


class TicketDocumentLink(TenantOwnedModel):
    """A document that helped with a ticket. Recommendations learn from the links of resolved
    tickets. The tickets app knows nothing of this model (the dependency points this way)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="ticket_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket–document link")
        verbose_name_plural = _("ticket–document links")
        constraints = [models.UniqueConstraint(fields=["ticket", "document"], name="knowledge_ticket_link_unique")]


class DocumentSearch(TenantOwnedModel):
    """The search index row of a document: everything one search reads for every match, so
    that matching, the total, the facets and the ranking are one pass over this table (no join
    to ``Document``, whose rows are wide): the weighted tsvector (PostgreSQL, GIN-indexed; on
    SQLite the same terms live in the FTS5 table ``knowledge_fts``), copies of the fields that
    decide visibility (``status``, ``visibility``, ``author``) and that filters and facets use
    (``category``, ``difficulty_level``, ``content_type``, ``tags``). The plain text the snippets
    are cut from lives apart (``DocumentText``): a search reads this row for every match, that
    text only for the page. ``source_updated_at`` is the document's ``updated_at`` it was built
    from (the sweep re-indexes rows that are behind). The rows of a page are always read again
    through the document's own visibility rules."""

    document = models.OneToOneField(Document, primary_key=True, on_delete=models.CASCADE, related_name="search")
    status = models.CharField(max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    category = models.ForeignKey(
        KnowledgeCategory, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    difficulty_level = models.CharField(max_length=16, choices=DifficultyLevel.choices, blank=True)
    content_type = models.CharField(max_length=16, choices=ContentType.choices, blank=True)
    # the tag list as JSON text: the tag facet groups the match by it, and text hashes far
    # cheaper than jsonb; only the distinct lists are parsed (knowledge.search._tag_counts_sql)
    tags = models.TextField(default="[]", blank=True)
    vector = SearchVectorField(null=True)
    source_updated_at = models.DateTimeField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document_id"]


class DocumentText(TenantOwnedModel):
    """What a search reads of a document only for some documents, written by the indexer with
    the index row: the plain text (markdown rendered and stripped) that search snippets and the
    workbench's hits are cut from — read for the page's documents — and ``head``, the title
    terms alone (PostgreSQL, GIN-indexed), which finds the strongest candidates of a large match
    under a match limit without reading the whole match (on SQLite an FTS5 column filter does).
    They are kept off ``DocumentSearch`` because a search reads that row for every match: apart,
    the rows a large match reads are ~a third smaller (docs/performance.md)."""

    document = models.OneToOneField(Document, primary_key=True, on_delete=models.CASCADE, related_name="plain")
    plain_text = models.TextField(blank=True)
    head = SearchVectorField(null=True)

    class Meta:
        ordering = ["document_id"]


class SearchTerm(TenantOwnedModel):
    """A word of a published document's title, tags or keywords, as written (lower-cased):
    the vocabulary that search suggestions complete from."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=64)
    is_public = models.BooleanField(default=True)

    class Meta:
        ordering = ["term", "id"]
        indexes = [models.Index(fields=["tenant", "term"], name="kb_term_idx")]
