"""Parallel writes on PostgreSQL (real row locks, real threads): saves of one document get
distinct version numbers; ratings by one user arriving at once leave one row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from knowledge import services
from knowledge.models import Document, DocumentRating, DocumentVersion
from tests.conftest import require_service


def _run_parallel(count, work):
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(n):
        try:
            barrier.wait()
            work(n)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_parallel_saves_get_distinct_version_numbers(kb):
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL=postgres://…)")
    document = kb.draft(content="v1")

    def save(n):
        fresh = Document.objects.get(pk=document.pk)
        services.document_update(
            document=fresh,
            by=kb.author,
            data={"content": f"并发 {n}", "change_type": "major" if n % 3 == 0 else "minor"},
        )

    assert _run_parallel(8, save) == []
    versions = list(DocumentVersion.objects.filter(document=document).values_list("major", "minor"))
    assert len(versions) == 9 and len(set(versions)) == 9
    document.refresh_from_db()
    assert (document.major, document.minor) == max(versions)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_ratings_by_one_user_leave_one_row(kb):
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL=postgres://…)")
    document = kb.published()

    def rate(n):
        services.document_rate(document=Document.objects.get(pk=document.pk), by=kb.requester, rating=1 + n % 5)

    assert _run_parallel(8, rate) == []
    assert DocumentRating.objects.filter(document=document, user=kb.requester).count() == 1
    document.refresh_from_db()
    row = DocumentRating.objects.get(document=document)
    assert (document.rating_count, document.rating_avg) == (1, float(row.rating))
