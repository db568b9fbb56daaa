"""Report runs and saved definitions: ask for a report, build it (in the worker), keep its files.

``run_request`` checks what was asked (the report type, the formats, the scope against what the user may see)
and queues a run; ``run_execute`` builds it once with the type's builder and writes each format with its
renderer, storing every file with its SHA-256. A run records who asked, when, with what parameters, how far
it got, how long it took and, when it failed, why.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from grants.models import User
from reports.models import ReportDefinition, ReportFile, ReportRun, RunStatus
from reports.registry import REGISTRY, Progress, ReportType
from reports.scope import ReportScope, ScopeProblem, scope_projects

logger = logging.getLogger(__name__)

FAILED_UNEXPECTEDLY = (
    "The report could not be built because of an error on our side. Try again; if it fails again, tell the "
    "system administrator (run {pk})."
)


def report_type_for(user: User, code: str) -> ReportType:
    spec = REGISTRY.get(code)
    if spec is None:
        raise ValidationError({"report_type": "Choose a report type."})
    if not spec.allowed(user):
        raise PermissionDenied(f"The {spec.title.lower()} is for program officers and managers.")
    return spec


def _check_formats(spec: ReportType, formats: Iterable[str]) -> list[str]:
    chosen = [fmt for fmt in spec.formats if fmt in set(formats)]
    unknown = set(formats) - set(spec.formats)
    if unknown or not chosen:
        raise ValidationError({"formats": f"Choose at least one of {', '.join(spec.formats)}."})
    return chosen


def check_scope(scope: ReportScope, user: User) -> None:
    """Refuse a scope that cannot make a report for ``user`` (ValidationError keyed by the builder's field)."""
    try:
        scope_projects(scope, user)
    except ScopeProblem as problem:
        raise ValidationError({problem.field or "__all__": problem.message}) from None


@transaction.atomic
def run_request(
    *,
    user: User,
    report_type: str,
    scope: ReportScope,
    formats: Iterable[str],
    definition: ReportDefinition | None = None,
    background: bool = True,
) -> ReportRun:
    """Queue a run of a report for the worker (or, with ``background=False``, build it now)."""
    spec = report_type_for(user, report_type)
    chosen = _check_formats(spec, formats)
    check_scope(scope, user)
    run = ReportRun.objects.create(
        report_type=spec.code,
        definition=definition,
        scope=scope.to_json(),
        formats=chosen,
        requested_by=user,
    )
    if not background:
        return run_execute(run=run)
    from reports.tasks import build_report_run

    transaction.on_commit(lambda: build_report_run.enqueue(run.pk))
    return run


def _progress(run: ReportRun) -> Progress:
    def report(done: int, total: int, what: str) -> None:
        # Written straight away (outside any transaction) so the page polling the run sees it.
        ReportRun.objects.filter(pk=run.pk).update(
            progress_done=done, progress_total=total, progress_label=what[:200]
        )

    return report


def run_execute(*, run: ReportRun) -> ReportRun:
    """Build a queued run and store its files. A scope that no longer resolves (grants deleted since a
    definition was saved) fails the run with the reason; an unexpected error fails it with a reference."""
    spec = REGISTRY[run.report_type]
    run.status, run.started_at, run.error = RunStatus.RUNNING, timezone.now(), ""
    run.save(update_fields=["status", "started_at", "error"])
    try:
        scope = ReportScope.from_json(run.scope)
        run.project_ids = list(scope_projects(scope, run.requested_by).values_list("pk", flat=True))
        run.save(update_fields=["project_ids"])
        data = spec.build(scope, run.requested_by, _progress(run))
        files = []
        for index, fmt in enumerate(run.formats, start=1):
            _progress(run)(index, len(run.formats) + 1, f"Writing the {fmt.upper()} file")
            buffer = io.BytesIO()
            spec.renderers[fmt](data, buffer)
            files.append((fmt, buffer.getvalue()))
        with transaction.atomic():
            for fmt, content in files:
                record = ReportFile(
                    run=run, format=fmt, size=len(content), sha256=hashlib.sha256(content).hexdigest()
                )
                record.file.save(f"{spec.code}.{fmt}", ContentFile(content), save=False)
                record.save()
            run.status = RunStatus.DONE
            run.finished_at = timezone.now()
            run.progress_done = run.progress_total = len(run.formats) + 1
            run.progress_label = "Built"
            run.save(
                update_fields=["status", "finished_at", "progress_done", "progress_total", "progress_label"]
            )
    except ScopeProblem as problem:
        _fail(run, problem.message)
    except Exception:
        logger.exception("Report run %s failed", run.pk)
        _fail(run, FAILED_UNEXPECTEDLY.format(pk=run.pk))
    run.refresh_from_db()
    return run


def _fail(run: ReportRun, message: str) -> None:
    ReportRun.objects.filter(pk=run.pk).update(
        status=RunStatus.FAILED, error=message, finished_at=timezone.now()
    )


@transaction.atomic
def definition_save(
    *,
    user: User,
    name: str,
    report_type: str,
    scope: ReportScope,
    formats: Iterable[str],
    definition: ReportDefinition | None = None,
) -> ReportDefinition:
    """Save (or update) a named definition to rerun next period."""
    spec = report_type_for(user, report_type)
    chosen = _check_formats(spec, formats)
    check_scope(scope, user)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the saved report a name."})
    record = definition or ReportDefinition(owner=user)
    if record.owner_id != user.pk:
        raise PermissionDenied("Only its owner can change a saved report.")
    record.name, record.report_type, record.scope, record.formats = name, spec.code, scope.to_json(), chosen
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise ValidationError({"name": "You already have a saved report with that name."}) from None
    return record


def definition_run(*, definition: ReportDefinition, user: User, background: bool = True) -> ReportRun:
    """Run a saved definition again; its scope is resolved afresh (grants closed or deleted since are
    reported, not silently dropped)."""
    if definition.owner_id != user.pk:
        raise PermissionDenied("Only its owner can run a saved report.")
    try:
        scope = ReportScope.from_json(definition.scope)
    except (ScopeProblem, TypeError, ValueError):
        raise ValidationError("This saved report's settings cannot be read; set it up again.") from None
    return run_request(
        user=user,
        report_type=definition.report_type,
        scope=scope,
        formats=definition.formats,
        definition=definition,
        background=background,
    )
