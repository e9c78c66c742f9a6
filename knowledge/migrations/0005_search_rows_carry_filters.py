"""The search index row carries what one search reads for every match (the visibility fields,
the filter and facet fields, the tags), so a search is one pass over this table, and a
``head`` tsvector (the title terms, GIN-indexed on PostgreSQL) that finds the strongest
candidates of a large match; the segmented term columns go (the tsvector / FTS5 rows are built
from the terms in memory). Existing rows are filled from their documents here, so search keeps
answering during the upgrade (on PostgreSQL ``head`` is built from the term columns before
they go).

On PostgreSQL the prefix index of the suggestion vocabulary also carries ``is_public``, so
counting completions is an index-only scan (SQLite keeps its plain ``kb_term_idx``)."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

COPIED = ["status", "visibility", "author", "category", "difficulty_level", "content_type", "tags"]
PG_FORWARD = [
    # the copy above queued the deferred foreign-key checks of the new columns; PostgreSQL
    # refuses CREATE INDEX on a table with pending trigger events, so run them now
    "SET CONSTRAINTS ALL IMMEDIATE",
    "CREATE INDEX IF NOT EXISTS kb_search_head_gin ON knowledge_documentsearch USING gin (head)",
    "DROP INDEX IF EXISTS kb_term_prefix_idx",
    "CREATE INDEX kb_term_prefix_idx ON knowledge_searchterm (tenant_id, term varchar_pattern_ops) INCLUDE (is_public)",
]
PG_BACKWARD = [
    "DROP INDEX IF EXISTS kb_search_head_gin",
    "DROP INDEX IF EXISTS kb_term_prefix_idx",
    "CREATE INDEX kb_term_prefix_idx ON knowledge_searchterm (tenant_id, term varchar_pattern_ops)",
]


def copy_from_documents(apps, schema_editor):
    DocumentSearch = apps.get_model("knowledge", "DocumentSearch")
    Document = apps.get_model("knowledge", "Document")
    source = Document.objects.filter(pk=OuterRef("document_id"))
    DocumentSearch.objects.update(**{name: Subquery(source.values(name)[:1]) for name in COPIED})
    if schema_editor.connection.vendor == "postgresql":
        # a row without title terms (e.g. after a rollback of this migration emptied them) is
        # marked stale, so the re-index sweep writes its head from the document
        schema_editor.execute(
            "UPDATE knowledge_documentsearch SET head = to_tsvector('simple', title_terms), "
            "source_updated_at = CASE WHEN title_terms = '' THEN NULL ELSE source_updated_at END"
        )


def _on_postgres(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0004_attachments_are_uploads"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="documentsearch",
            name="author",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="documentsearch",
            name="category",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="knowledge.knowledgecategory",
            ),
        ),
        migrations.AddField(
            model_name="documentsearch",
            name="content_type",
            field=models.CharField(
                blank=True, choices=[("markdown", "Markdown"), ("text", "Plain text")], max_length=16
            ),
        ),
        migrations.AddField(
            model_name="documentsearch",
            name="difficulty_level",
            field=models.CharField(
                blank=True,
                choices=[("beginner", "Beginner"), ("intermediate", "Intermediate"), ("advanced", "Advanced")],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="documentsearch",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("pending_review", "Pending review"),
                    ("published", "Published"),
                    ("rejected", "Rejected"),
                    ("archived", "Archived"),
                ],
                default="draft",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="documentsearch",
            name="tags",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="documentsearch",
            name="visibility",
            field=models.CharField(
                choices=[("public", "Public"), ("internal", "Internal")], default="public", max_length=16
            ),
        ),
        migrations.AddField(
            model_name="documentsearch",
            name="head",
            field=django.contrib.postgres.search.SearchVectorField(null=True),
        ),
        migrations.RunPython(copy_from_documents, migrations.RunPython.noop),
        migrations.RunPython(_on_postgres(PG_FORWARD), _on_postgres(PG_BACKWARD)),
        migrations.RemoveField(
            model_name="documentsearch",
            name="body_terms",
        ),
        migrations.RemoveField(
            model_name="documentsearch",
            name="tag_terms",
        ),
        migrations.RemoveField(
            model_name="documentsearch",
            name="title_terms",
        ),
    ]
