"""Trigram indexes for the ticket search (number/title/description/customer fields, Chinese
included) on PostgreSQL. ``icontains`` becomes ILIKE '%…%', which these GIN indexes serve.
Elsewhere (SQLite) there is nothing to do. If the role may not create the pg_trgm extension,
the migration leaves search unindexed rather than failing the deployment."""

import logging

from django.db import migrations

logger = logging.getLogger(__name__)

COLUMNS = ["number", "title", "description", "customer_name", "customer_company", "customer_email", "customer_phone"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if cursor.fetchone() is None:
            logger.warning("pg_trgm is not available: ticket search stays unindexed")
            return
        cursor.execute("SAVEPOINT trgm")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:  # noqa: BLE001 - no privilege: keep going without the indexes
            cursor.execute("ROLLBACK TO SAVEPOINT trgm")
            logger.warning("cannot create pg_trgm: ticket search stays unindexed")
            return
        for column in COLUMNS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS ticket_trgm_{column} ON tickets_ticket "
                f"USING gin (UPPER({column}) gin_trgm_ops)"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"DROP INDEX IF EXISTS ticket_trgm_{column}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
