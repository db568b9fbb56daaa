"""manage.py backup: the database and the private files (uploads, generated reports) into one folder.

A backup is a folder ``portfolio-<UTC time>`` under settings.BACKUP_DIR (PORTFOLIO_BACKUP_DIR) holding:

- ``database.pgdump``: ``pg_dump --format=custom`` of a PostgreSQL database (restored with ``pg_restore``), or
  ``database.sqlite3``: a consistent copy of a SQLite database made with SQLite's online backup API (a plain
  file copy of a database in WAL mode can miss recent writes);
- ``private.tar.gz``: every file under PORTFOLIO_PRIVATE_ROOT, with paths relative to it;
- ``manifest.json``: when, which database engine, and each file's size and SHA-256, which ``manage.py
  restore`` checks before it touches anything.

The database is dumped before the files are packed: a file uploaded in between is then in the archive without
a row pointing at it (harmless), never a row without its file. The folder is written under a ``.partial``
name and renamed when complete, so an interrupted backup never looks like a good one.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_ARCHIVE = "private.tar.gz"
SQLITE_DUMP = "database.sqlite3"
POSTGRES_DUMP = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in words for an operator."""


def engine_of(db: dict[str, Any]) -> str:
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    if engine not in {"sqlite3", "postgresql"}:
        raise BackupError(f"Only SQLite and PostgreSQL databases can be backed up, not {db['ENGINE']}.")
    return engine


def postgres_tool_args(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore/psql and their environment: the password goes in
    PGPASSWORD, never on the command line (where `ps` shows it to every user of the machine)."""
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed; install the PostgreSQL client tools (postgresql-client)."
        )
    return path


def run_tool(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")


def backup_database(*, alias: str, folder: Path) -> Path:
    """Dump database ``alias`` into ``folder``; returns the dump's path."""
    connection = connections[alias]
    db = connection.settings_dict
    if engine_of(db) == "postgresql":
        target = folder / POSTGRES_DUMP
        args, env = postgres_tool_args(db)
        run_tool(
            [
                require_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target),
                *args,
            ],
            env,
        )
        return target
    target = folder / SQLITE_DUMP
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()
    return target


def backup_files(*, root: Path, folder: Path) -> Path:
    """Pack every file under ``root`` (paths relative to it) into ``folder``; returns the archive's path."""
    target = folder / FILES_ARCHIVE
    with tarfile.open(target, "w:gz") as archive:
        if root.exists():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    archive.add(path, arcname=str(path.relative_to(root)), recursive=False)
    return target


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_backup(*, alias: str = "default", root: Path, destination: Path) -> Path:
    """Back up database ``alias`` and the files under ``root`` into a new folder under ``destination``;
    returns the finished folder."""
    db = connections[alias].settings_dict
    engine_of(db)  # an engine it cannot dump is refused before anything is written
    if not connections[alias].introspection.table_names():
        # Almost always a wrong DATABASE_URL (SQLite even creates the missing file): say so, write nothing.
        raise BackupError(
            f"The database {db['NAME']} has no tables: nothing to back up. Is DATABASE_URL right?"
        )
    now = datetime.datetime.now(datetime.UTC)
    name = f"portfolio-{now:%Y%m%dT%H%M%SZ}"
    destination.mkdir(parents=True, exist_ok=True)
    partial = destination / f"{name}.partial"
    final = destination / name
    if final.exists() or partial.exists():
        raise BackupError(f"{final} already exists; wait a second and run the backup again.")
    partial.mkdir(mode=0o700)
    try:
        dump = backup_database(alias=alias, folder=partial)
        archive = backup_files(root=root, folder=partial)
        manifest = {
            "format": FORMAT_VERSION,
            "created": now.isoformat(),
            "engine": engine_of(connections[alias].settings_dict),
            "files": {
                path.name: {"bytes": path.stat().st_size, "sha256": sha256(path)} for path in (dump, archive)
            },
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        for path in partial.iterdir():
            path.chmod(0o600)  # a dump holds every password hash and personal detail: owner only
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


class Command(BaseCommand):
    help = "Back up the database and the private files into a new folder under PORTFOLIO_BACKUP_DIR."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output-dir",
            type=Path,
            help="Where to put the backup folder (default: PORTFOLIO_BACKUP_DIR).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        destination = options["output_dir"] or Path(settings.BACKUP_DIR)
        try:
            folder = make_backup(root=Path(settings.PRIVATE_ROOT), destination=destination)
        except (BackupError, DatabaseError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(folder))
