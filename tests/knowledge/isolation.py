"""Isolation makers for the knowledge app (see tests/isolation.py)."""

from tests.isolation import MARKER, maker, page_object


def _author(tenant):
    from tests.factories import UserFactory

    return UserFactory(
        tenant=tenant, username=f"isokb{tenant.pk}", email=f"isokb{tenant.pk}@iso.test", roles=["supervisor"]
    )


@maker("knowledge.Document")
def _document(tenant):
    """A published public document, indexed, with a version: as visible as a document gets."""
    from knowledge import search
    from knowledge.models import Document, DocumentVersion

    author = _author(tenant)
    document = Document.objects.create(
        tenant=tenant,
        title=f"{MARKER} 打印机 printer",
        slug=f"iso-{tenant.pk}",
        content=f"{MARKER} 打印机卡纸 printer jam",
        summary=MARKER,
        tags=[MARKER],
        status="published",
        visibility="public",
        author=author,
    )
    DocumentVersion.objects.create(
        tenant=tenant, document=document, major=1, minor=0, title=MARKER, content=MARKER, author=author
    )
    search.index_document(document.pk)
    return document


@maker("knowledge.KnowledgeCategory")
def _category(tenant):
    from knowledge.models import KnowledgeCategory

    return KnowledgeCategory.objects.create(tenant=tenant, name=MARKER, description=MARKER)


@maker("knowledge.DocumentAttachment")
def _attachment(tenant):
    """A stored file (its name only: nothing is written to disk) of a published public document."""
    from knowledge.models import DocumentAttachment

    document = _document(tenant)
    return DocumentAttachment.objects.create(
        tenant=tenant,
        document=document,
        uploaded_by=document.author,
        file=f"knowledge/{tenant.pk}/iso.txt",
        filename=f"{MARKER}.txt",
        extension=".txt",
        file_size=len(MARKER),
        file_type="text/plain",
    )


# Pages that name a knowledge object by id (tests/portal/test_page_isolation.py)
page_object("knowledge:detail", "knowledge.Document")
page_object("knowledge:edit", "knowledge.Document")
page_object("knowledge:history", "knowledge.Document")
page_object(
    "knowledge:action", "knowledge.Document", action=("rate", "submit", "review", "archive", "rollback", "delete")
)
page_object("knowledge:ticket_suggestions", "tickets.Ticket")
page_object("knowledge:attachment_download", "knowledge.DocumentAttachment")
