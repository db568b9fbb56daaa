"""Report runs in the task worker."""

from __future__ import annotations

from django_tasks import task

from reports.models import ReportRun, RunStatus
from reports.services import run_execute


@task()
def build_report_run(run_id: int) -> None:
    """Build a queued report run (a run already taken by another worker, or gone, is left alone)."""
    updated = ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(status=RunStatus.RUNNING)
    if not updated:
        return
    run_execute(run=ReportRun.objects.select_related("requested_by").get(pk=run_id))
