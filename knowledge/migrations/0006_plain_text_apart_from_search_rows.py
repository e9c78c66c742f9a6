"""What a search reads only for some documents moves off the search index row into its own
table (``DocumentText``): the plain text that snippets are cut from (read for the page's
documents) and the ``head`` title vector (read under a match limit). A search reads the index
row of every match (for the total, the facets and the rank); in the 100,000-document bench these
two columns were ~a third of that row (docs/performance.md). Existing values are copied over, so
snippets keep working during the upgrade; the head GIN index moves with its column.

On PostgreSQL a dropped column keeps its bytes in every row until the row is rewritten, so the
table is rewritten here (CLUSTER on the primary key — allowed inside the migration's transaction,
unlike VACUUM FULL — rewrites the table and its indexes in document order; a few seconds per
100,000 rows, under an exclusive lock); that is what makes the rows narrower."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

COPY = (
    "INSERT INTO knowledge_documenttext (document_id, tenant_id, plain_text, head) "
    "SELECT document_id, tenant_id, plain_text, head FROM knowledge_documentsearch"
)
COPY_BACK = (
    "UPDATE knowledge_documentsearch SET "
    "plain_text = COALESCE((SELECT t.plain_text FROM knowledge_documenttext t "
    "WHERE t.document_id = knowledge_documentsearch.document_id), ''), "
    "head = (SELECT t.head FROM knowledge_documenttext t WHERE t.document_id = knowledge_documentsearch.document_id)"
)
# the copy queued deferred foreign-key checks; PostgreSQL refuses CREATE INDEX / CLUSTER on a
# table with pending trigger events, so run them first (as in 0005)
PG_MOVE_INDEX = [
    "SET CONSTRAINTS ALL IMMEDIATE",
    "DROP INDEX IF EXISTS kb_search_head_gin",
    "CREATE INDEX IF NOT EXISTS kb_text_head_gin ON knowledge_documenttext USING gin (head)",
]
PG_MOVE_INDEX_BACK = [
    "DROP INDEX IF EXISTS kb_text_head_gin",
    "CREATE INDEX IF NOT EXISTS kb_search_head_gin ON knowledge_documentsearch USING gin (head)",
]
PG_REWRITE = [
    "SET CONSTRAINTS ALL IMMEDIATE",
    "CLUSTER knowledge_documentsearch USING knowledge_documentsearch_pkey",
]


def _run(*statements, postgres_only=False):
    def run(apps, schema_editor):
        if not postgres_only or schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0005_search_rows_carry_filters"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentText",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="plain",
                        serialize=False,
                        to="knowledge.document",
                    ),
                ),
                ("plain_text", models.TextField(blank=True)),
                ("head", django.contrib.postgres.search.SearchVectorField(null=True)),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenants.tenant",
                        verbose_name="tenant",
                    ),
                ),
            ],
            options={
                "ordering": ["document_id"],
            },
        ),
        migrations.RunPython(_run(COPY), _run(COPY_BACK)),
        migrations.RunPython(
            _run(*PG_MOVE_INDEX, postgres_only=True), _run(*PG_MOVE_INDEX_BACK, postgres_only=True)
        ),
        migrations.RemoveField(
            model_name="documentsearch",
            name="plain_text",
        ),
        migrations.RemoveField(
            model_name="documentsearch",
            name="head",
        ),
        migrations.RunPython(_run(*PG_REWRITE, postgres_only=True), migrations.RunPython.noop),
    ]
