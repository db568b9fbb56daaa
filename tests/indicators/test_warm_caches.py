"""The portfolio performance table built before anyone opens the page: `manage.py warm_caches` (now, or queued
for the task workers), and the task that rebuilds it after every midnight."""

from __future__ import annotations

import datetime
import zoneinfo
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from indicators import tasks
from indicators.selectors import performance
from tests.conftest import login


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def builds(monkeypatch):
    """Every build of a performance table, from the selectors or the task."""
    calls: list[int] = []
    real = performance.build_cacheable_table

    def counting(**kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(performance, "build_cacheable_table", counting)
    return calls


def waiting_builds():
    return DBTaskResult.objects.filter(
        task_path=tasks.warm_performance_task.module_path, status=TaskResultStatus.READY
    )


@pytest.mark.django_db
def test_after_warm_caches_the_portfolio_page_is_served_from_the_cache(world, manager, builds):
    out = StringIO()
    call_command("warm_caches", stdout=out)
    assert out.getvalue().startswith("Portfolio performance table built in ")
    assert len(builds) == 1

    response = login(manager).get(reverse("indicators:portfolio_performance"))
    assert response.status_code == 200
    assert len(builds) == 1  # the page found the table the command built: same scope, same options


@pytest.mark.django_db
def test_without_warming_the_first_visit_builds_the_table(world, manager, builds):
    # The counterpart of the test above: it shows the page really builds on a miss, so a hit means something.
    login(manager).get(reverse("indicators:portfolio_performance"))
    assert len(builds) == 1


@pytest.mark.django_db
def test_queue_keeps_one_build_waiting(database_tasks):
    out = StringIO()
    call_command("warm_caches", "--queue", stdout=out)
    call_command("warm_caches", "--queue", stdout=out)
    assert out.getvalue().splitlines() == [
        "Portfolio performance table queued for the task workers, then daily.",
        "Portfolio performance table already queued.",
    ]
    assert waiting_builds().count() == 1


@pytest.mark.django_db
def test_queue_refuses_a_backend_that_cannot_run_tasks_later():
    with pytest.raises(CommandError, match="cannot run tasks later"):
        call_command("warm_caches", "--queue")
    assert not waiting_builds().exists()


@pytest.mark.django_db
def test_the_task_builds_then_queues_the_next_build_after_midnight(database_tasks, world, builds, settings):
    settings.TIME_ZONE = "America/Guatemala"
    tasks.warm_performance_task.call()
    assert len(builds) == 1
    [next_build] = waiting_builds()
    local = next_build.run_after.astimezone(zoneinfo.ZoneInfo("America/Guatemala"))
    today = datetime.datetime.now(tz=zoneinfo.ZoneInfo("America/Guatemala")).date()
    assert (local.date(), local.time()) == (today + datetime.timedelta(days=1), datetime.time(0, 5))


def test_next_midnight_is_local():
    zone = zoneinfo.ZoneInfo("Asia/Bangkok")  # UTC+7: 20:00 UTC is already 03:00 the next day there
    now = datetime.datetime(2026, 3, 1, 20, 0, tzinfo=datetime.UTC)
    with timezone.override(zone):
        midnight = tasks.next_midnight(now)
    assert midnight == datetime.datetime(2026, 3, 3, 0, 0, tzinfo=zone)


@pytest.mark.django_db
def test_a_build_waiting_for_midnight_does_not_stop_one_now(database_tasks, world, builds):
    tasks.warm_performance_task.call()  # builds, then waits for the coming midnight
    [midnight] = waiting_builds()
    out = StringIO()
    call_command("warm_caches", "--queue", stdout=out)
    assert out.getvalue() == "Portfolio performance table queued for the task workers, then daily.\n"
    now = waiting_builds().exclude(pk=midnight.pk).get()
    assert now.run_after < midnight.run_after

    # The run for now reschedules for midnight, where one is already waiting: still two, not three.
    tasks.warm_performance_task.call()
    assert waiting_builds().count() == 2
