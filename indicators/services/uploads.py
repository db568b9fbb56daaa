"""Indicator data from spreadsheets: receive a file, check it into a preview, apply it in one transaction.

The flow, for the web screens, the ``upload_indicator_data`` command and the task worker alike:

1. ``upload_receive``: preflight the bytes (nothing is stored for a file that is not a safe .xlsx), store the
   original with its checksum, and check it, in the request for a small file or by the worker for a large one.
2. ``upload_check``: read the workbook, resolve its template to the reports the uploader may fill (anything
   else is refused with one message that names nothing), validate every report the file would change with
   the data-entry screen's rules, and keep the preview on the upload: changes against the current values,
   errors and warnings with sheet, row and column.
3. ``upload_apply``: the uploader confirms; the file is read and checked again under row locks, and its
   figures written to the reports' drafts in one transaction, or nothing is. A report saved on the web since
   the preview is not overwritten: the preview is refreshed and the user confirms again.

Writes are bulk: the queries do not grow with the number of rows (on SQLite the inserts are cut into batches
of a few thousand rows by its bound-parameter limit).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from grants.access import country_projects_visible_to
from grants.models import CountryProject, User
from indicators.access import can_upload_for_project, reporting_periods_visible_to
from indicators.calculations import Value
from indicators.cells import TOTAL
from indicators.models import (
    CELL_FIELDS,
    CELL_KEY_FIELDS,
    ActualValue,
    CrossIndicatorRule,
    DataUpload,
    Indicator,
    ProjectIndicator,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
    SubmissionTransition,
    UploadedReport,
    UploadStatus,
)
from indicators.selectors.uploads import latest_approved_values, project_label
from indicators.services.common import change_threshold
from indicators.services.periods import entry_lock_reason
from indicators.services.submissions import TEXT_MAX
from indicators.validation import (
    CellInput,
    CellRef,
    IndicatorSpec,
    Issue,
    RuleSpec,
    parse_number,
    validate_submission,
)
from indicators.workbook.annotate import annotate_workbook
from indicators.workbook.layout import DATA, DATA_SHEET, NARRATIVE_KEYS, REPORT, REPORT_SHEET
from indicators.workbook.preflight import FileRefused, preflight
from indicators.workbook.reader import Location, ParsedWorkbook, Problem, read_workbook

NOT_YOURS = (
    "This template is not for a report you can fill in. Download the template from the report's page and "
    "upload that."
)
# How much of a preview is kept on the upload (the counts are always whole).
KEEP_CHANGES = 500
KEEP_PROBLEMS = 5_000
PART_COLUMNS = {
    part: DATA[part].letter
    for part in ("value", "numerator", "denominator", "nothing_to_report", "explanation")
}
FIELD_LABELS = {
    "expenditure": "Cumulative expenditure",
    "achievements": "Achievements",
    "challenges": "Challenges",
    "next_steps": "Next steps",
}


# Why an upload in each status cannot be applied, as the end of a sentence.
_STATE_WORDS = {
    UploadStatus.QUEUED: "it is still waiting to be checked",
    UploadStatus.CHECKING: "it is still being checked",
    UploadStatus.INVALID: "it has errors to fix first",
    UploadStatus.APPLYING: "it is being applied already",
    UploadStatus.APPLIED: "it was applied already",
    UploadStatus.FAILED: "it failed; upload the file again",
    UploadStatus.READY: "it is ready",
}


class UploadStale(Exception):
    """A report changed between the preview and the confirmation."""


@dataclass(frozen=True, slots=True)
class Change:
    """One cell (or narrative field) the file changes. What it says is worked out only for the changes a
    preview keeps (see _preview): a 50,000-row file may change every row."""

    location: Location
    project_id: int
    spec: IndicatorSpec | None  # None: a field of the Report sheet
    key: str  # the cell key, or the Report sheet's field
    before: ActualValue | str | None
    after: CellInput | str

    def describe(self) -> tuple[str, str, str]:
        """(what, before, after): ("E1 · Female, 5-11", "12", "14") or ("Achievements", "empty", "...")."""
        if self.spec is None:
            return FIELD_LABELS[self.key], _shown(str(self.before or ""))[:80], _shown(str(self.after))[:80]
        percentage = self.spec.measure_type == "percentage"
        before = self.before if isinstance(self.before, ActualValue) else None
        after = self.after if isinstance(self.after, CellInput) else None
        return (
            f"{self.spec.code} · {self.spec.label(self.key)}",
            _cell_shown(before, percentage),
            _cell_shown(after, percentage),
        )


@dataclass
class ReportPlan:
    project: CountryProject
    submission: Submission | None
    specs: dict[str, IndicatorSpec]  # by indicator code
    stored: dict[CellRef, ActualValue] = field(default_factory=dict)
    incoming: dict[CellRef, CellInput] = field(default_factory=dict)  # changed cells only
    changes: list[Change] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)  # changed expenditure / narrative texts
    rows: dict[CellRef, int] = field(default_factory=dict)  # where each cell is in the file
    report_row: int | None = None
    errors: list[Problem] = field(default_factory=list)
    # The storable figures validation parsed, by cell: what is written, so nothing is parsed twice.
    numbers: dict[CellRef, Value] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(self.incoming or self.fields)

    @property
    def version(self) -> int:
        return self.submission.version if self.submission else 0


@dataclass
class UploadPlan:
    period: ReportingPeriod
    reports: list[ReportPlan]
    errors: list[Problem]
    warnings: list[Problem]
    notes: list[str]

    @property
    def change_count(self) -> int:
        return sum(len(r.changes) for r in self.reports)


# --- reading the template's scope -------------------------------------------------------------------------


def _scope(
    parsed: ParsedWorkbook,
    user: User,
    expected_project: CountryProject | None,
    expected_period: ReportingPeriod | None,
) -> tuple[ReportingPeriod, list[CountryProject]]:
    meta = parsed.meta
    period = (
        reporting_periods_visible_to(user)
        .select_related("grant")
        .filter(pk=meta.period_id, grant_id=meta.grant_id)
        .first()
    )
    projects = list(
        country_projects_visible_to(user)
        .filter(pk__in=meta.project_ids, grant_id=meta.grant_id)
        .select_related("grant")
        .order_by("country", "pk")
    )
    if (
        period is None
        or len(projects) != len(set(meta.project_ids))
        or not all(can_upload_for_project(user, p) for p in projects)
    ):
        # The same words whether the reports exist elsewhere or not at all: nothing about them is revealed.
        raise FileRefused(NOT_YOURS)
    if expected_project is not None and (
        [p.pk for p in projects] != [expected_project.pk]
        or (expected_period is not None and period.pk != expected_period.pk)
    ):
        names = "; ".join(project_label(p) for p in projects)
        raise FileRefused(
            f"This template is for {names}, {period.label}; this page is for {project_label(expected_project)}, "
            f"{expected_period.label if expected_period else period.label}. Upload the file on its own report's "
            "page (or from the reporting overview), or download this report's template."
        )
    return period, projects


# --- comparing the file with the stored figures -------------------------------------------------------------


def _figure_text(raw: object) -> str:
    """A figure as the draft stores it (ActualValue.*_text), as the data-entry screen would."""
    if raw is None:
        return ""
    if isinstance(raw, float):
        return (str(int(raw)) if raw.is_integer() else repr(raw))[:TEXT_MAX]
    return str(raw).strip()[:TEXT_MAX]


def _same_figure(raw: object, stored: str) -> bool:
    number, _ = parse_number(raw)
    if number is not None and stored:
        before, _ = parse_number(stored)
        if before is not None:
            return number == before
    return _figure_text(raw) == stored


def _shown(text: str, nothing: bool = False) -> str:
    return "nothing to report" if nothing else (text or "empty")


def _cell_shown(entry: CellInput | ActualValue | None, percentage: bool) -> str:
    if entry is None:
        return "empty"
    if isinstance(entry, ActualValue):
        figures = (entry.numerator_text, entry.denominator_text) if percentage else (entry.value_text,)
        nothing = entry.nothing_to_report
    else:
        figures = (
            (_figure_text(entry.numerator), _figure_text(entry.denominator))
            if percentage
            else (_figure_text(entry.value),)
        )
        nothing = entry.nothing_to_report
    if nothing:
        return "nothing to report"
    if not any(figures):
        return "empty"
    return " / ".join(f or "?" for f in figures)


def _differs(entry: CellInput, row: ActualValue | None) -> bool:
    if row is None:
        return not entry.is_blank
    return not (
        _same_figure(entry.value, row.value_text)
        and _same_figure(entry.numerator, row.numerator_text)
        and _same_figure(entry.denominator, row.denominator_text)
        and entry.nothing_to_report == row.nothing_to_report
        and entry.explanation.strip() == row.explanation
    )


def _stored_entry(row: ActualValue) -> CellInput:
    return CellInput(
        value=row.value_text,
        numerator=row.numerator_text,
        denominator=row.denominator_text,
        nothing_to_report=row.nothing_to_report,
        comment=row.comment,
        explanation=row.explanation,
    )


_SPEC_FIELDS = frozenset(IndicatorSpec.__dataclass_fields__)


def _library_specs(indicator_ids: set[int]) -> dict[int, IndicatorSpec]:
    """The validation spec of each library indicator (its id is the indicator's until copied): three queries."""
    specs = {}
    for indicator in Indicator.objects.filter(pk__in=indicator_ids).prefetch_related("categories__options"):
        spec = specs[indicator.pk] = ProjectIndicator(pk=indicator.pk, indicator=indicator).spec()
        spec.cell_key_set, spec.label(TOTAL)  # fills the cached properties the copies share
    return specs


def _load_reports(period: ReportingPeriod, projects: list[CountryProject], *, lock: bool) -> list[ReportPlan]:
    """Each project's report, indicators and stored figures: five queries (plus the library's three)."""
    ids = [p.pk for p in projects]
    submissions = Submission.objects.filter(country_project__in=ids, period=period).select_related(
        "updated_by"
    )
    if lock:
        submissions = submissions.select_for_update(of=("self",))
    by_project = {s.country_project_id: s for s in submissions}
    specs: dict[int, dict[str, IndicatorSpec]] = {pk: {} for pk in ids}
    # Plain rows for the projects' indicators, and one spec per library indicator copied for each use of it
    # (with its cells worked out once): a hundred projects share a dozen library indicators.
    adopted = list(
        ProjectIndicator.objects.filter(country_project__in=ids).values_list(
            "pk", "country_project_id", "indicator_id"
        )
    )
    library = _library_specs({indicator_id for _, _, indicator_id in adopted})
    for pk, project_id, indicator_id in adopted:
        shared = library[indicator_id]
        spec = replace(shared, id=pk)
        spec.__dict__.update({k: v for k, v in shared.__dict__.items() if k not in _SPEC_FIELDS})
        specs[project_id][shared.code] = spec
    plans = {
        p.pk: ReportPlan(project=p, submission=by_project.get(p.pk), specs=specs[p.pk]) for p in projects
    }
    owners = {s.pk: s.country_project_id for s in by_project.values()}
    for row in ActualValue.objects.filter(submission__in=list(owners)):
        plans[owners[row.submission_id]].stored[(row.project_indicator_id, row.cell_key)] = row
    return [plans[p.pk] for p in projects]


def _compare(parsed: ParsedWorkbook, reports: list[ReportPlan], errors: list[Problem]) -> None:
    plans = {plan.project.pk: plan for plan in reports}
    for row in parsed.data_rows:
        plan = plans[row.project_id]
        spec = plan.specs.get(row.indicator_code)
        if spec is None:
            errors.append(
                Problem(
                    Location(DATA_SHEET, row.row, DATA["indicator"].letter),
                    f"Indicator {row.indicator_code} is not (or no longer) part of this project's results "
                    "framework. Download a fresh template.",
                )
            )
            continue
        ref = (spec.id, row.cell_key)
        if row.cell_key not in spec.cell_key_set:
            errors.append(
                Problem(
                    Location(DATA_SHEET, row.row, DATA["cell"].letter),
                    f"{spec.code} has no group “{row.cell_key}”: its groups changed since the template was made. "
                    "Download a fresh template.",
                )
            )
            continue
        plan.rows[ref] = row.row
        stored = plan.stored.get(ref)
        entry = CellInput(
            value=row.value,
            numerator=row.numerator,
            denominator=row.denominator,
            nothing_to_report=row.nothing_to_report,
            comment=stored.comment if stored else "",
            explanation=row.explanation,
        )
        if not _differs(entry, stored):
            continue
        plan.incoming[ref] = entry
        plan.changes.append(
            Change(Location(DATA_SHEET, row.row), plan.project.pk, spec, row.cell_key, stored, entry)
        )
    for row in parsed.report_rows:
        plan = plans[row.project_id]
        plan.report_row = row.row
        submission = plan.submission
        before = {
            "expenditure": submission.expenditure_text if submission else "",
            **{key: getattr(submission, key) if submission else "" for key in NARRATIVE_KEYS},
        }
        after = {"expenditure": row.expenditure, **row.narrative}
        for key, value in after.items():
            same = (
                _same_figure(value, before[key])
                if key == "expenditure"
                else str(value).strip() == before[key]
            )
            if same:
                continue
            text = _figure_text(value) if key == "expenditure" else str(value).strip()
            plan.fields[key] = text
            where = Location(REPORT_SHEET, row.row, REPORT[key].letter)
            plan.changes.append(Change(where, plan.project.pk, None, key, before[key], text))


# --- validating the reports the file changes ----------------------------------------------------------------


def _locked_reason(plan: ReportPlan, period: ReportingPeriod, today: datetime.date, user: User) -> str:
    submission = plan.submission
    if submission is not None and submission.status == SubmissionStatus.APPROVED:
        return "This report is approved and locked, so the upload cannot change it. Ask the program officer to reopen it."
    if submission is not None and submission.status == SubmissionStatus.SUBMITTED:
        return "This report is submitted and locked while it is reviewed, so the upload cannot change it."
    if not period.is_open:
        return f"The period {period.label} is closed, so the upload cannot change its reports. Ask the program officer to reopen it."
    if submission is None:
        project = plan.project
        if not period.has_started(today):
            return f"The period {period.label} has not begun; report on it once it has."
        if period.end_date < project.start_date or period.start_date > project.end_date:
            return "The country project does not run during this period."
    # Past the due date plus grace: the same rule as on the web (a returned report stays correctable).
    lock = entry_lock_reason(period=period, user=user, today=today, submission=submission)
    if lock:
        return f"The upload cannot change this report. {lock}"
    return ""


def _where(plan: ReportPlan, issue: Issue) -> Location:
    if issue.project_indicator_id is None:
        return Location(
            REPORT_SHEET, plan.report_row, REPORT["expenditure"].letter if plan.report_row else ""
        )
    row = plan.rows.get((issue.project_indicator_id, issue.cell_key))
    return Location(DATA_SHEET, row, PART_COLUMNS.get(issue.part, "") if row else "")


def _issue_message(plan: ReportPlan, issue: Issue, located: Location) -> str:
    if located.row is not None or issue.project_indicator_id is None:
        return issue.message
    # A cell the file does not carry (its row was deleted): say which one.
    spec = next(s for s in plan.specs.values() if s.id == issue.project_indicator_id)
    return f"{project_label(plan.project)}, {spec.code} · {spec.label(issue.cell_key)}: {issue.message}"


def _validate(
    plans: list[ReportPlan],
    period: ReportingPeriod,
    errors: list[Problem],
    warnings: list[Problem],
    today: datetime.date,
    user: User,
) -> None:
    changed = [plan for plan in plans if plan.changed]
    if not changed:
        return
    previous = latest_approved_values([plan.project for plan in changed], period)
    rules: dict[int, list[RuleSpec]] = defaultdict(list)
    for project_id, left, operator, right in CrossIndicatorRule.objects.filter(
        country_project__in=[plan.project.pk for plan in changed]
    ).values_list("country_project_id", "left_id", "operator", "right_id"):
        rules[project_id].append(RuleSpec(left_id=left, operator=operator, right_id=right))
    threshold = change_threshold()
    for plan in changed:
        reason = _locked_reason(plan, period, today, user)
        if reason:
            for change in plan.changes:
                plan.errors.append(Problem(change.location, reason))
            continue
        entries = {ref: _stored_entry(row) for ref, row in plan.stored.items()}
        entries.update(plan.incoming)
        submission = plan.submission
        expenditure = plan.fields.get("expenditure", submission.expenditure_text if submission else "")
        result = validate_submission(
            plan.specs.values(),
            entries,
            previous=previous.get(plan.project.pk, {}),
            rules=rules[plan.project.pk],
            change_threshold=threshold,
            complete=False,
            expenditure=expenditure,
        )
        plan.numbers = result.numbers
        for issue in result.errors:
            located = _where(plan, issue)
            plan.errors.append(Problem(located, _issue_message(plan, issue, located)))
        for issue in result.warnings:
            located = _where(plan, issue)
            warnings.append(Problem(located, _issue_message(plan, issue, located)))
    for plan in plans:
        errors.extend(plan.errors)


def plan_upload(
    parsed: ParsedWorkbook,
    *,
    user: User,
    expected_project: CountryProject | None = None,
    expected_period: ReportingPeriod | None = None,
    lock: bool = False,
    today: datetime.date | None = None,
) -> UploadPlan:
    """What the file would change and what is wrong with it. Raises FileRefused when the template is not one
    ``user`` may fill (or not the one the page expects). Writes nothing."""
    period, projects = _scope(parsed, user, expected_project, expected_period)
    reports = _load_reports(period, projects, lock=lock)
    errors = list(parsed.problems)
    warnings: list[Problem] = []
    _compare(parsed, reports, errors)
    _validate(reports, period, errors, warnings, today or timezone.localdate(), user)
    notes = list(parsed.notes)
    for plan in reports:
        made_with = parsed.meta.report_versions.get(plan.project.pk)
        if (
            plan.changed
            and made_with is not None
            and made_with != plan.version
            and plan.submission is not None
        ):
            notes.append(
                f"The report for {project_label(plan.project)} was saved on the web after this template was "
                f"made (by {plan.submission.updated_by}). The figures below replace what is there now: check "
                "the changes before you apply them."
            )
    return UploadPlan(period=period, reports=reports, errors=errors, warnings=warnings, notes=notes)


# --- the upload record: receive, check, apply -----------------------------------------------------------------


def _problem_json(problem: Problem) -> dict[str, Any]:
    loc = problem.location
    return {"sheet": loc.sheet, "row": loc.row, "column": loc.column, "message": problem.message}


def _sort_key(problem: Problem) -> tuple:
    loc = problem.location
    return (loc.sheet != DATA_SHEET, loc.sheet, loc.row or 0, loc.column)


def _preview(plan: UploadPlan) -> dict[str, Any]:
    errors = sorted(plan.errors, key=_sort_key)
    changes = [change for report in plan.reports for change in report.changes]
    return {
        "period": {"id": plan.period.pk, "label": plan.period.label},
        "reports": [
            {
                "project": report.project.pk,
                "name": project_label(report.project),
                "submission": report.submission.pk if report.submission else None,
                "status": report.submission.get_status_display() if report.submission else "Not started",
                "version": report.version,
                "changes": len(report.changes),
                "errors": len(report.errors),
            }
            for report in plan.reports
        ],
        "changes": [
            dict(
                zip(("what", "before", "after"), c.describe(), strict=True),
                sheet=c.location.sheet,
                row=c.location.row,
                column=c.location.column,
                project=c.project_id,
            )
            for c in changes[:KEEP_CHANGES]
        ],
        "errors": [_problem_json(p) for p in errors[:KEEP_PROBLEMS]],
        "warnings": [_problem_json(p) for p in sorted(plan.warnings, key=_sort_key)[:KEEP_CHANGES]],
        "notes": plan.notes,
    }


def _refused(upload: DataUpload, message: str) -> DataUpload:
    upload.status = UploadStatus.INVALID
    upload.message = message
    upload.result = {"errors": [{"sheet": "", "row": None, "column": "", "message": message}]}
    upload.error_count, upload.warning_count, upload.change_count = 1, 0, 0
    upload.period = None
    upload.checked_at = timezone.now()
    upload.save()
    return upload


def _summary(plan: UploadPlan) -> str:
    changes, errors = plan.change_count, len(plan.errors)
    reports = sum(1 for report in plan.reports if report.changed)
    if errors:
        return f"{errors:,} problem{'s' if errors != 1 else ''} to fix before anything can be applied."
    if not changes:
        return "Nothing to change: the file holds the figures the reports already have."
    return f"{changes:,} change{'s' if changes != 1 else ''} to {reports} report{'s' if reports != 1 else ''}, ready to apply."


def _file_bytes(upload: DataUpload) -> bytes:
    with upload.file.open("rb") as stream:
        return stream.read()


def _progress_writer(upload: DataUpload) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        # Outside any transaction in the worker, so the page polling for progress sees it at once.
        DataUpload.objects.filter(pk=upload.pk).update(rows_done=done, rows_total=total)

    return report


def _record_preview(upload: DataUpload, parsed: ParsedWorkbook, plan: UploadPlan) -> None:
    upload.period = plan.period
    upload.result = _preview(plan)
    upload.rows_total = upload.rows_done = parsed.meta.rows
    upload.error_count = len(plan.errors)
    upload.warning_count = len(plan.warnings)
    upload.change_count = plan.change_count
    upload.status = UploadStatus.INVALID if plan.errors else UploadStatus.READY
    upload.message = _summary(plan)
    upload.checked_at = timezone.now()
    earlier = _same_file_before(upload)
    if earlier is not None:
        upload.result["same_file"] = {
            "id": earlier.pk,
            "at": earlier.uploaded_at.isoformat(),
            "status": earlier.get_status_display(),
        }


def _mark_applied(upload: DataUpload, plan: UploadPlan, actor: User) -> None:
    reports = _write(plan, upload, actor)
    upload.status = UploadStatus.APPLIED
    upload.applied_at = timezone.now()
    upload.applied_by = actor
    count = sum(r.changed_cells for r in reports)
    upload.message = (
        f"Applied: {count:,} change{'s' if count != 1 else ''} to {len(reports)} "
        f"report{'s' if len(reports) != 1 else ''}."
    )


def upload_check(
    *, upload: DataUpload, progress: bool = False, apply: bool = False, today: datetime.date | None = None
) -> DataUpload:
    """Read and check a stored upload and keep its preview on it.

    With ``apply=True`` (the ``upload_indicator_data --commit`` command) a file without errors is also applied
    in the same pass: checked under row locks and written in one transaction with its preview. Otherwise
    nothing is written but the upload itself.
    """
    upload.status = UploadStatus.CHECKING
    upload.save(update_fields=["status"])
    data = _file_bytes(upload)
    try:
        parsed = read_workbook(data, progress=_progress_writer(upload) if progress else None)
        with transaction.atomic():
            plan = plan_upload(
                parsed,
                user=upload.uploaded_by,
                expected_project=upload.expected_project,
                expected_period=upload.expected_period,
                lock=apply,
                today=today,
            )
            _record_preview(upload, parsed, plan)
            if apply and not plan.errors and plan.change_count:
                _mark_applied(upload, plan, upload.uploaded_by)
            upload.save()
    except FileRefused as refused:
        return _refused(upload, refused.message)
    return upload


def _same_file_before(upload: DataUpload) -> DataUpload | None:
    return (
        DataUpload.objects.filter(
            sha256=upload.sha256, period=upload.period, uploaded_at__lt=upload.uploaded_at
        )
        .exclude(pk=upload.pk)
        .order_by("-uploaded_at")
        .first()
    )


def runs_in_background(size: int) -> bool:
    """Large files are checked and applied by the task worker, with a progress bar; small ones in the request."""
    return size > settings.UPLOAD_BACKGROUND_BYTES


def upload_receive(
    *,
    actor: User,
    name: str,
    data: bytes,
    expected_project: CountryProject | None = None,
    expected_period: ReportingPeriod | None = None,
    background: bool | None = None,
    apply: bool = False,
) -> DataUpload:
    """Store an uploaded workbook and check it (see the module docstring): in the request, or by the worker
    when ``background`` (by default: when the file is large). ``apply=True`` applies a file without errors in
    the same pass (the command's ``--commit``; in the request only). A file that fails the preflight raises
    ValidationError({"file": ...}) and leaves nothing behind."""
    try:
        preflight(data, max_bytes=settings.UPLOAD_MAX_BYTES)
    except FileRefused as refused:
        raise ValidationError({"file": refused.message}, code="refused") from None
    upload = DataUpload(
        original_name=name[-255:],
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
        expected_project=expected_project,
        expected_period=expected_period,
        status=UploadStatus.QUEUED,
    )
    upload.file.save(name, ContentFile(data), save=False)
    try:
        upload.save()
    except Exception:
        upload.file.delete(save=False)
        raise
    if not apply and (runs_in_background(len(data)) if background is None else background):
        from indicators.tasks import check_upload

        transaction.on_commit(lambda: check_upload.enqueue(upload.pk))
        return upload
    return upload_check(upload=upload, apply=apply)


def _write(plan: UploadPlan, upload: DataUpload, actor: User) -> list[UploadedReport]:
    now = timezone.now()
    changed = [report for report in plan.reports if report.changed]
    new = [
        Submission(country_project=r.project, period=plan.period, created_by=actor, updated_by=actor)
        for r in changed
        if r.submission is None
    ]
    if new:
        created = bulk_create_with_history(new, Submission, default_user=actor)
        by_project = {s.country_project_id: s for s in created}
        if any(s.pk is None for s in created):  # databases that do not return keys from bulk inserts
            by_project = {
                s.country_project_id: s
                for s in Submission.objects.filter(period=plan.period, country_project__in=list(by_project))
            }
        SubmissionTransition.objects.bulk_create(
            SubmissionTransition(
                submission=s,
                from_status="",
                to_status=SubmissionStatus.DRAFT,
                actor=actor,
                comment=f"Started by the upload of {upload.original_name}",
            )
            for s in by_project.values()
        )
        for report in changed:
            if report.submission is None:
                report.submission = by_project[report.project.pk]
                report.submission.version = 0  # bumped to 1 below, as a fresh draft's first save
                report.created = True  # type: ignore[attr-defined]
    rows: list[tuple] = []
    cleared: list[int] = []
    for report in changed:
        submission_id = report.submission.pk
        for ref, entry in report.incoming.items():
            if entry.is_blank:
                stored = report.stored.get(ref)
                if stored is not None:
                    cleared.append(stored.pk)
                continue
            # The figures validation parsed (a plan without errors has only numbers that fit the columns).
            numbers = report.numbers[ref]
            rows.append(
                (
                    submission_id,
                    ref[0],
                    ref[1],
                    numbers.value,
                    numbers.numerator,
                    numbers.denominator,
                    _figure_text(entry.value),
                    _figure_text(entry.numerator),
                    _figure_text(entry.denominator),
                    entry.nothing_to_report,
                    entry.comment,
                    entry.explanation.strip(),
                )
            )
    _delete_values(cleared)
    _upsert_values(rows)
    submissions = []
    for report in changed:
        submission = report.submission
        for key, text in report.fields.items():
            if key == "expenditure":
                submission.expenditure_text = text
            else:
                setattr(submission, key, text)
        # The plan passed validation, so the amount parses and fits.
        submission.cumulative_expenditure = parse_number(submission.expenditure_text)[0]
        submission.version += 1
        submission.updated_by = actor
        submission.updated_at = now
        submissions.append(submission)
    _update_reports(submissions)
    # Their history rows, as save() would have written them (bulk_history_create is simple_history's own).
    Submission.history.bulk_history_create(
        submissions,
        update=True,
        default_user=actor,
        default_change_reason=f"Upload of {upload.original_name}",
    )
    return UploadedReport.objects.bulk_create(
        UploadedReport(
            upload=upload,
            submission=report.submission,
            changed_cells=len(report.changes),
            created_submission=getattr(report, "created", False),
        )
        for report in changed
    )


# The columns an upload writes; the upsert updates all but the key. The comment is written too (kept from the
# stored cell, see _compare), so a re-inserted cell never loses it.
_UPSERT_FIELDS = (*CELL_KEY_FIELDS, *CELL_FIELDS)
_KEY_FIELDS = CELL_KEY_FIELDS


def _upsert_values(rows: list[tuple]) -> None:
    """Insert or update the changed cells (tuples in _UPSERT_FIELDS order) in one statement.

    ``bulk_create(update_conflicts=True)`` builds a model instance per row and, on SQLite, cuts the insert into
    statements of 76 rows (Django's default limit of 999 bound parameters), so its statement count grows with
    the upload. Here PostgreSQL gets the rows by COPY into a scratch table and one ``INSERT ... SELECT``, and
    SQLite one prepared statement run for every row (``executemany``, logged as one query); both update on
    conflict with the same ``ON CONFLICT DO UPDATE``.
    """
    if not rows:
        return
    qn = connection.ops.quote_name
    meta = ActualValue._meta
    fields = [meta.get_field(name) for name in _UPSERT_FIELDS]
    columns = ", ".join(qn(field.column) for field in fields)
    keys = ", ".join(qn(field.column) for field in fields[: len(_KEY_FIELDS)])
    updates = ", ".join(f"{qn(f.column)} = excluded.{qn(f.column)}" for f in fields[len(_KEY_FIELDS) :])
    conflict = f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY into a scratch table shaped like the columns, then one INSERT ... SELECT: psycopg streams
            # COPY rows without quoting them into the statement's text, as a bound array would need.
            table = qn(meta.db_table)
            cursor.execute(
                f"CREATE TEMPORARY TABLE upload_values ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY upload_values ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM upload_values {conflict}")
            cursor.execute("DROP TABLE upload_values")
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks}) {conflict}", rows
            )


_REPORT_FIELDS = (
    "expenditure_text",
    "cumulative_expenditure",
    *NARRATIVE_KEYS,
    "version",
    "updated_by",
    "updated_at",
)


def _update_reports(submissions: list[Submission]) -> None:
    """Save the reports' new fields with one prepared UPDATE run for each (``executemany``). Django's
    bulk_update writes one CASE expression per field over every row, which takes a third of a second for a
    hundred reports; the reports were locked (select_for_update) when the plan was made."""
    if not submissions:
        return
    qn = connection.ops.quote_name
    meta = Submission._meta
    fields = [meta.get_field(name) for name in _REPORT_FIELDS]
    assignments = ", ".join(f"{qn(field.column)} = %s" for field in fields)
    sql = f"UPDATE {qn(meta.db_table)} SET {assignments} WHERE {qn(meta.pk.column)} = %s"
    params = [
        (*(field.get_db_prep_save(getattr(s, field.attname), connection) for field in fields), s.pk)
        for s in submissions
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _delete_values(pks: list[int]) -> None:
    if not pks:
        return
    meta = ActualValue._meta
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DELETE FROM {qn(meta.db_table)} WHERE {qn(meta.pk.column)} = ANY(%s)", [pks])
        else:
            cursor.executemany(
                f"DELETE FROM {qn(meta.db_table)} WHERE {qn(meta.pk.column)} = %s", [(pk,) for pk in pks]
            )


def upload_apply(*, upload: DataUpload, actor: User, today: datetime.date | None = None) -> DataUpload:
    """Apply a checked upload: everything in one transaction, or nothing.

    Raises ValidationError when the upload is not ready, when the file no longer passes (the framework or a
    period changed since the preview) or when a report was saved since the preview; in the last two cases the
    preview is refreshed first, so the page shows what applying would now do.
    """
    if upload.uploaded_by_id != actor.pk:
        raise ValidationError("Only the person who uploaded the file can apply it.", code="not_uploader")
    try:
        # Read before the transaction: row locks are held only for checking and writing.
        parsed = read_workbook(_file_bytes(upload))
        with transaction.atomic():
            locked = DataUpload.objects.select_for_update().get(pk=upload.pk)
            # APPLYING: the confirmation was queued for the worker (upload_request_apply).
            if locked.status not in (UploadStatus.READY, UploadStatus.APPLYING):
                raise ValidationError(
                    f"This upload cannot be applied: {_STATE_WORDS[locked.status]}.",
                    code="state",
                )
            plan = plan_upload(
                parsed,
                user=actor,
                expected_project=locked.expected_project,
                expected_period=locked.expected_period,
                lock=True,
                today=today,
            )
            previewed = {r["project"]: r["version"] for r in locked.result.get("reports", [])}
            if plan.errors or any(previewed.get(r.project.pk) != r.version for r in plan.reports):
                raise UploadStale
            if not plan.change_count:
                raise ValidationError(
                    "Nothing to apply: the reports already hold these figures.", code="empty"
                )
            _mark_applied(locked, plan, actor)
            locked.save()
            return locked
    except (UploadStale, IntegrityError):
        # IntegrityError: another upload started one of these reports at the same moment.
        message = (
            "The reports changed after this preview (someone saved one on the web, or the framework or a period "
            "changed). Nothing was applied; the preview below is up to date: check it and apply again."
        )
        upload = upload_check(upload=upload)
        upload.result["stale"] = message
        upload.save(update_fields=["result"])
        raise ValidationError(message, code="stale") from None
    except FileRefused as refused:
        _refused(upload, refused.message)
        raise ValidationError(refused.message, code="refused") from None


def upload_request_apply(*, upload: DataUpload, actor: User) -> DataUpload:
    """The uploader's confirmation: applied at once for a small file; queued for the worker (status
    "being applied", shown with a progress bar) for a large one. Raises ValidationError as upload_apply."""
    if upload.uploaded_by_id != actor.pk:
        raise ValidationError("Only the person who uploaded the file can apply it.", code="not_uploader")
    if not runs_in_background(upload.size):
        return upload_apply(upload=upload, actor=actor)
    with transaction.atomic():
        locked = DataUpload.objects.select_for_update().get(pk=upload.pk)
        if locked.status != UploadStatus.READY:
            raise ValidationError(
                f"This upload cannot be applied: {_STATE_WORDS[locked.status]}.", code="state"
            )
        locked.status = UploadStatus.APPLYING
        locked.save(update_fields=["status"])
        from indicators.tasks import apply_upload

        transaction.on_commit(lambda: apply_upload.enqueue(locked.pk, actor.pk))
    return locked


def upload_mark_problems(*, upload: DataUpload) -> DataUpload:
    """Keep a copy of the file with each located problem marked on its cell (see workbook.annotate), for the
    uploader to correct. Done by the worker for large files; nothing to do without located problems."""
    problems = (upload.result or {}).get("errors", [])
    if upload.status != UploadStatus.INVALID or not any(p.get("sheet") and p.get("row") for p in problems):
        return upload
    try:
        marked = annotate_workbook(_file_bytes(upload), problems)
    except FileRefused:
        return upload  # a file openpyxl cannot open whole has no copy; the page lists the problems
    stem = upload.original_name.rsplit(".", 1)[0] or "upload"
    upload.checked_file.save(f"{stem}-problems-marked.xlsx", ContentFile(marked), save=False)
    upload.save(update_fields=["checked_file"])
    return upload


def upload_fail(*, upload: DataUpload, message: str) -> DataUpload:
    """Record that the worker could not finish (an unexpected error): the upload says so, nothing applied."""
    upload.status = UploadStatus.FAILED
    upload.message = message
    upload.save(update_fields=["status", "message"])
    return upload
