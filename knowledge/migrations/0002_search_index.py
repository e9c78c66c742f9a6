"""The full-text index per database: on PostgreSQL a GIN index over the weighted tsvector
column (and a prefix index for suggestions); on SQLite the FTS5 table ``knowledge_fts`` whose
rowid is the document id. Each is created only on its own database."""

from django.db import migrations

PG_FORWARD = [
    "CREATE INDEX IF NOT EXISTS kb_search_vector_gin ON knowledge_documentsearch USING gin (vector)",
    "CREATE INDEX IF NOT EXISTS kb_term_prefix_idx ON knowledge_searchterm (tenant_id, term varchar_pattern_ops)",
]
PG_BACKWARD = ["DROP INDEX IF EXISTS kb_search_vector_gin", "DROP INDEX IF EXISTS kb_term_prefix_idx"]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_fts USING fts5("
    "title, tags, body, tokenize = 'unicode61 remove_diacritics 0')"
]
SQLITE_BACKWARD = ["DROP TABLE IF EXISTS knowledge_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
