"""A forked child process talks to PostgreSQL over its own connection, never over the socket it
inherited from its parent (``portal.forking``): otherwise each process reads the other's results."""

from __future__ import annotations

import os

import pytest
from django.db import connection

from tests.conftest import require_service


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_forked_child_uses_its_own_connection_and_the_parent_keeps_its_own():
    require_service(connection.vendor == "postgresql", "needs PostgreSQL (DATABASE_URL=postgres://…)")
    # Given a process that already holds a database connection
    parent = _backend_pid()
    read_end, write_end = os.pipe()
    # When it forks and the child queries the database
    child_pid = os.fork()
    if child_pid == 0:  # pragma: no cover - runs in the child
        try:
            os.write(write_end, str(_backend_pid()).encode())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(write_end, f"error {exc!r}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    os.waitpid(child_pid, 0)
    answer = os.read(read_end, 1000).decode()
    os.close(read_end)
    # Then the child was served by another server process than the parent
    assert answer.isdigit(), answer
    assert int(answer) != parent
    # and the parent's connection still answers as itself
    assert _backend_pid() == parent
