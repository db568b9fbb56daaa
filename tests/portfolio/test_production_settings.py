"""The production configuration: start-up refuses a deployment with a missing or malformed setting (naming it),
Redis as the shared cache, JSON logs, gunicorn's settings from the environment, and `check --deploy`."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import secrets
from pathlib import Path

import pytest
from django.test import RequestFactory

from portfolio.logging import ACCESS_LOG_FORMAT, logging_config
from tests.portfolio.test_settings import run_python

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "portfolio.example.org",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://portfolio.example.org",
    "PORTFOLIO_SITE_URL": "https://portfolio.example.org",
    "PORTFOLIO_REDIS_URL": "redis://127.0.0.1:6379/0",
}
SHOW = (
    "import portfolio.settings as s; print(s.DEBUG, s.LOG_FORMAT, s.CACHES['default']['BACKEND'], "
    "s.SECRET_KEY == __import__('os').environ.get('DJANGO_SECRET_KEY'), "
    "getattr(s, 'SESSION_ENGINE', 'django.contrib.sessions.backends.db'))"
)


def test_production_settings_load_with_redis_and_json_logs(tmp_path):
    result = run_python(tmp_path, SHOW, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "json",
        "django.core.cache.backends.redis.RedisCache",
        "True",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_make_run_needs_no_variables_and_logs_text_to_a_file_cache(tmp_path):
    result = run_python(tmp_path, SHOW, DJANGO_DEBUG="true", DJANGO_SECURE="false")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "text",
        "django.core.cache.backends.filebased.FileBasedCache",
        "False",
        # Without Redis the cache is a folder of files: sessions stay in the database alone.
        "django.contrib.sessions.backends.db",
    ]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY is not set"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS is not set"),
    ],
)
def test_a_deployment_without_its_secret_or_host_names_does_not_start(tmp_path, missing, message):
    variables = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = run_python(tmp_path, SHOW, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DJANGO_SECRET_KEY", "changeme"),
        ("PORTFOLIO_REDIS_URL", "127.0.0.1:6379"),
        ("PORTFOLIO_REDIS_URL", "http://127.0.0.1:6379/0"),
        ("PORTFOLIO_SITE_URL", "portfolio.example.org"),
        ("DJANGO_CSRF_TRUSTED_ORIGINS", "portfolio.example.org"),
        ("DJANGO_LOG_FORMAT", "xml"),
        ("DJANGO_LOG_LEVEL", "LOUD"),
        ("PORTFOLIO_HEARTBEAT_SECONDS", "1"),
        ("PORTFOLIO_DB_CONNECT_TIMEOUT", "soon"),
    ],
)
def test_a_malformed_production_setting_stops_start_up_naming_it(tmp_path, variable, value):
    variables = {**PRODUCTION, "DATABASE_URL": "postgres://app@127.0.0.1:5432/portfolio", variable: value}
    result = run_python(tmp_path, SHOW, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr


def test_redis_url_error_does_not_show_the_password(tmp_path):
    result = run_python(tmp_path, SHOW, **{**PRODUCTION, "PORTFOLIO_REDIS_URL": "http://:hunter2@cache:6379"})
    assert "PORTFOLIO_REDIS_URL" in result.stderr
    assert "hunter2" not in result.stderr


def test_check_deploy_passes_with_the_production_settings(tmp_path):
    result = run_python(
        tmp_path,
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DJANGO_SETTINGS_MODULE="portfolio.settings",
        DJANGO_SECURE="true",
        DJANGO_BEHIND_PROXY="true",
        DJANGO_SECURE_HSTS_PRELOAD="true",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_gunicorn_configuration_comes_from_the_environment(tmp_path):
    code = (
        "import runpy; c = runpy.run_path('portfolio/gunicorn.conf.py'); "
        "print(c['workers'], c['threads'], c['timeout'], c['bind'], c['logconfig_dict']['root']['handlers'])"
    )
    result = run_python(
        tmp_path,
        code,
        PORTFOLIO_WEB_WORKERS="3",
        PORTFOLIO_WEB_THREADS="4",
        PORTFOLIO_WEB_TIMEOUT="45",
        PORTFOLIO_WEB_BIND="0.0.0.0:9000",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "3 4 45 ['0.0.0.0:9000'] ['console']"

    bad = run_python(tmp_path, code, PORTFOLIO_WEB_WORKERS="many", **PRODUCTION)
    assert bad.returncode != 0
    assert "PORTFOLIO_WEB_WORKERS='many' is not a whole number" in bad.stderr


def test_gunicorn_workers_freeze_the_loaded_app_out_of_the_garbage_collector(tmp_path):
    code = (
        "import gc, runpy; c = runpy.run_path('portfolio/gunicorn.conf.py'); "
        "before = gc.get_freeze_count(); c['post_worker_init'](None); "
        "print(before, gc.get_freeze_count() > 10_000, gc.get_threshold())"
    )
    result = run_python(tmp_path, code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "0 True (10000, 10, 10)"


def test_gunicorn_refuses_to_start_a_deployment_missing_its_secret(tmp_path):
    variables = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_SECRET_KEY"}
    result = run_python(tmp_path, "import runpy; runpy.run_path('portfolio/gunicorn.conf.py')", **variables)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def emit(config: dict, logger_name: str, message: str, args: object = (), extra: dict | None = None) -> str:
    """What one record logged under ``config`` writes to stdout."""
    stream = io.StringIO()
    config = json.loads(json.dumps(config))
    config["handlers"]["console"]["stream"] = stream
    previous = logging.root.manager.loggerDict.copy()
    root_handlers, root_level = logging.root.handlers[:], logging.root.level
    try:
        logging.config.dictConfig(config)
        logging.getLogger(logger_name).info(message, args, extra=extra)
    finally:
        logging.root.handlers[:] = root_handlers
        logging.root.setLevel(root_level)
        for name in ("django.request", "gunicorn.error", "gunicorn.access"):
            if name not in previous:
                logging.root.manager.loggerDict.pop(name, None)
    return stream.getvalue()


def test_gunicorn_access_lines_are_json_with_named_fields():
    atoms = {"h": "10.0.0.7", "m": "GET", "U": "/grants/", "s": "200", "B": "5120", "M": "42", "a": "curl/8"}
    line = emit(logging_config(log_format="json", level="INFO"), "gunicorn.access", ACCESS_LOG_FORMAT, atoms)
    record = json.loads(line)
    assert record["logger"] == "gunicorn.access"
    assert record["level"] == "INFO"
    assert record["message"] == '10.0.0.7 "GET /grants/" 200 5120 42ms'
    assert (record["method"], record["path"], record["status"], record["duration_ms"]) == (
        "GET",
        "/grants/",
        200,
        42,
    )
    assert record["remote_addr"] == "10.0.0.7"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/calendar/feed/Zx9-_aB3kLmN0pQ.ics", "/calendar/feed/[secret].ics"),
        (
            "/accounts/password-reset/MTI/cbx7q1-4f0e2d5a6b7c8d9e0f1a2b3c4d5e6f7a/",
            "/accounts/password-reset/MTI/[secret]/",
        ),
        ("/notifications/unsubscribe/eyJ1Ijo1fQ:1t2x3y:AbCd/", "/notifications/unsubscribe/[secret]/"),
        ("/grants/12/", "/grants/12/"),
    ],
)
def test_secrets_in_paths_are_not_logged(path, logged):
    atoms = {"h": "10.0.0.7", "m": "GET", "U": path, "s": "200", "B": "51", "M": "4", "a": "Outlook"}
    access = json.loads(
        emit(logging_config(log_format="json", level="INFO"), "gunicorn.access", ACCESS_LOG_FORMAT, atoms)
    )
    assert access["path"] == logged and access["message"] == f'10.0.0.7 "GET {logged}" 200 51 4ms'
    request = RequestFactory().get(path)
    line = emit(
        logging_config(log_format="json", level="INFO"),
        "django.request",
        "Not Found: %s",
        path,
        extra={"status_code": 404, "request": request},
    )
    record = json.loads(line)
    assert record["message"] == f"Not Found: {logged}"
    if logged != path:
        assert path not in line and logged in record["request"]


def test_text_log_format_is_one_readable_line():
    line = emit(logging_config(log_format="text", level="INFO"), "django.request", "Not Found: %s", "/x")
    assert line.rstrip().endswith("INFO django.request Not Found: /x")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
