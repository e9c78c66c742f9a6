"""Gram indexes for the ticket search (``portal.textsearch``): the pg_trgm indexes of 0002
serve queries of three characters or more; a one- or two-character query — most Chinese words,
a name like "张三" — read the whole table instead. These GIN indexes over ``search_grams(col)``
serve those. PostgreSQL only; elsewhere there is nothing to do."""

from django.db import migrations

COLUMNS = ["number", "title", "description", "customer_name", "customer_company", "customer_email", "customer_phone"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS ticket_grams_{column} ON tickets_ticket "
            f"USING gin (search_grams(({column})::text))"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS ticket_grams_{column}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0008_schedule_view_count_flush"), ("portal", "0003_search_grams_function")]

    operations = [migrations.RunPython(forwards, backwards)]
