"""manage.py backup / restore: a backup restored into an EMPTY database and an empty private folder gives back
the same rows and the same file bytes; damaged backups and non-empty targets are refused before any write.

Runs on the suite's database: SQLite normally, PostgreSQL in CI (DATABASE_URL), where it needs pg_dump and
pg_restore; without them it is skipped locally and fails under CI=true.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from grants.models import CountryProject, Grant, Milestone, MilestoneEvidence, Organisation, User
from portfolio.management.commands.backup import POSTGRES_DUMP, SQLITE_DUMP, BackupError, make_backup
from portfolio.management.commands.restore import (
    postgres_connect,
    read_manifest,
    restore_database,
    restore_files,
)
from tests.factories import GrantFactory, MilestoneFactory, UserFactory

EVIDENCE_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
COMPARED_MODELS = [Organisation, User, Grant, CountryProject, Milestone, MilestoneEvidence]


@pytest.fixture
def private_root(tmp_path, settings):
    """A private folder of this test's own, so the backup holds exactly the files the test stored."""
    root = tmp_path / "private"
    root.mkdir()
    settings.PRIVATE_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root}},
    }
    return root


@pytest.fixture
def portfolio_data(private_root):
    """Three grants with milestones, and one milestone with stored evidence."""
    milestones = [MilestoneFactory() for _ in range(6)]
    for grant in GrantFactory.create_batch(2):
        MilestoneFactory(country_project__grant=grant)
    evidence = MilestoneEvidence.objects.create(
        milestone=milestones[0],
        file=ContentFile(EVIDENCE_BYTES, name="site-visit.pdf"),
        original_name="site-visit.pdf",
        content_type="application/pdf",
        size=len(EVIDENCE_BYTES),
        sha256=hashlib.sha256(EVIDENCE_BYTES).hexdigest(),
        uploaded_by=UserFactory(),
    )
    return evidence


@pytest.fixture
def empty_database(tmp_path):
    """Settings for a new, empty database of the suite's engine (dropped afterwards on PostgreSQL)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**db, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("pg_dump/pg_restore are missing on CI: install postgresql-client.")
        pytest.skip("pg_dump/pg_restore are not installed (postgresql-client)")
    name = f"{db['NAME']}_restored"
    admin = {**db, "NAME": "postgres"}
    with postgres_connect(admin) as conn:
        conn.autocommit = True
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield {**db, "NAME": name}
    with postgres_connect(admin) as conn:
        conn.autocommit = True
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def query(db: dict, statement: str) -> list[tuple]:
    """Rows of ``statement`` run in database ``db`` with the driver (Django has no connection to it)."""
    if db["ENGINE"].endswith("sqlite3"):
        conn = sqlite3.connect(db["NAME"])
        try:
            return conn.execute(statement).fetchall()
        finally:
            conn.close()
    with postgres_connect(db) as conn:
        return conn.execute(statement).fetchall()


def count(db: dict, model: type) -> int:
    return query(db, f'SELECT COUNT(*) FROM "{model._meta.db_table}"')[0][0]


@pytest.mark.django_db(transaction=True)  # the backup reads what is committed, as it does on a live database
def test_backup_restored_into_an_empty_database_has_the_same_data_and_files(
    portfolio_data, private_root, empty_database, tmp_path
):
    folder = make_backup(root=private_root, destination=tmp_path / "backups")
    manifest = read_manifest(folder)
    assert manifest["engine"] == connection.vendor.replace("sqlite", "sqlite3")
    assert set(manifest["files"]) == {
        "private.tar.gz",
        SQLITE_DUMP if connection.vendor == "sqlite" else POSTGRES_DUMP,
    }

    restored_root = tmp_path / "restored-private"
    restore_database(db=empty_database, folder=folder, manifest=manifest)
    assert restore_files(folder=folder, root=restored_root) == 1

    source = connection.settings_dict
    counts = {model.__name__: count(empty_database, model) for model in COMPARED_MODELS}
    assert counts == {model.__name__: count(source, model) for model in COMPARED_MODELS}
    assert counts["Grant"] == 8 and counts["Milestone"] == 8 and counts["MilestoneEvidence"] == 1
    grants = f'SELECT award_number, title FROM "{Grant._meta.db_table}" ORDER BY award_number'
    assert query(empty_database, grants) == query(source, grants) != []
    [(stored_name, sha)] = query(
        empty_database, f'SELECT file, sha256 FROM "{MilestoneEvidence._meta.db_table}"'
    )
    assert stored_name == portfolio_data.file.name
    restored_file = restored_root / stored_name
    assert restored_file.read_bytes() == EVIDENCE_BYTES
    assert hashlib.sha256(restored_file.read_bytes()).hexdigest() == sha

    # A second restore over the restored data is refused: restores never overwrite.
    with pytest.raises(BackupError, match="is not empty"):
        restore_database(db=empty_database, folder=folder, manifest=manifest)
    with pytest.raises(BackupError, match="is not empty"):
        restore_files(folder=folder, root=restored_root)


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_restored(portfolio_data, private_root, tmp_path):
    folder = make_backup(root=private_root, destination=tmp_path / "backups")
    archive = folder / "private.tar.gz"
    archive.write_bytes(archive.read_bytes()[:-10])
    with pytest.raises(BackupError, match="missing or damaged"):
        read_manifest(folder)
    with pytest.raises(BackupError, match="is not a backup folder"):
        read_manifest(tmp_path)


@pytest.mark.django_db(transaction=True)
def test_backup_command_writes_a_folder_and_restore_command_refuses_a_database_in_use(
    portfolio_data, private_root, tmp_path
):
    out = StringIO()
    call_command("backup", "--output-dir", str(tmp_path / "backups"), stdout=out)
    folder = Path(out.getvalue().strip())
    assert folder.parent == tmp_path / "backups" and folder.name.startswith("portfolio-")
    assert not list((tmp_path / "backups").glob("*.partial"))

    grants_before = Grant.objects.count()
    with pytest.raises(CommandError, match="is not empty: restore only into an empty database"):
        call_command("restore", str(folder))
    assert Grant.objects.count() == grants_before


@pytest.mark.django_db
def test_backup_of_a_database_without_tables_is_refused_writing_nothing(private_root, tmp_path, monkeypatch):
    # What a wrong DATABASE_URL looks like (SQLite even creates the missing file, empty).
    monkeypatch.setattr(type(connection.introspection), "table_names", lambda self, *args, **kwargs: [])
    with pytest.raises(CommandError, match=r"has no tables: nothing to back up\. Is DATABASE_URL right\?"):
        call_command("backup", "--output-dir", str(tmp_path / "backups"))
    assert not (tmp_path / "backups").exists()
