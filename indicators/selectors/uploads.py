"""Reads for spreadsheet templates and uploads: the data a template is written from, and an upload's page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from grants.countries import country_name
from grants.models import CountryProject, User
from indicators.calculations import Value
from indicators.models import (
    ActualValue,
    DataUpload,
    ProjectIndicator,
    ReportingPeriod,
    Submission,
    SubmissionTransition,
    Target,
    UploadedReport,
    UploadStatus,
)
from indicators.services.common import change_threshold
from indicators.validation import parse_number
from indicators.workbook.writer import TemplateData, TemplateReport, TemplateRow


def project_label(project: CountryProject) -> str:
    return f"{country_name(project.country.code)}: {project.title}"


def _figure(text: str) -> Decimal | str | None:
    """What a draft kept, as the template should show it: the number when it is one, else the text itself."""
    if not text:
        return None
    number, error = parse_number(text)
    return text if error else number


def _previous_text(value: Value, measure: str) -> str:
    if value.nothing_to_report:
        return "nothing to report"
    if measure == "percentage":
        if value.numerator is None or value.denominator is None:
            return ""
        return f"{value.numerator.normalize():f} / {value.denominator.normalize():f}"
    return "" if value.value is None else f"{value.value.normalize():f}"


def latest_approved_values(
    projects: list[CountryProject], period: ReportingPeriod
) -> dict[int, dict[tuple[int, str], Value]]:
    """Each project's values from its latest approved report for an earlier period. Two queries."""
    latest: dict[int, int] = {}
    for project_id, submission_id in (
        Submission.objects.approved()
        .filter(country_project__in=[p.pk for p in projects], period__start_date__lt=period.start_date)
        .order_by("country_project_id", "-period__start_date")
        .values_list("country_project_id", "pk")
    ):
        latest.setdefault(project_id, submission_id)
    values: dict[int, dict[tuple[int, str], Value]] = {pk: {} for pk in latest}
    by_submission = {submission_id: project_id for project_id, submission_id in latest.items()}
    for row in ActualValue.objects.filter(submission__in=list(by_submission)).values_list(
        "submission_id",
        "project_indicator_id",
        "cell_key",
        "value",
        "numerator",
        "denominator",
        "nothing_to_report",
    ):
        submission_id, pi, key, v, n, d, ntr = row
        values[by_submission[submission_id]][(pi, key)] = Value(v, n, d, ntr)
    return values


def template_data(
    *, projects: QuerySet[CountryProject], period: ReportingPeriod, now: datetime.datetime | None = None
) -> TemplateData:
    """Everything a template for ``period`` and ``projects`` shows, read in a fixed number of queries: the
    projects, their indicators with the library (4), their reports for the period, the reports' values, the
    period's targets, the earlier approved reports and their values."""
    now = now or timezone.now()
    grant = period.grant
    project_list = list(projects.filter(grant=grant).order_by("country", "pk"))
    ids = [p.pk for p in project_list]
    indicators = (
        ProjectIndicator.objects.with_library()
        .filter(country_project__in=ids)
        .order_by(
            "country_project_id",
            "result_node__sort_order",
            "result_node__code",
            "sort_order",
            "indicator__code",
        )
    )
    by_project: dict[int, list[ProjectIndicator]] = {pk: [] for pk in ids}
    for pi in indicators:
        by_project[pi.country_project_id].append(pi)
    reports = {
        s.country_project_id: s for s in Submission.objects.filter(country_project__in=ids, period=period)
    }
    stored: dict[tuple[int, str], ActualValue] = {
        (row.project_indicator_id, row.cell_key): row
        for row in ActualValue.objects.filter(submission__in=[s.pk for s in reports.values()])
    }
    targets = {
        (t.project_indicator_id, t.cell_key): t.value
        for t in Target.objects.filter(project_indicator__country_project__in=ids, period=period)
    }
    previous = latest_approved_values(project_list, period)
    rows: list[TemplateRow] = []
    template_reports: list[TemplateReport] = []
    for project in project_list:
        report = reports.get(project.pk)
        editable = period.is_open and (report is None or report.is_editable)
        name = project_label(project)
        template_reports.append(
            TemplateReport(
                project_id=project.pk,
                project_name=name,
                status=report.get_status_display() if report else "Not started",
                version=report.version if report else 0,
                editable=editable,
                expenditure=_figure(report.expenditure_text) if report else None,
                achievements=report.achievements if report else "",
                challenges=report.challenges if report else "",
                next_steps=report.next_steps if report else "",
            )
        )
        earlier = previous.get(project.pk, {})
        for pi in by_project[project.pk]:
            spec = pi.spec()
            for key in spec.cell_keys:
                ref = (pi.pk, key)
                row = stored.get(ref)
                before = earlier.get(ref)
                rows.append(
                    TemplateRow(
                        project_id=project.pk,
                        project_name=name,
                        indicator_code=spec.code,
                        indicator_name=spec.name,
                        cell_key=key,
                        cell_label=spec.label(key),
                        measure=spec.measure_type,
                        target=targets.get(ref),
                        previous=_previous_text(before, spec.measure_type) if before else "",
                        value=_figure(row.value_text) if row else None,
                        numerator=_figure(row.numerator_text) if row else None,
                        denominator=_figure(row.denominator_text) if row else None,
                        nothing_to_report=row.nothing_to_report if row else False,
                        explanation=row.explanation if row else "",
                        editable=editable,
                    )
                )
    return TemplateData(
        grant_id=grant.pk,
        grant_label=f"{grant.award_number} {grant.title}",
        organisation=str(grant.grantee),
        period_id=period.pk,
        period_label=period.label,
        period_start=period.start_date,
        period_end=period.end_date,
        due_date=period.due_date,
        reports=tuple(template_reports),
        rows=tuple(rows),
        generated_at=now.astimezone(datetime.UTC),
        change_warning_percent=int(change_threshold() * 100),
    )


def template_filename(period: ReportingPeriod, projects: list[CountryProject]) -> str:
    grant = period.grant
    scope = projects[0].country.code if len(projects) == 1 else "all-projects"
    label = "".join(ch if ch.isalnum() else "-" for ch in period.label).strip("-")
    return f"indicator-data-{grant.award_number}-{scope}-{label}.xlsx"


def report_uploads(submission: Submission) -> list[UploadedReport]:
    """The applied uploads that changed a report, with how many of its values each changed: one query."""
    return list(
        UploadedReport.objects.filter(submission=submission, upload__status=UploadStatus.APPLIED)
        .select_related("upload__uploaded_by")
        .order_by("upload__applied_at", "upload_id")
    )


@dataclass(frozen=True)
class UploadStep:
    """An applied upload in a report's timeline, beside its status changes."""

    at: datetime.datetime
    actor: User
    upload: DataUpload
    changed: int
    is_upload: bool = True


def report_timeline(
    transitions: list[SubmissionTransition], uploaded: list[UploadedReport]
) -> list[SubmissionTransition | UploadStep]:
    steps = [
        UploadStep(
            r.upload.applied_at or r.upload.uploaded_at, r.upload.uploaded_by, r.upload, r.changed_cells
        )
        for r in uploaded
    ]
    return sorted([*transitions, *steps], key=lambda step: step.at)
