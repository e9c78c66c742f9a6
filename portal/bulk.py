"""Writing many rows of one model in one statement.

Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per column and row: for a few
hundred rows and a dozen columns that is tens of thousands of expressions to build, compile
and send (seconds for a 500-ticket batch dispatch). On PostgreSQL ``update_each`` sends one
array per column instead, the way Django's own ``bulk_create`` inserts (``UNNEST``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def _unnestable(field) -> bool:
    # As Django's PostgreSQL insert compiler decides for UNNEST: a standard column type whose
    # placeholder does not depend on the value (not JSON, arrays, geometry …).
    target = field.target_field if field.is_relation else field
    return target.get_internal_type() in connection.data_types and not hasattr(field, "get_placeholder")


def update_each(objs: Sequence[Model], fields: Sequence[str]) -> None:
    """Write ``fields`` of each saved instance in ``objs`` (all of one model) as they are in
    memory: ``UPDATE … FROM UNNEST(…)`` on PostgreSQL, ``bulk_update`` elsewhere. Like
    ``bulk_update`` it sends no signals and sets no ``auto_now`` value: the caller sets them."""
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    if connection.vendor != "postgresql" or len(objs) == 1 or not all(_unnestable(f) for f in columns):
        model._base_manager.bulk_update(objs, fields)
        return
    q = connection.ops.quote_name
    key = meta.pk
    every = [key, *columns]
    arrays = ", ".join(f"%s::{f.db_type(connection).split('(')[0]}[]" for f in every)
    names = ", ".join(q(f.column) for f in every)
    sets = ", ".join(f"{q(f.column)} = v.{q(f.column)}" for f in columns)
    sql = (
        f"UPDATE {q(meta.db_table)} SET {sets} FROM UNNEST({arrays}) AS v({names}) "  # noqa: S608 - names are ours
        f"WHERE {q(meta.db_table)}.{q(key.column)} = v.{q(key.column)}"
    )
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objs] for f in every]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
