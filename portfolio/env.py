"""Strict reading of settings from the environment.

django-environ parses URLs well but reads ``DJANGO_DEBUG=maybe`` as False without a word; here every
malformed value stops start-up with a message that names the variable and what it should look like.
"""

from __future__ import annotations

import os
import re
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class Env:
    def __init__(self, environ_map: dict[str, str] | None = None) -> None:
        self._env = os.environ if environ_map is None else environ_map

    def _raw(self, name: str) -> str | None:
        value = self._env.get(name)
        return None if value is None or value.strip() == "" else value.strip()

    def str(self, name: str, *, default: str) -> str:
        value = self._raw(name)
        return default if value is None else value

    def bool(self, name: str, *, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name}={value!r} is not a yes/no value; use one of true, false, 1, 0.")

    def int(self, name: str, *, default: int, minimum: int = 0) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
        if number < minimum:
            raise ImproperlyConfigured(f"{name}={value!r} must be at least {minimum}.")
        return number

    def share(self, name: str, *, default: str) -> Decimal:
        """A share between 0 and 1 (0.15 = 15%), kept as Decimal."""
        value = self._raw(name) or default
        try:
            share = Decimal(value)
        except InvalidOperation:
            raise ImproperlyConfigured(
                f"{name}={value!r} is not a number; use a share such as 0.15."
            ) from None
        if not share.is_finite() or not 0 <= share <= 1:
            raise ImproperlyConfigured(f"{name}={value!r} must be a share between 0 and 1, such as 0.15.")
        return share

    def list(self, name: str, *, default: list[str]) -> list[str]:
        value = self._raw(name)
        if value is None:
            return list(default)
        return [item.strip() for item in value.split(",") if item.strip()]

    def days(self, name: str, *, default: str) -> tuple[int, ...]:
        """A list of day counts such as "14, 3" (see ``parse_days``)."""
        value = self._raw(name) or default
        try:
            return parse_days(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}={value!r}: {exc}") from None

    def path(self, name: str, *, default: Path) -> Path:
        value = self._raw(name)
        return Path(value).expanduser().resolve() if value is not None else default

    def database(self, name: str, *, default: str) -> dict[str, Any]:
        url = self._raw(name) or default
        shown = _without_password(url)
        if "://" not in url:
            raise ImproperlyConfigured(
                f"{name}={shown!r} is not a database URL; use sqlite:///path/to/db.sqlite3 "
                "or postgres://user:password@host:5432/name."
            )
        try:
            config = environ.Env.db_url_config(url)
        except Exception as exc:  # django-environ raises several types for bad URLs
            raise ImproperlyConfigured(f"{name}={shown!r} could not be read: {exc}") from None
        engine = config.get("ENGINE", "")
        if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
            raise ImproperlyConfigured(f"{name}: only SQLite and PostgreSQL are supported, not {engine!r}.")
        if engine == "django.db.backends.sqlite3":
            # A task worker writes beside the web process: WAL lets readers go on, IMMEDIATE takes the write
            # lock at BEGIN so two writers queue instead of failing with "database is locked".
            config.setdefault("OPTIONS", {}).update(
                {
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 20,
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                }
            )
        else:
            config.setdefault("CONN_MAX_AGE", 60)
            config["CONN_HEALTH_CHECKS"] = True
        return config


MAX_DAYS = 365


def parse_days(text: str) -> tuple[int, ...]:
    """Day counts written as "14, 3" (reminder offsets, in settings and in a person's preferences): whole
    numbers from 1 to 365, each once, returned from largest to smallest. Raises ValueError with a message a
    person understands; an empty text is an empty tuple (no reminders of that kind)."""
    days: list[int] = []
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            number = int(item)
        except ValueError:
            raise ValueError(f"“{item}” is not a whole number of days; write days as 14, 3.") from None
        if not 1 <= number <= MAX_DAYS:
            raise ValueError(f"{number} days makes no sense here: use a number from 1 to {MAX_DAYS}.")
        if number in days:
            raise ValueError(f"{number} days is listed twice.")
        days.append(number)
    return tuple(sorted(days, reverse=True))


def _without_password(url: str) -> str:
    """The URL as it may appear in an error message or a log: any password replaced by ***."""
    return re.sub(r"(://[^:/@]*:)[^/]*@", r"\1***@", url)


def local_secret_key(path: Path) -> str:
    """A secret generated once for this checkout; production sets DJANGO_SECRET_KEY instead."""
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
