"""/health/live and /health/ready: public, never cached, JSON; readiness fails (503) with a reason per check,
never with an exception's text."""

from __future__ import annotations

import datetime
import time
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import OperationalError, connections
from django.urls import reverse
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from indicators import tasks
from portfolio import health

SECRET_IN_ERROR = "password authentication failed for user payroll_admin at db.internal"


def beat(seconds_ago: float = 0) -> None:
    cache.set(tasks.HEARTBEAT_CACHE_KEY, time.time() - seconds_ago, timeout=None)


def test_live_answers_without_signing_in_or_touching_the_database(client):
    # No django_db mark: any query (a session, a user, the database check) would fail this test.
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_is_ok_when_database_cache_and_workers_answer(client, settings):
    settings.HEARTBEAT_SECONDS = 60
    beat(seconds_ago=150)  # within 3 heartbeats
    response = client.get(reverse("health-ready"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": {"ok": True}, "cache": {"ok": True}, "workers": {"ok": True}},
    }
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_ready_fails_when_no_worker_has_run_the_heartbeat(client):
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["workers"] == {
        "ok": False,
        "reason": "No task worker has run the heartbeat yet (manage.py schedule_heartbeat).",
    }


@pytest.mark.django_db
def test_ready_fails_when_the_last_heartbeat_is_older_than_three_intervals(client, settings):
    settings.HEARTBEAT_SECONDS = 60
    beat(seconds_ago=200)
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["workers"]["reason"].endswith("(limit 180 s).")


@pytest.mark.django_db
def test_unreachable_database_fails_readiness_without_revealing_the_error(client, monkeypatch, caplog):
    beat()

    def broken_cursor(*args, **kwargs):
        raise OperationalError(SECRET_IN_ERROR)

    monkeypatch.setattr(type(connections["default"]), "cursor", broken_cursor)
    response = client.get("/health/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == {"ok": False, "reason": "The database did not answer."}
    assert body["checks"]["cache"] == {"ok": True}
    assert "payroll_admin" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    # The operator finds the real error in the log.
    assert SECRET_IN_ERROR in caplog.text


@pytest.mark.django_db
def test_broken_cache_fails_readiness(client, monkeypatch):
    beat()

    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis.internal:6379. Connection refused.")

    monkeypatch.setattr(cache, "set", refuse)
    monkeypatch.setattr(cache, "get", refuse)
    response = client.get("/health/ready")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["cache"] == {"ok": False, "reason": "The cache did not answer."}
    assert checks["workers"] == {"ok": False, "reason": "The worker heartbeat could not be read."}
    assert "redis.internal" not in response.content.decode()


@pytest.mark.django_db
def test_health_endpoints_only_answer_get(client):
    assert client.post("/health/live").status_code == 405
    assert client.post("/health/ready").status_code == 405


def test_worker_check_counts_three_heartbeats(settings):
    settings.HEARTBEAT_SECONDS = 10
    beat_at = 1_000_000.0
    cache.set(tasks.HEARTBEAT_CACHE_KEY, beat_at)
    assert health.check_workers(now=beat_at + 30).ok
    assert not health.check_workers(now=beat_at + 31).ok


# --- the heartbeat task ---------------------------------------------------------------------------------------


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def waiting_beats():
    return DBTaskResult.objects.filter(
        task_path=tasks.worker_heartbeat_task.module_path, status=TaskResultStatus.READY
    )


@pytest.mark.django_db
def test_heartbeat_records_the_time_and_queues_exactly_one_next_beat(database_tasks, settings, client):
    settings.HEARTBEAT_SECONDS = 60
    before = datetime.datetime.now(tz=datetime.UTC)
    tasks.worker_heartbeat_task.call()
    assert before.timestamp() - 1 <= cache.get(tasks.HEARTBEAT_CACHE_KEY) <= time.time()
    [next_beat] = waiting_beats()
    assert (
        before + datetime.timedelta(seconds=59)
        < next_beat.run_after
        < before + datetime.timedelta(seconds=61)
    )

    tasks.worker_heartbeat_task.call()  # a beat while the next one waits adds no other
    assert waiting_beats().count() == 1
    assert client.get("/health/ready").status_code == 200


@pytest.mark.django_db
def test_schedule_heartbeat_command_keeps_one_beat_waiting(database_tasks):
    out = StringIO()
    call_command("schedule_heartbeat", stdout=out)
    call_command("schedule_heartbeat", stdout=out)
    assert out.getvalue().splitlines() == [
        "Worker heartbeat scheduled.",
        "Worker heartbeat already scheduled.",
    ]
    assert waiting_beats().count() == 1


@pytest.mark.django_db
def test_schedule_heartbeat_command_refuses_a_backend_that_cannot_run_tasks_later():
    with pytest.raises(CommandError, match="cannot run tasks later"):
        call_command("schedule_heartbeat")
    assert not waiting_beats().exists()
