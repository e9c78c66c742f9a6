"""Jobs of the knowledge domain (thin: they call the search module)."""

from celery import shared_task


@shared_task(name="knowledge.reindex_stale", ignore_result=False)
def reindex_stale() -> int:
    """Re-index documents whose search index is missing or older than the document (idempotent)."""
    from knowledge.search import reindex_stale as sweep

    return sweep()
