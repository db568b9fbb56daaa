"""Sessions end after PORTFOLIO_SESSION_IDLE_MINUTES without activity and, however active, once older than
DJANGO_SESSION_COOKIE_AGE; an active session is saved at most once a minute (not on every request)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portfolio.security import sessions
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def sign_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def session_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and "SELECT" not in q["sql"]
    ]


def test_the_session_lasts_the_idle_time_and_the_absolute_limit_is_the_old_cookie_age(settings):
    assert settings.SESSION_IDLE_MINUTES == 30
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_MAX_AGE == 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is False


def test_a_new_sign_in_expires_after_the_idle_time(officer):
    client = sign_in(officer)
    expires_in = session_row(client).expire_date - timezone.now()
    assert timedelta(minutes=29) < expires_in <= timedelta(minutes=30)
    assert client.cookies["sessionid"]["max-age"] == 30 * 60


def test_pages_within_a_minute_of_the_last_save_do_not_write_the_session(officer):
    client = sign_in(officer)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
        assert client.get("/").status_code == 200
    assert session_writes(queries) == []


def test_a_page_a_minute_after_the_last_save_extends_the_session(monkeypatch, officer):
    client = sign_in(officer)
    row = session_row(client)
    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() + timedelta(minutes=5))
    later = sessions.now() + sessions.REFRESH_SECONDS
    monkeypatch.setattr(sessions, "now", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert len(session_writes(queries)) == 1
    assert session_row(client).expire_date - timezone.now() > timedelta(minutes=29)
    assert client.session[sessions.LAST_SEEN] == later


def test_an_idle_session_has_ended_and_the_next_page_asks_to_sign_in(officer):
    client = sign_in(officer)
    Session.objects.filter(pk=session_row(client).pk).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    response = client.get("/grants/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/grants/"


def test_a_session_older_than_the_absolute_limit_ends_however_active(monkeypatch, settings, officer):
    client = sign_in(officer)
    started = client.session[sessions.SIGNED_IN_AT]
    monkeypatch.setattr(sessions, "now", lambda: started + settings.SESSION_MAX_AGE + 1)
    response = client.get("/grants/", follow=True)
    assert response.redirect_chain[0] == (f"{reverse('login')}?next=/grants/", 302)
    assert "Your session has ended: please sign in again." in response.content.decode()
    assert not response.context["user"].is_authenticated


def test_a_session_within_the_absolute_limit_goes_on(monkeypatch, settings, officer):
    client = sign_in(officer)
    started = client.session[sessions.SIGNED_IN_AT]
    monkeypatch.setattr(sessions, "now", lambda: started + settings.SESSION_MAX_AGE - 1)
    assert client.get("/").status_code == 200


def test_a_session_from_before_the_clocks_existed_gets_them_on_its_next_page(client_for, officer):
    client = client_for(officer)
    session = client.session
    del session[sessions.SIGNED_IN_AT]
    del session[sessions.LAST_SEEN]
    session.save()
    assert client.get("/").status_code == 200
    assert sessions.SIGNED_IN_AT in client.session and sessions.LAST_SEEN in client.session


def _import_settings(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTFOLIO_", "DATABASE_URL"))}
    env.update({"PORTFOLIO_VAR_DIR": str(tmp_path), **variables})
    code = "import portfolio.settings as s; print(s.SESSION_COOKIE_AGE, s.SESSION_MAX_AGE)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"PORTFOLIO_SESSION_IDLE_MINUTES": "10"}, "600 28800"),
        # An idle time longer than the absolute limit is capped by it.
        ({"PORTFOLIO_SESSION_IDLE_MINUTES": "600", "DJANGO_SESSION_COOKIE_AGE": "3600"}, "3600 3600"),
    ],
)
def test_idle_and_absolute_limits_from_the_environment(tmp_path, variables, expected):
    result = _import_settings(tmp_path, **variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORTFOLIO_SESSION_IDLE_MINUTES", "half an hour"),
        ("PORTFOLIO_SESSION_IDLE_MINUTES", "0"),
        ("PORTFOLIO_LOGIN_FAILURE_LIMIT", "five"),
        ("PORTFOLIO_LOGIN_FAILURE_LIMIT", "0"),
        ("PORTFOLIO_LOGIN_COOLOFF_MINUTES", "15m"),
        ("PORTFOLIO_REQUIRE_2FA", "sometimes"),
    ],
)
def test_a_malformed_sign_in_setting_stops_start_up_naming_it(tmp_path, variable, value):
    result = _import_settings(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and variable in result.stderr
