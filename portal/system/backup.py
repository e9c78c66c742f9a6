"""Database backups: a real dump the platform admin can download.

PostgreSQL: ``pg_dump --format=custom`` (restore with ``pg_restore``). SQLite (embedded mode): the
sqlite3 online backup API, a consistent copy while the server keeps writing. Files go to
``settings.BACKUP_DIR``; the newest ``system.backup.retention_count`` are kept.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from portal.config import get_config
from portal.errors import DomainError, ErrorCode

NAME = re.compile(r"^opsportal-\d{8}-\d{6}-\d{6}\.(dump|sqlite3)$")


@dataclass(frozen=True)
class BackupFile:
    name: str
    size: int
    created_at: datetime

    @property
    def path(self) -> Path:
        return backup_dir() / self.name


def backup_dir() -> Path:
    path = Path(settings.BACKUP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _pg_env_and_args(db: dict) -> tuple[dict, list[str]]:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return env, args


def create_backup() -> BackupFile:
    """Dump the database now; returns the file. Raises on failure (the task run is then failed)."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    vendor = connection.vendor
    if vendor == "postgresql":
        target = backup_dir() / f"opsportal-{stamp}.dump"
        db = connection.settings_dict
        env, args = _pg_env_and_args(db)
        partial = target.with_suffix(".partial")
        completed = subprocess.run(  # noqa: S603 - fixed argv from settings, no shell
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "-f", str(partial), db["NAME"]],  # noqa: S607 - pg_dump from PATH
            env=env, capture_output=True, text=True, timeout=settings.CELERY_TASK_TIME_LIMIT,
        )  # fmt: skip
        if completed.returncode != 0:
            partial.unlink(missing_ok=True)
            raise RuntimeError(f"pg_dump failed: {completed.stderr.strip()[:500]}")
        partial.replace(target)
    elif vendor == "sqlite":
        target = backup_dir() / f"opsportal-{stamp}.sqlite3"
        partial = target.with_suffix(".partial")
        connection.ensure_connection()
        destination = sqlite3.connect(partial)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
        partial.replace(target)
    else:  # pragma: no cover - only the two supported databases
        raise RuntimeError(f"no backup method for {vendor}")
    prune()
    stat = target.stat()
    return BackupFile(target.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))


def list_backups() -> list[BackupFile]:
    files = []
    for path in backup_dir().iterdir():
        if NAME.match(path.name) and path.is_file():
            stat = path.stat()
            files.append(BackupFile(path.name, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC)))
    return sorted(files, key=lambda f: f.name, reverse=True)


def prune() -> list[str]:
    keep = get_config("system.backup.retention_count")
    removed = []
    for old in list_backups()[keep:]:
        old.path.unlink(missing_ok=True)
        removed.append(old.name)
    return removed


def backup_for_download(user, name: str) -> BackupFile:
    """A backup file for the platform super admin only (it holds every tenant's data)."""
    if not getattr(user, "is_platform_admin", False):
        raise DomainError(ErrorCode.INSUFFICIENT_PERMISSIONS, _("Only the platform administrator downloads backups."))
    if not NAME.match(name or ""):
        raise DomainError(ErrorCode.NOT_FOUND, _("The backup does not exist."))
    for backup in list_backups():
        if backup.name == name:
            return backup
    raise DomainError(ErrorCode.NOT_FOUND, _("The backup does not exist."))
