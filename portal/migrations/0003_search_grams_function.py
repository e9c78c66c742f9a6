"""``search_grams(text)``: the upper-cased 1- and 2-character substrings of a text, for GIN
indexes that serve ``icontains`` queries too short for pg_trgm (see ``portal.textsearch``).
PostgreSQL only; elsewhere there is nothing to create."""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION search_grams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(u, i, n)), '{}')
    FROM (SELECT upper(value) AS u) s, generate_series(1, 2) AS n, generate_series(1, length(u) - n + 1) AS i
$$
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS search_grams(text)")


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_config_change_history")]

    operations = [migrations.RunPython(forwards, backwards)]
