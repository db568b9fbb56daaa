"""manage.py restore <backup folder>: a backup made by ``manage.py backup`` into an EMPTY database and an
empty private folder.

Restoring never overwrites: a database that already has tables, or a private folder that already has files,
is refused before anything is written (create a new database, or drop and recreate it, first). The manifest's
checksums are verified first, so a damaged or partial backup is refused too. After a restore, run
``manage.py migrate`` (it applies only migrations newer than the backup) and start the app.
"""

from __future__ import annotations

import json
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from portfolio.db import refresh_statistics
from portfolio.management.commands.backup import (
    FILES_ARCHIVE,
    FORMAT_VERSION,
    MANIFEST,
    POSTGRES_DUMP,
    SQLITE_DUMP,
    BackupError,
    engine_of,
    postgres_tool_args,
    require_tool,
    run_tool,
    sha256,
)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The backup's manifest, after checking that every file it lists is there with its recorded checksum."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a backup folder: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text())
    except ValueError:
        raise BackupError(f"{path} is not readable JSON.") from None
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"{path} is a backup of format {manifest.get('format')!r}; expected {FORMAT_VERSION}."
        )
    for name, expected in manifest["files"].items():
        file = folder / name
        if not file.is_file() or sha256(file) != expected["sha256"]:
            raise BackupError(f"{file} is missing or damaged (its checksum differs from the manifest).")
    return manifest


def postgres_connect(db: dict[str, Any]) -> psycopg.Connection:
    return psycopg.connect(
        host=db.get("HOST") or None,
        port=db.get("PORT") or None,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        dbname=db["NAME"],
        connect_timeout=10,
    )


def database_tables(db: dict[str, Any]) -> list[str]:
    """The tables in database ``db`` (a DATABASES entry), read with the driver: the database restored into
    need not be one Django has a connection for."""
    if engine_of(db) == "postgresql":
        with postgres_connect(db) as conn:
            rows = conn.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            ).fetchall()
    else:
        with sqlite3.connect(db["NAME"]) as conn:
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchall()
        conn.close()
    return [row[0] for row in rows]


def restore_database(*, db: dict[str, Any], folder: Path, manifest: dict[str, Any]) -> None:
    """Load the backup's dump into database ``db``, which must exist and be empty."""
    engine = engine_of(db)
    if engine != manifest["engine"]:
        raise BackupError(f"This backup is of a {manifest['engine']} database; the target is {engine}.")
    tables = database_tables(db)
    if tables:
        raise BackupError(
            f"The database {db['NAME']} is not empty ({len(tables)} tables): restore only into an empty "
            "database, so nothing is overwritten by mistake. Create a new one, or drop and recreate it."
        )
    if engine == "postgresql":
        args, env = postgres_tool_args(db)
        # One transaction: a restore that fails half-way leaves the database empty, not half-filled.
        run_tool(
            [
                require_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(folder / POSTGRES_DUMP),
            ],
            env,
        )
        return
    with sqlite3.connect(folder / SQLITE_DUMP) as source, sqlite3.connect(db["NAME"]) as target:
        source.backup(target)
    source.close()
    target.close()


def restore_files(*, folder: Path, root: Path) -> int:
    """Unpack the backup's private files into ``root``, which must be empty or missing; returns the number of
    files. The "data" filter refuses absolute paths, ``..``, links and device files in the archive."""
    if root.exists() and any(root.iterdir()):
        raise BackupError(
            f"The private folder {root} is not empty: restore the files only into an empty one."
        )
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / FILES_ARCHIVE, "r:gz") as archive:
        members = [member for member in archive.getmembers() if member.isfile()]
        archive.extractall(root, members=members, filter="data")
    return len(members)


class Command(BaseCommand):
    help = "Restore a backup folder (manage.py backup) into an empty database and an empty private folder."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "folder", type=Path, help="The backup folder, e.g. var/backups/portfolio-20260101T020000Z"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        root = Path(settings.PRIVATE_ROOT)
        db = connections["default"].settings_dict
        try:
            manifest = read_manifest(folder)
            # Both targets are checked before either is written.
            if database_tables(db):
                raise BackupError(
                    f"The database {db['NAME']} is not empty: restore only into an empty database, so nothing "
                    "is overwritten by mistake. Create a new one, or drop and recreate it."
                )
            if root.exists() and any(root.iterdir()):
                raise BackupError(
                    f"The private folder {root} is not empty: restore the files only into an empty one."
                )
            restore_database(db=db, folder=folder, manifest=manifest)
            # pg_restore leaves the planner without statistics: the first hours' queries would pay for it.
            refresh_statistics()
            count = restore_files(folder=folder, root=root)
        except (BackupError, psycopg.Error, sqlite3.Error) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the database and {count} files from {folder} (made {manifest['created']})."
        )
