"""Log configuration shared by Django (settings.LOGGING) and gunicorn (portfolio/gunicorn.conf.py).

One line per event on stdout, where a container runtime or systemd collects it: JSON objects in production
(a log store indexes the fields without parsing text), plain text when a person reads a terminal. The web
processes, the gunicorn master and the task workers all log through the same configuration.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

LOG_FORMATS = ("json", "text")

# gunicorn's access atoms (https://docs.gunicorn.org/en/stable/settings.html#access-log-format) copied onto
# the record as named fields. The query string is left out: it can carry tokens.
_ACCESS_FIELDS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "s": "status",
    "B": "response_bytes",
    "M": "duration_ms",
    "a": "user_agent",
}
_NUMERIC_ACCESS_FIELDS = {"status", "response_bytes", "duration_ms"}

# gunicorn logs each request with this message; the JSON formatter adds the fields above beside it.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class AccessFields(logging.Filter):
    """Turn a gunicorn access record's atoms (its ``args`` mapping) into named fields of the log line, so a
    JSON line reads ``{"method": "GET", "path": "/", "status": 200, "duration_ms": 12, ...}``. Records that
    are not gunicorn access records pass through unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if isinstance(atoms, Mapping):
            for atom, field in _ACCESS_FIELDS.items():
                value: Any = atoms.get(atom, "-")
                if field in _NUMERIC_ACCESS_FIELDS:
                    try:
                        value = int(value)
                    except (TypeError, ValueError):
                        value = None
                setattr(record, field, value)
        return True


# Addresses whose last part is a secret: a calendar subscription's feed, a password-reset link, an email's
# unsubscribe link. Whoever reads the logs must not be able to use them, so they are logged with the secret
# replaced (the query string, which can carry tokens too, is never logged: see _ACCESS_FIELDS).
SECRET = "[secret]"
_SECRET_PATHS = [
    (re.compile(r"(/calendar/feed/)[^/\s\"'?]+(\.ics)"), rf"\g<1>{SECRET}\g<2>"),
    (re.compile(r"(/accounts/password-reset/[^/\s\"'?]+/)[^/\s\"'?]+"), rf"\g<1>{SECRET}"),
    (re.compile(r"(/notifications/unsubscribe/)[^/\s\"'?]+"), rf"\g<1>{SECRET}"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


def _redacted(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Secrets in logged paths replaced (see _SECRET_PATHS): in the message, its arguments (gunicorn's
    access atoms, django.request's "Not Found: %s") and the request Django attaches to its records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _redacted(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_redacted(value) for value in record.args)
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            # The JSON formatter writes extra attributes as text: the request's text holds its path.
            record.request = redact(str(request))
        return True


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The ``logging.config.dictConfig`` dictionary for ``log_format`` ("json" or "text") at ``level``.

    Everything goes to stdout through the root logger: Django's request errors (django.request), gunicorn's
    own messages (gunicorn.error) and its access lines (gunicorn.access, INFO, one per request).
    """
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format {log_format!r} is not one of {', '.join(LOG_FORMATS)}")
    formatters: dict[str, Any] = {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # ISO 8601 in UTC with a zone, which log stores parse without being told the format.
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {log_format: formatters[log_format]},
        "filters": {
            "redact_secrets": {"()": "portfolio.logging.RedactSecrets"},
            "access_fields": {"()": "portfolio.logging.AccessFields"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "stream": "ext://sys.stdout",
                "filters": ["redact_secrets", "access_fields"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Propagate to the root's handler only: gunicorn's defaults would add a second, unformatted one.
            "django.request": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
        },
    }
