"""Settings from the environment: malformed values stop start-up with the variable's name in the message."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portfolio.env import Env, local_secret_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value", ["maybe", "2", "yes please", "enabled"])
def test_malformed_boolean_names_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG") as info:
        Env({"DJANGO_DEBUG": value}).bool("DJANGO_DEBUG", default=False)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("1", True),
        ("yes", True),
        ("on", True),
        (" false ", False),
        ("0", False),
        ("no", False),
        ("off", False),
    ],
)
def test_boolean_spellings(value, expected):
    assert Env({"X": value}).bool("X", default=not expected) is expected


@pytest.mark.parametrize("value", [None, "", "   "])
def test_unset_or_blank_values_take_the_default(value):
    environ = {} if value is None else {"X": value}
    assert Env(environ).bool("X", default=True) is True
    assert Env(environ).int("X", default=7) == 7
    assert Env(environ).str("X", default="d") == "d"
    assert Env(environ).list("X", default=["a"]) == ["a"]


@pytest.mark.parametrize("value", ["twenty", "2.5", "1e3", "20MB"])
def test_non_integer_names_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match=r"PORTFOLIO_EVIDENCE_MAX_MB=.* is not a whole number"):
        Env({"PORTFOLIO_EVIDENCE_MAX_MB": value}).int("PORTFOLIO_EVIDENCE_MAX_MB", default=20)


def test_integer_below_minimum_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match=r"DJANGO_SECURE_HSTS_SECONDS='-1' must be at least 0"):
        Env({"DJANGO_SECURE_HSTS_SECONDS": "-1"}).int("DJANGO_SECURE_HSTS_SECONDS", default=0)
    assert Env({"N": " 42 "}).int("N", default=0) == 42


def test_list_ignores_blanks_and_spaces():
    env = Env({"DJANGO_ALLOWED_HOSTS": " a.example.org, b.example.org ,, "})
    assert env.list("DJANGO_ALLOWED_HOSTS", default=[]) == ["a.example.org", "b.example.org"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "is not a database URL"),
        ("postgres://user@db.example.org:notaport/portfolio", "could not be read"),
        ("mysql://user@db.example.org/portfolio", "only SQLite and PostgreSQL are supported"),
        ("redis://127.0.0.1:6379/0", "only SQLite and PostgreSQL are supported"),
    ],
)
def test_bad_database_url_names_the_variable(url, message):
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL") as info:
        Env({"DATABASE_URL": url}).database("DATABASE_URL", default="sqlite:///db.sqlite3")
    assert message in str(info.value)


def test_sqlite_url_gets_wal_and_immediate_transactions(tmp_path):
    config = Env({}).database("DATABASE_URL", default=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    # A worker writes beside the web process: WAL for concurrent readers, IMMEDIATE so writers queue.
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    assert config["OPTIONS"]["timeout"] >= 5


def test_postgres_url_keeps_connections_with_health_checks():
    config = Env({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portfolio"}).database(
        "DATABASE_URL", default="sqlite:///x"
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["HOST"], config["PORT"]) == (
        "portfolio",
        "postgres",
        "127.0.0.1",
        5432,
    )
    assert config["CONN_HEALTH_CHECKS"] is True
    assert config["CONN_MAX_AGE"] > 0
    assert "transaction_mode" not in config.get("OPTIONS", {})


def test_local_secret_key_is_generated_once_and_reused(tmp_path):
    path = tmp_path / "secret_key"
    first = local_secret_key(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # readable by the owner only
    assert local_secret_key(path) == first
    assert local_secret_key(tmp_path / "other_key") != first


def run_python(tmp_path: Path, code: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter whose environment holds only ``variables`` of the app's own (none of
    the test run's DJANGO_*/PORTFOLIO_* settings leak in)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTFOLIO_", "DATABASE_URL"))
    }
    env.update({"PORTFOLIO_VAR_DIR": str(tmp_path), **variables})
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def _import_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    return run_python(
        tmp_path,
        "import portfolio.settings as s; print(s.DEBUG, s.DATABASES['default']['ENGINE'])",
        **variables,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_DEBUG", "maybe"),
        ("PORTFOLIO_EVIDENCE_MAX_MB", "lots"),
        ("DJANGO_SESSION_COOKIE_AGE", "8h"),
        ("DATABASE_URL", "oracle://scott@db/orcl"),
    ],
)
def test_settings_module_refuses_to_start_on_a_malformed_value(tmp_path, variable, value):
    result = _import_settings(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_settings_module_defaults_are_safe(tmp_path):
    result = _import_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    # DEBUG is off unless asked for; the database is a SQLite file in the var dir with a generated secret.
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3"]
    assert (tmp_path / "secret_key").exists()


def test_readme_documents_every_variable_the_settings_read():
    source = (ROOT / "portfolio" / "settings.py").read_text()
    variables = set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]+)"', source))
    assert {"DJANGO_DEBUG", "DATABASE_URL", "DJANGO_STATICFILES_STORAGE"} <= variables
    readme = (ROOT / "README.md").read_text()
    assert not {name for name in variables if f"`{name}`" not in readme}


def test_bad_database_url_error_does_not_show_the_password():
    with pytest.raises(ImproperlyConfigured) as exc:
        Env({"DATABASE_URL": "postgres://app:hunter2@db.internal:notaport/x"}).database(
            "DATABASE_URL", default=""
        )
    assert "hunter2" not in str(exc.value)
    assert "app:***@db.internal" in str(exc.value)


@pytest.mark.parametrize("raw", ["abc", "1.5", "-0.1", "NaN", "inf"])
def test_shares_must_be_between_zero_and_one(raw):
    with pytest.raises(ImproperlyConfigured, match="PORTFOLIO_ON_TRACK_BAND"):
        Env({"PORTFOLIO_ON_TRACK_BAND": raw}).share("PORTFOLIO_ON_TRACK_BAND", default="0.15")


def test_share_is_a_decimal():
    from decimal import Decimal

    assert Env({}).share("X", default="0.15") == Decimal("0.15")
    assert Env({"X": "0.2"}).share("X", default="0.15") == Decimal("0.2")
