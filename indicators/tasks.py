"""Background work of the indicators app, run by the task worker (django-tasks)."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from grants.models import CountryProject, Grant, User
from indicators.models import DataUpload, UploadStatus
from indicators.reminders import run_notifications
from indicators.selectors.performance import (
    GROUP_PERIODS,
    NO_FILTERS,
    PORTFOLIO_LABEL,
    grant_label,
    warm_performance_table,
)
from indicators.services.uploads import upload_apply, upload_check, upload_fail, upload_mark_problems

logger = logging.getLogger(__name__)


@task()
def refresh_performance_tables(grant_id: int) -> None:
    """Rebuild the cached performance tables an approval (or a reopening) made stale: the grant's page and the
    portfolio page as office staff open them, without filters. At portfolio scale a build takes seconds; done
    here, the next manager who opens the page gets it from the cache."""
    grant = Grant.objects.filter(pk=grant_id).only("award_number").first()
    if grant is None:
        return  # deleted since: nothing to refresh
    common = {"latest_periods": GROUP_PERIODS, "with_cells": False, **NO_FILTERS}
    warm_performance_table(
        projects=CountryProject.objects.filter(grant=grant),
        group_label=grant_label(grant.award_number),
        **common,
    )
    warm_portfolio_performance()


@task()
def check_upload(upload_id: int) -> None:
    """Check a large uploaded workbook (see indicators.services.uploads), reporting progress as it reads, and
    when it has problems, keep a copy of it with the problems marked (too slow to make in a request)."""
    upload = DataUpload.objects.filter(pk=upload_id).select_related("uploaded_by").first()
    if upload is None:
        return
    try:
        upload = upload_check(upload=upload, progress=True)
        upload_mark_problems(upload=upload)
    except Exception:
        upload_fail(
            upload=upload,
            message="The file could not be checked because of an error on our side. Upload it again; if it fails again, tell the program officer.",
        )
        raise


@task()
def apply_upload(upload_id: int, actor_id: int) -> None:
    """Apply a large checked upload the uploader confirmed, in one transaction."""
    upload = DataUpload.objects.filter(pk=upload_id).select_related("uploaded_by").first()
    actor = User.objects.filter(pk=actor_id).first()
    if upload is None or actor is None:
        return
    try:
        upload_apply(upload=upload, actor=actor)
    except ValidationError as error:
        # A stale preview was refreshed (back to "ready" or "has errors") and says why; anything else that
        # stopped the confirmation is recorded so the page does not wait for ever.
        upload.refresh_from_db()
        if upload.status == UploadStatus.APPLYING:
            upload_fail(upload=upload, message=" ".join(error.messages))
    except Exception:
        upload_fail(
            upload=upload,
            message="The file could not be applied because of an error on our side; nothing was changed. Try again; if it fails again, tell the program officer.",
        )
        raise


@task()
def send_notifications_task() -> str:
    """The notification job (indicators.reminders.run_notifications), then its next run in
    settings.NOTIFY_EVERY_MINUTES: started once by `manage.py schedule_notifications`, it keeps itself going.
    Returns the job's summary (kept on the task result)."""
    try:
        summary = run_notifications().summary()
    finally:
        # Scheduled even when this run failed, so that one bad run does not stop the reminders for good.
        schedule_notifications(
            run_after=timezone.now() + datetime.timedelta(minutes=settings.NOTIFY_EVERY_MINUTES)
        )
    return summary


def notifications_scheduled() -> bool:
    """Whether a run of the notification task is waiting in the database queue (due now or later)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=send_notifications_task.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_notifications(*, run_after: datetime.datetime | None = None) -> bool:
    """Queue one run of the notification task at ``run_after`` (default: now), unless one is already waiting.
    Returns whether a run was queued. Only a backend that keeps tasks for later (django_tasks_db) can hold a
    schedule; with any other (the immediate backend of the tests, a dummy) nothing is queued: enqueueing
    there would run the job at once, and again from inside itself."""
    backend = send_notifications_task.get_backend()
    if not backend.supports_defer:
        logger.warning(
            "The task backend %s cannot schedule the notification job; use the cron command.", backend.alias
        )
        return False
    if notifications_scheduled():
        return False
    send_notifications_task.using(run_after=run_after or timezone.now()).enqueue()
    return True


# --- Worker heartbeat (issue 7): readiness (/health/ready) asks whether a task worker took a task lately ----
# The time of the last run is kept in the cache, which every web process and worker shares (Redis across
# machines), so any web machine can answer for the workers of all of them.
HEARTBEAT_CACHE_KEY = "portfolio:worker-heartbeat"


@task()
def worker_heartbeat_task() -> None:
    """Record that a task worker is taking tasks (the time, in the cache), then queue the next beat in
    settings.HEARTBEAT_SECONDS. Started by `manage.py schedule_heartbeat`, it keeps itself going."""
    from django.core.cache import cache

    try:
        cache.set(HEARTBEAT_CACHE_KEY, timezone.now().timestamp(), timeout=None)
    finally:
        schedule_heartbeat(run_after=timezone.now() + datetime.timedelta(seconds=settings.HEARTBEAT_SECONDS))


def schedule_heartbeat(*, run_after: datetime.datetime | None = None) -> bool:
    """Queue one heartbeat at ``run_after`` (default: now) unless one is already waiting; returns whether one
    was queued. As with the notification job, only a backend that can defer tasks holds the schedule."""
    return _schedule_once(worker_heartbeat_task, run_after)


def _schedule_once(job: Any, run_after: datetime.datetime | None) -> bool:
    """Queue ``job`` at ``run_after`` (default: now) unless a run due by then is already waiting. A run waiting
    for later (the next midnight's build, say) does not stop one asked for now; the earlier run, when it
    reschedules, finds the later one and adds nothing."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    if not job.get_backend().supports_defer:
        return False
    run_after = run_after or timezone.now()
    waiting = DBTaskResult.objects.filter(task_path=job.module_path, status=TaskResultStatus.READY)
    # django-tasks-db stores "as soon as possible" as the largest date.
    if waiting.filter(Q(run_after=get_date_max()) | Q(run_after__lte=run_after)).exists():
        return False
    job.using(run_after=run_after).enqueue()
    return True


# --- The portfolio performance table, built before anyone asks for it ------------------------------------
# Its cache key holds the date (targets and "on track" depend on today), so every day starts cold, and at
# portfolio scale the first manager of the day would wait seconds for the build. A worker builds it when the
# stack starts and again just after each midnight; approvals rebuild it too (refresh_performance_tables).


@task()
def warm_performance_task() -> None:
    """Build and cache the portfolio performance table as office staff open it (no filters), then queue the
    next build for five minutes past the coming midnight."""
    try:
        warm_portfolio_performance()
    finally:
        schedule_performance_warming(run_after=next_midnight() + datetime.timedelta(minutes=5))


def warm_portfolio_performance() -> None:
    """Build and cache the portfolio performance table with the options of the page's first view."""
    warm_performance_table(
        projects=CountryProject.objects.all(),
        group_label=PORTFOLIO_LABEL,
        latest_periods=GROUP_PERIODS,
        with_cells=False,
        **NO_FILTERS,
    )


def next_midnight(now: datetime.datetime | None = None) -> datetime.datetime:
    """The coming midnight in the site's time zone."""
    local = timezone.localtime(now)
    tomorrow = local.date() + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time(), tzinfo=local.tzinfo)


def schedule_performance_warming(*, run_after: datetime.datetime | None = None) -> bool:
    """Queue one build of the portfolio performance table at ``run_after`` (default: now) unless one is
    already waiting; returns whether one was queued."""
    return _schedule_once(warm_performance_task, run_after)
