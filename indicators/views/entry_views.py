"""The grantee's side of reporting: a country project's periods, starting a report, and the data-entry form."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views import View
from django.views.decorators.http import require_POST

from grants.access import country_projects_visible_to, get_country_project_for_user
from grants.forms.milestone_forms import EvidenceForm
from grants.models import CountryProject, User
from indicators import services
from indicators.access import (
    can_comment_on_submission,
    can_edit_submission,
    can_report_for_project,
    can_review_submission,
    can_upload_for_project,
    get_reporting_period_for_user,
    get_submission_for_user,
)
from indicators.calculations import burn_rate, time_elapsed
from indicators.cells import TOTAL, field_name
from indicators.filters.reporting import ReportingOverviewFilter
from indicators.forms import SubmissionEntryForm
from indicators.models import ReportingPeriod, Submission, SubmissionStatus
from indicators.selectors import EntryGroup, ProjectReporting, project_reporting, submission_entry
from indicators.selectors.entry import EntryLayout, PeriodRow, entry_layout, project_reporting_page
from indicators.selectors.review import submission_discussion
from indicators.selectors.uploads import report_timeline, report_uploads
from indicators.services.periods import entry_lock_reason, grace_days
from indicators.validation import ValidationResult
from portfolio.links import url_pattern

# The page header names the grantee organisation.
_ENTRY = Submission.objects.select_related("country_project__grant__grantee")


@dataclass(frozen=True)
class SummaryItem:
    anchor: str
    label: str
    message: str


def _by_key(result: ValidationResult | None, form: SubmissionEntryForm) -> tuple[dict, dict]:
    """Errors and warnings keyed by form field name: the service's result, plus errors put on a bound form."""
    errors: dict[str, list[str]] = defaultdict(list)
    warnings: dict[str, list[str]] = defaultdict(list)
    if result is not None:
        for issue in result.errors:
            errors[issue.key].append(issue.message)
        for issue in result.warnings:
            warnings[issue.key].append(issue.message)
    if form.is_bound:
        for name, field_errors in form.errors.items():
            if name != "__all__":
                errors[name].extend(e for e in field_errors if e not in errors[name])
    return errors, warnings


def _attach(
    groups: list[EntryGroup], form: SubmissionEntryForm, errors: dict, warnings: dict
) -> list[SummaryItem]:
    """Put each cell's inputs and messages on the layout, and list every message for the summary on top."""
    summary: list[SummaryItem] = []
    for group in groups:
        for entry in group.indicators:
            spec = entry.spec
            parts = ("numerator", "denominator") if entry.is_percentage else ("value",)
            cells = [entry.total, *(cell for _, row in entry.rows for cell in row)]
            for cell in cells:
                names = [field_name(spec.id, cell.key, part) for part in parts]
                if cell.key == TOTAL:
                    names += [
                        field_name(spec.id, TOTAL, part) for part in ("nothing_to_report", "explanation")
                    ]
                cell.inputs = [form[name] for name in names[: len(parts)]]
                cell.anchor = form[names[0]].auto_id
                for name in names:
                    for message in errors.get(name, []):
                        cell.errors.append(message)
                        summary.append(
                            SummaryItem(form[name].auto_id, f"{spec.code} · {cell.label}", message)
                        )
                    for message in warnings.get(name, []):
                        cell.warnings.append(message)
            entry.extras = {
                part: form[field_name(spec.id, TOTAL, part)]
                for part in ("nothing_to_report", "comment", "explanation")
            }
            entry.needs_explanation = bool(
                entry.total.warnings or form[field_name(spec.id, TOTAL, "explanation")].value()
            )
    for name in ("cumulative_expenditure", "achievements", "challenges", "next_steps"):
        for message in errors.get(name, []):
            summary.append(SummaryItem(form[name].auto_id, str(form[name].label), message))
    return summary


def render_entry(
    request: HttpRequest,
    submission: Submission,
    *,
    form: SubmissionEntryForm | None = None,
    result: ValidationResult | None = None,
    comment_form: Any = None,
    comment_target: str = "",
    evidence_form: Any = None,
    status: int = 200,
    layout: EntryLayout | None = None,
) -> HttpResponse:
    """The entry page; the review views call it to show a refused comment or evidence file at its field.
    ``layout``: the report's entry layout when the caller has built it already (to validate the report)."""
    if layout is None:
        layout = entry_layout(submission)
    groups = layout.groups
    if form is None:
        form = SubmissionEntryForm(submission=submission, specs=layout.specs, values=layout.stored_values)
    errors, warnings = _by_key(result, form)
    summary = _attach(groups, form, errors, warnings)
    today = timezone.localdate()
    # Past the period's due date plus grace a grantee reads the report with the reason instead of inputs.
    lock_message = (
        entry_lock_reason(period=submission.period, user=request.user, today=today, submission=submission)
        if submission.is_editable
        else ""
    )
    editing = submission.is_editable and can_edit_submission(request.user, submission) and not lock_message
    discussion = submission_discussion(submission, groups)
    context = {
        "submission": submission,
        "project": submission.country_project,
        "groups": groups,
        "form": form,
        "summary": summary,
        "warning_count": sum(len(v) for v in warnings.values()),
        "editing": editing,
        "lock_message": lock_message,
        "entry_window": submission.period.entry_window(today, grace_days()),
        "discussion": discussion,
        # Status changes and the applied uploads that changed the report, oldest first.
        "timeline": report_timeline(discussion.timeline, report_uploads(submission)),
        "can_upload": can_upload_for_project(request.user, submission.country_project),
        "can_comment": can_comment_on_submission(request.user, submission),
        "can_review": can_review_submission(request.user, submission),
        "comment_form": comment_form,
        "comment_target": comment_target,
        "return_to": "entry",
        "evidence_form": evidence_form if evidence_form is not None else EvidenceForm(),
    }
    return render(request, "indicators/submission_entry.html", context, status=status)


class SubmissionEntryView(View):
    """GET shows the report (editable for the grantee while draft or returned); POST saves or submits it."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        submission = get_submission_for_user(request.user, pk, queryset=_ENTRY)
        layout = entry_layout(submission)
        # A stored draft shows its own issues at the cells, so a saved-with-errors draft reopens with them.
        # The layout has read the specs, the stored values and the previous report: validation reuses them.
        result = (
            services.submission_validate(
                submission=submission,
                complete=False,
                specs=layout.specs,
                stored=layout.stored_values,
                previous=layout.previous_values,
            )
            if submission.is_editable
            else None
        )
        return render_entry(request, submission, result=result, layout=layout)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        submission = get_submission_for_user(request.user, pk, write=True, queryset=_ENTRY)
        specs = [entry.spec for group in submission_entry(submission) for entry in group.indicators]
        form = SubmissionEntryForm(request.POST, submission=submission, specs=specs)
        if not form.is_valid():
            return render_entry(request, submission, form=form)
        try:
            saved = services.submission_save_draft(
                submission=submission,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                values=form.cell_inputs(),
                expenditure=form.cleaned_data["cumulative_expenditure"],
                **form.narrative(),
            )
        except ValidationError as exc:
            # Stale, locked or closed: nothing was written; keep what was typed on the page.
            form.add_error(None, exc)
            return render_entry(request, submission, form=form)
        if "submit" not in request.POST:
            count = len(saved.result.errors)
            note = (
                f" with {count} problem{'s' if count != 1 else ''} to fix before submitting" if count else ""
            )
            messages.success(request, f"Draft saved{note}.")
            return redirect("indicators:submission_entry", pk=submission.pk)
        return _submit(request, saved.submission)


def _submit(request: HttpRequest, submission: Submission) -> HttpResponse:
    try:
        services.submission_submit(
            submission=submission, actor=request.user, expected_version=submission.version
        )
    except services.SubmissionInvalid as exc:
        # The typed figures are saved as a draft; the refusal's messages go to their cells.
        messages.error(request, exc.error_dict["__all__"][0].message)
        return render_entry(request, submission, result=exc.result)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("indicators:submission_entry", pk=submission.pk)
    messages.success(request, "The report was submitted for review.")
    return redirect("indicators:submission_entry", pk=submission.pk)


@dataclass(frozen=True)
class OverviewRow:
    """One open period of a project on the reporting overview, with its texts and links worked out."""

    # Ids as text: the template prints them, and an int goes through number localisation at every print.
    period_id: str
    label: str
    due: str
    overdue: bool
    status: str  # the report's status, "" when there is none yet
    status_label: str
    open_url: str  # the report's entry page, "" when there is none yet
    start_url: str  # "Start report", "" when this user may not start it (now)


@dataclass(frozen=True)
class OverviewProject:
    pk: str
    award_number: str
    country_name: str
    title: str
    grantee: str
    officer: str
    all_periods_url: str
    rows: list[OverviewRow]
    # "FY2027 H2 (Apr - Sep 2027), from 1 Apr 2027, due 30 Oct 2027"; "" when no period is to come.
    next_period: str = ""


def _overview_projects(
    overview: list[ProjectReporting], user: User, today: datetime.date, *, show_officer: bool
) -> list[OverviewProject]:
    """The page's projects ready to render: each date formatted once, URLs formatted from one reverse each,
    and whether this user may start each report decided here (the template then only prints)."""
    entry_url = url_pattern("indicators:submission_entry")
    start_url = url_pattern("indicators:submission_start", 2)
    project_url = url_pattern("indicators:project_reporting")
    status_labels = dict(SubmissionStatus.choices)
    # Each distinct date and country once: formatting and translating them is most of a row's cost.
    dates: dict[datetime.date, str] = {}
    countries: dict[str, str] = {}
    projects = []
    for reporting in overview:
        project = reporting.project
        reportable = can_report_for_project(user, project)
        rows = []
        for row in reporting.periods:
            period, submission = row.period, row.submission
            due = dates.get(period.due_date)
            if due is None:
                due = dates[period.due_date] = date_format(period.due_date, "j M Y")
            # Periods past their entry window offer grantees no "Start" (their project page says why).
            may_start = (
                row.can_start and reportable and not entry_lock_reason(period=period, user=user, today=today)
            )
            rows.append(
                OverviewRow(
                    period_id=str(period.pk),
                    label=period.label,
                    due=due,
                    overdue=row.overdue,
                    status=submission.status if submission else "",
                    status_label=str(status_labels.get(submission.status, submission.status))
                    if submission
                    else "",
                    open_url=entry_url.format(submission.pk) if submission else "",
                    start_url=start_url.format(project.pk, period.pk) if may_start else "",
                )
            )
        country_field = project.country  # a new Country object at every read of the attribute
        country = countries.get(country_field.code)
        if country is None:
            country = countries[country_field.code] = country_field.name
        officer = project.grant.program_officer if show_officer else None
        projects.append(
            OverviewProject(
                pk=str(project.pk),
                award_number=project.grant.award_number,
                country_name=country,
                title=project.title,
                grantee=project.grant.grantee.short_name,
                officer=(officer.get_full_name() or officer.username) if officer else "",
                all_periods_url=project_url.format(project.pk),
                rows=rows,
                next_period=_next_period_text(reporting.next_period, dates),
            )
        )
    return projects


def _next_period_text(period: ReportingPeriod | None, dates: dict[datetime.date, str]) -> str:
    if period is None:
        return ""
    for day in (period.start_date, period.due_date):
        if day not in dates:
            dates[day] = date_format(day, "j M Y")
    return f"{period.label}, from {dates[period.start_date]}, due {dates[period.due_date]}"


def reporting_overview(request: HttpRequest) -> HttpResponse:
    """The visible country projects with open periods, a page at a time, with the state of each report.

    A grouped overview (projects, then periods), not a flat table, so it is a plain view with a FilterSet and
    Django's paginator rather than a SingleTableMixin list. A program officer opens on their own grants.
    """
    filterset = ReportingOverviewFilter(
        request.GET, queryset=country_projects_visible_to(request.user), request=request
    )
    # An invalid filter (a grant or officer no longer in the choices) shows nothing, as the other lists do.
    valid = filterset.is_valid()
    today = timezone.localdate()
    reporting = project_reporting_page(
        filterset.qs if valid else CountryProject.objects.none(),
        today=today,
        page=request.GET.get("page"),
        per_page=settings.PAGE_SIZE,
        state=(filterset.form.cleaned_data.get("state") or "") if valid else "",
    )
    show_officer = not request.user.is_grantee
    context = {
        "filter": filterset,
        "overview": reporting.projects,
        "projects": _overview_projects(reporting.projects, request.user, today, show_officer=show_officer),
        "page_obj": reporting.page,
        "page_range": reporting.page.paginator.get_elided_page_range(reporting.page.number, on_ends=1),
        # Says "no match" rather than "nothing open" when filters (or an officer's default) narrowed the list.
        "filtered": not valid or any(filterset.form.cleaned_data.values()),
        "show_officer": show_officer,
    }
    return render(request, "indicators/reporting_overview.html", context)


@dataclass(frozen=True)
class PeriodSpending:
    """A report's cumulative expenditure beside the project's budget and the time elapsed by the period's end."""

    amount: Decimal
    burn_rate: Decimal | None  # percent of the project's budget
    time_elapsed: Decimal  # percent of the project's dates, at the period's end
    approved: bool  # counted in the financial summary and on the home page only once approved


def _period_spending(project: CountryProject, row: PeriodRow) -> PeriodSpending | None:
    submission = row.submission
    if submission is None or submission.cumulative_expenditure is None:
        return None
    return PeriodSpending(
        amount=submission.cumulative_expenditure,
        burn_rate=burn_rate(submission.cumulative_expenditure, project.budget),
        time_elapsed=time_elapsed(project.start_date, project.end_date, row.period.end_date),
        approved=submission.status == SubmissionStatus.APPROVED,
    )


def project_reporting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One country project's reporting periods, open and closed, with the state of each report and the
    expenditure it states (the project's spending over time, against its budget and dates)."""
    project = get_country_project_for_user(request.user, pk)
    today, grace = timezone.localdate(), grace_days()
    (reporting,) = project_reporting(CountryProject.objects.filter(pk=project.pk), today=today)
    context = {
        "project": project,
        "reporting": reporting,
        # Each period's row with its entry window, whether this user may start its report (not when the
        # period is locked for them: the row shows why instead), and the expenditure its report states.
        "rows": [
            (
                row,
                row.period.entry_window(today, grace),
                row.can_start and not entry_lock_reason(period=row.period, user=request.user, today=today),
                _period_spending(project, row),
            )
            for row in reporting.periods
        ],
        "can_report": can_report_for_project(request.user, project),
        "can_upload": can_upload_for_project(request.user, project),
    }
    return render(request, "indicators/project_reporting.html", context)


@require_POST
def submission_start(request: HttpRequest, pk: int, period_pk: int) -> HttpResponse:
    """Open the period's report, starting a draft if there is none yet."""
    project = get_country_project_for_user(request.user, pk)
    if not can_report_for_project(request.user, project):
        raise PermissionDenied("Only the grantee's staff can start a report.")
    period = get_reporting_period_for_user(request.user, period_pk)
    try:
        submission = services.submission_get_or_create_draft(
            country_project=project, period=period, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("indicators:project_reporting", pk=project.pk)
    return redirect("indicators:submission_entry", pk=submission.pk)
