"""The plain text that search snippets are cut from moves off the search index row into its own
table (``DocumentText``): a search reads the index row of every match (for the total, the facets
and the rank) but the plain text only of the page's documents, and in the 100,000-document
bench that text was ~25% of the row (docs/performance.md). Existing texts are copied over, so
snippets keep working during the upgrade.

On PostgreSQL a dropped column keeps its bytes in every row until the row is rewritten, so the
table is rewritten here (CLUSTER on the primary key — allowed inside the migration's transaction,
unlike VACUUM FULL — rewrites the table and its indexes in document order; a few seconds per
100,000 rows, under an exclusive lock); that is what makes the rows narrower."""

import django.db.models.deletion
from django.db import migrations, models

COPY = (
    "INSERT INTO knowledge_documenttext (document_id, tenant_id, plain_text) "
    "SELECT document_id, tenant_id, plain_text FROM knowledge_documentsearch"
)
COPY_BACK = (
    "UPDATE knowledge_documentsearch SET plain_text = COALESCE((SELECT t.plain_text FROM knowledge_documenttext t "
    "WHERE t.document_id = knowledge_documentsearch.document_id), '')"
)
REWRITE = [
    # the copy queued deferred foreign-key checks; run them before the ALTER (as in 0005)
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
        migrations.RemoveField(
            model_name="documentsearch",
            name="plain_text",
        ),
        migrations.RunPython(_run(*REWRITE, postgres_only=True), migrations.RunPython.noop),
    ]
