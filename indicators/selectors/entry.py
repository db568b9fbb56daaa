"""Reads for the data-entry screens: a report laid out as indicators x cells, and each project's periods."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, QuerySet

from grants.models import CountryProject
from indicators.calculations import Value
from indicators.cells import TOTAL, make_key
from indicators.models import (
    EDITABLE_STATUSES,
    ActualValue,
    DisaggregationOption,
    Indicator,
    PeriodStatus,
    ProjectIndicator,
    ReportingPeriod,
    Submission,
    SubmissionStatus,
    SubmissionTransition,
    Target,
)
from indicators.validation import CategorySpec, CellRef, IndicatorSpec

OTHER = "Other indicators"


@dataclass
class EntryCell:
    """One cell of an indicator's table on the data-entry screen."""

    key: str
    label: str
    previous: str = ""
    target: str = ""
    # The target as first agreed, when it was revised since ("" when never revised).
    original_target: str = ""
    # The approved values of earlier periods, newest first, aligned with EntryLayout.history_periods.
    history: list[str] = field(default_factory=list)
    stored: ActualValue | None = None
    # Filled by the view: bound form fields, the anchor of the first input, and the service's messages.
    inputs: list[Any] = field(default_factory=list)
    anchor: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class EntryIndicator:
    project_indicator: ProjectIndicator
    spec: IndicatorSpec
    column_labels: list[str]
    # Each row: (row label, cells in column order).
    rows: list[tuple[str, list[EntryCell]]]
    total: EntryCell
    # Filled by the view: nothing-to-report, comment and explanation fields of the indicator (its total cell).
    extras: dict[str, Any] = field(default_factory=dict)
    needs_explanation: bool = False
    # Filled by the discussion selector (indicators.selectors.review): this indicator's comment thread.
    comments: list[Any] = field(default_factory=list)
    # The project indicator's id as text, for the page's ids and form names: the templates print it a dozen
    # times per indicator, and an int goes through number localisation at every print.
    key: str = field(init=False)

    def __post_init__(self) -> None:
        self.key = str(self.project_indicator.pk)

    @property
    def is_percentage(self) -> bool:
        return self.spec.measure_type == "percentage"

    @property
    def cell_sum(self) -> str:
        """What the stored cells add up to, to set beside the total ("" when no cell holds a number)."""
        stored = [cell.stored for _, cells in self.rows for cell in cells if cell.stored is not None]
        if self.is_percentage:
            pairs = [
                (s.numerator, s.denominator)
                for s in stored
                if s.numerator is not None and s.denominator is not None
            ]
            if not pairs:
                return ""
            return f"{_shown(sum(n for n, _ in pairs))} / {_shown(sum(d for _, d in pairs))}"
        numbers = [s.value for s in stored if s.value is not None]
        return _shown(sum(numbers)) if numbers else ""

    @property
    def total_shown(self) -> str:
        """The stored total in the same form as cell_sum, to compare the two."""
        stored = self.total.stored
        if stored is None:
            return ""
        if self.is_percentage:
            if stored.numerator is None or stored.denominator is None:
                return ""
            return f"{_shown(stored.numerator)} / {_shown(stored.denominator)}"
        return _shown(stored.value)

    @property
    def sum_differs(self) -> bool:
        """The cells of a complete disaggregation do not add up to the total (a reviewer's first check)."""
        return (
            bool(self.cell_sum and self.total_shown)
            and self.spec.all_complete
            and (self.cell_sum != self.total_shown)
        )


@dataclass
class EntryGroup:
    heading: str
    indicators: list[EntryIndicator] = field(default_factory=list)


class EarlierValue(NamedTuple):
    """The part of an earlier period's stored value that the layout shows beside a cell."""

    nothing_to_report: bool
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None


def _shown(number: Decimal | None) -> str:
    return "" if number is None else f"{number.normalize():f}"


def _previous_text(row: ActualValue | EarlierValue, percentage: bool) -> str:
    if row.nothing_to_report:
        return "nothing to report"
    if percentage:
        if row.numerator is None or row.denominator is None:
            return ""
        return f"{_shown(row.numerator)} / {_shown(row.denominator)}"
    return _shown(row.value)


def _layout(spec: IndicatorSpec) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """Columns are the first category's options; rows the other categories' options (or one row)."""
    if not spec.categories:
        return [], []
    first, rest = spec.categories[0], spec.categories[1:]
    row_selections: list[list[tuple[str, str, str]]] = [[]]
    for category in rest:
        row_selections = [
            [*sel, (category.code, code, name)] for sel in row_selections for code, name in category.options
        ]
    rows = []
    for sel in row_selections:
        label = ", ".join(name for _, _, name in sel) or "All"
        keys = [make_key({first.code: code, **{c: o for c, o, _ in sel}}) for code, _ in first.options]
        rows.append((label, keys))
    return [name for _, name in first.options], rows


def _specs(project_indicators: list[ProjectIndicator]) -> dict[int, IndicatorSpec]:
    """Each project indicator's spec, as ProjectIndicator.spec() builds it from with_library(), read as flat
    rows: prefetching builds a queryset and model instances per indicator and category, which on a report of
    a few dozen indicators costs more than the rest of the layout. Two queries: the indicators' categories,
    and their options (each in its model's display order)."""
    links = (
        Indicator.categories.through.objects.filter(
            indicator_id__in={pi.indicator_id for pi in project_indicators}
        )
        .order_by("disaggregationcategory__sort_order", "disaggregationcategory__name")
        .values_list(
            "indicator_id",
            "disaggregationcategory_id",
            "disaggregationcategory__code",
            "disaggregationcategory__name",
            "disaggregationcategory__complete",
        )
    )
    by_indicator: dict[int, list[tuple[int, str, str, bool]]] = {}
    for indicator_id, category_id, code, name, complete in links:
        by_indicator.setdefault(indicator_id, []).append((category_id, code, name, complete))
    options: dict[int, list[tuple[str, str]]] = {}
    if by_indicator:
        for category_id, code, name in (
            DisaggregationOption.objects.filter(
                category_id__in={c[0] for categories in by_indicator.values() for c in categories}
            )
            .order_by("sort_order", "name")
            .values_list("category_id", "code", "name")
        ):
            options.setdefault(category_id, []).append((code, name))
    categories = {
        indicator_id: tuple(
            CategorySpec(code=code, name=name, complete=complete, options=tuple(options.get(pk, ())))
            for pk, code, name, complete in rows
        )
        for indicator_id, rows in by_indicator.items()
    }
    return {
        pi.pk: IndicatorSpec(
            id=pi.pk,
            code=pi.indicator.code,
            name=pi.indicator.name,
            measure_type=pi.indicator.measure_type,
            aggregation=pi.indicator.aggregation,
            categories=categories.get(pi.indicator_id, ()),
        )
        for pi in project_indicators
    }


@dataclass(frozen=True)
class EntryLayout:
    groups: list[EntryGroup]
    # The earlier periods with an approved report, newest first (at most ``history`` of them).
    history_periods: list[ReportingPeriod]
    # Every value stored in the report (for the entry form's initial data, without reading them again).
    stored_values: list[ActualValue] = field(default_factory=list)
    # The values of the latest earlier approved report (the first of history_periods), by cell.
    previous_rows: dict[CellRef, EarlierValue] = field(default_factory=dict)

    @property
    def specs(self) -> list[IndicatorSpec]:
        """Every project indicator's spec, in the layout's order."""
        return [entry.spec for group in self.groups for entry in group.indicators]

    @property
    def previous_values(self) -> dict[CellRef, Value]:
        """The previous period's figures as validation compares them (services.submission_validate's
        ``previous``), so validating the layout's report does not read them again."""
        return {
            ref: Value(
                value=row.value,
                numerator=row.numerator,
                denominator=row.denominator,
                nothing_to_report=row.nothing_to_report,
            )
            for ref, row in self.previous_rows.items()
        }


def submission_entry(submission: Submission) -> list[EntryGroup]:
    """The data-entry layout of a report, grouped by results framework node (see entry_layout)."""
    return entry_layout(submission).groups


def entry_layout(submission: Submission, *, history: int = 1) -> EntryLayout:
    """A report laid out by results framework node, indicator and cell, with each cell's target and the
    approved values of up to ``history`` earlier periods.

    Queries (constant in the number of indicators and cells): project indicators with the library (indicator
    and node, categories, options: 3, see _specs), stored values (1), targets for the period (1), the earlier
    approved reports (1) and their values (1).
    """
    project_indicators = list(
        ProjectIndicator.objects.select_related("indicator", "result_node")
        .filter(country_project_id=submission.country_project_id)
        .order_by("result_node__sort_order", "result_node__code", "sort_order", "indicator__code")
    )
    specs = _specs(project_indicators)
    # The rows below are looked up by (project indicator, cell), so they are read unordered: the models'
    # default orderings follow foreign keys to other models' orderings, joining and sorting for nothing.
    stored = {(row.project_indicator_id, row.cell_key): row for row in submission.values.all().order_by()}
    targets = {
        (t.project_indicator_id, t.cell_key): t
        for t in Target.objects.filter(
            project_indicator__country_project_id=submission.country_project_id, period=submission.period_id
        ).order_by()
    }
    before = list(
        Submission.objects.approved()
        .filter(
            country_project_id=submission.country_project_id,
            period__start_date__lt=submission.period.start_date,
        )
        .select_related("period")
        .order_by("-period__start_date")[:history]
    )
    # Only what _previous_text shows, as plain rows: the review screen reads three periods of every cell.
    earlier: dict[int, dict[tuple[int, str], EarlierValue]] = {s.pk: {} for s in before}
    for row in (
        ActualValue.objects.filter(submission__in=[s.pk for s in before])
        .order_by()
        .values_list(
            "submission_id",
            "project_indicator_id",
            "cell_key",
            "nothing_to_report",
            "value",
            "numerator",
            "denominator",
        )
    ):
        earlier[row[0]][(row[1], row[2])] = EarlierValue(*row[3:])
    ordered = [earlier[s.pk] for s in before]
    groups: dict[int | None, EntryGroup] = {}
    for pi in project_indicators:
        spec = specs[pi.pk]
        percentage = spec.measure_type == "percentage"

        def cell(
            key: str, pi: ProjectIndicator = pi, spec: IndicatorSpec = spec, pct: bool = percentage
        ) -> EntryCell:
            ref = (pi.pk, key)
            history_texts = [_previous_text(rows[ref], pct) if ref in rows else "" for rows in ordered]
            target = targets.get(ref)
            return EntryCell(
                key=key,
                label=spec.label(key),
                previous=history_texts[0] if history_texts else "",
                target=_shown(target.value) if target else "",
                original_target=_shown(target.original_value) if target and target.is_revised else "",
                history=history_texts,
                stored=stored.get(ref),
            )

        columns, layout = _layout(spec)
        node = pi.result_node
        group = groups.get(pi.result_node_id)
        if group is None:
            heading = f"{node.get_level_display()} {node.code}: {node.statement}" if node else OTHER
            group = groups[pi.result_node_id] = EntryGroup(heading=heading)
        group.indicators.append(
            EntryIndicator(
                project_indicator=pi,
                spec=spec,
                column_labels=columns,
                rows=[(label, [cell(key) for key in keys]) for label, keys in layout],
                total=cell(TOTAL),
            )
        )
    # Indicators outside the results framework come after it.
    ordered_groups = sorted(groups.values(), key=lambda group: group.heading == OTHER)
    return EntryLayout(
        groups=ordered_groups,
        history_periods=[s.period for s in before],
        stored_values=list(stored.values()),
        previous_rows=ordered[0] if ordered else {},
    )


def submission_timeline(submission: Submission) -> list[SubmissionTransition]:
    return list(submission.transitions.select_related("actor").order_by("at", "pk"))


@dataclass(frozen=True)
class PeriodRow:
    period: ReportingPeriod
    submission: Submission | None
    can_start: bool  # open, begun, within the project's dates, and no report yet
    # Past its due date with no report handed in (none yet, a draft, or returned to the grantee).
    overdue: bool = False


@dataclass(frozen=True)
class ProjectReporting:
    project: CountryProject
    periods: list[PeriodRow]
    # The reporting overview's next period not yet begun (it lists only begun ones), to say what comes next.
    next_period: ReportingPeriod | None = None


# The report states the overview filters on: a submission status, or none yet for an open period.
NOT_STARTED = "not_started"
REPORT_STATES: list[tuple[str, str]] = [
    (NOT_STARTED, "Not started"),
    (SubmissionStatus.DRAFT, "Draft"),
    (SubmissionStatus.SUBMITTED, "Submitted"),
    (SubmissionStatus.RETURNED, "Returned"),
    (SubmissionStatus.APPROVED, "Approved"),
]


def _open_periods_of_project(today: datetime.date) -> QuerySet[ReportingPeriod]:
    """The open periods, begun by ``today``, of the outer country project's grant within the project's dates
    (as in _period_rows)."""
    return ReportingPeriod.objects.filter(
        grant_id=OuterRef("grant_id"),
        status=PeriodStatus.OPEN,
        end_date__gte=OuterRef("start_date"),
        start_date__lte=OuterRef("end_date"),
    ).filter(start_date__lte=today)


def projects_reporting_now(
    projects: QuerySet[CountryProject], *, today: datetime.date, state: str = ""
) -> QuerySet[CountryProject]:
    """The projects with an open period begun in their dates, or (with ``state``) with such a period whose
    report is in that state ("not_started": no report yet). An EXISTS per project, so the database can count
    and page. A period not yet begun has nothing to report: a grant's periods are made for its whole life, and
    listing years of them ahead would bury the ones that need work."""
    periods = _open_periods_of_project(today)
    if state:
        report = Submission.objects.filter(country_project_id=OuterRef(OuterRef("pk")), period=OuterRef("pk"))
        periods = periods.filter(
            ~Exists(report) if state == NOT_STARTED else Exists(report.filter(status=state))
        )
    return projects.filter(Exists(periods))


def _period_rows(
    project_list: list[CountryProject],
    periods: QuerySet[ReportingPeriod],
    submissions: QuerySet[Submission],
    *,
    today: datetime.date,
    state: str = "",
    begun_only: bool = False,
) -> dict[int, list[PeriodRow]]:
    """Each project's rows: the periods of its grant within its dates, with its report for each (and, with
    ``state``, only the rows whose report is in that state; with ``begun_only``, only periods begun by
    ``today``)."""
    by_grant: dict[int, list[ReportingPeriod]] = {}
    for period in periods:
        by_grant.setdefault(period.grant_id, []).append(period)
    reports = {(s.country_project_id, s.period_id): s for s in submissions}
    rows: dict[int, list[PeriodRow]] = {}
    for project in project_list:
        project_rows = rows[project.pk] = []
        for period in by_grant.get(project.grant_id, []):
            if period.end_date < project.start_date or period.start_date > project.end_date:
                continue  # the project does not run in this period, so it has nothing to report for it
            if begun_only and period.start_date > today:
                continue
            submission = reports.get((project.pk, period.pk))
            if state and (submission.status if submission else NOT_STARTED) != state:
                continue
            can_start = submission is None and period.is_open and period.has_started(today)
            overdue = period.due_date < today and (
                submission is None or submission.status in EDITABLE_STATUSES
            )
            project_rows.append(
                PeriodRow(period=period, submission=submission, can_start=can_start, overdue=overdue)
            )
    return rows


def project_reporting(
    projects: QuerySet[CountryProject], *, today: datetime.date, open_only: bool = False
) -> list[ProjectReporting]:
    """Each project's reporting periods with its report for each, if any.

    Three queries whatever the number of projects: the projects (with grant and grantee), the periods of their
    grants, and their submissions.
    """
    project_list = list(projects.select_related("grant__grantee").order_by("grant__award_number", "country"))
    periods = ReportingPeriod.objects.filter(grant_id__in={p.grant_id for p in project_list}).order_by(
        "start_date"
    )
    if open_only:
        periods = periods.filter(status="open")
    submissions = Submission.objects.filter(country_project__in=[p.pk for p in project_list])
    rows = _period_rows(project_list, periods, submissions, today=today)
    return [
        ProjectReporting(project=project, periods=rows[project.pk])
        for project in project_list
        if rows[project.pk] or not open_only
    ]


@dataclass(frozen=True)
class ReportingPage:
    """One page of the reporting overview: Django's page (number, paginator.count, neighbours) and its
    projects' open periods."""

    page: Page
    projects: list[ProjectReporting]


def project_reporting_page(
    projects: QuerySet[CountryProject],
    *,
    today: datetime.date,
    page: int | str | None = 1,
    per_page: int = 25,
    state: str = "",
) -> ReportingPage:
    """The projects reporting now (see projects_reporting_now), a page at a time, each with its open periods
    in its dates and their reports (only those in ``state`` when given).

    The database counts and pages the projects, so the work is one page's whatever the portfolio's size.
    ``projects`` may already be narrowed by ReportingOverviewFilter's state (the same EXISTS: harmless twice).
    Four queries: the count, the page's projects (with grant, grantee and program officer), the open periods
    of their grants, and the page's reports for those periods.
    """
    ordered = (
        projects_reporting_now(projects, today=today, state=state)
        .select_related("grant__grantee", "grant__program_officer")
        .order_by("grant__award_number", "country", "pk")
    )
    current = Paginator(ordered, per_page).get_page(page)
    project_list = list(current.object_list)
    # Every open period, the ones not yet begun included: the first of those is each project's "next period".
    periods = list(
        ReportingPeriod.objects.filter(
            grant_id__in={p.grant_id for p in project_list}, status=PeriodStatus.OPEN
        ).order_by("start_date")
    )
    # The overview shows a report's state and links to it, nothing more: the narratives stay in the database,
    # and no ordering (the rows are looked up by project and period), which would join the projects and grants.
    submissions = (
        Submission.objects.filter(
            country_project__in=[p.pk for p in project_list],
            period__status=PeriodStatus.OPEN,
            period__start_date__lte=today,
        )
        .only("pk", "status", "country_project_id", "period_id")
        .order_by()
    )
    rows = _period_rows(project_list, periods, submissions, today=today, state=state, begun_only=True)
    return ReportingPage(
        page=current,
        projects=[
            ProjectReporting(project=p, periods=rows[p.pk], next_period=_next_period(p, periods, today))
            for p in project_list
        ],
    )


def _next_period(
    project: CountryProject, periods: list[ReportingPeriod], today: datetime.date
) -> ReportingPeriod | None:
    """The first of ``periods`` (sorted by start) of the project's grant, within its dates, not begun by today."""
    for period in periods:
        if (
            period.grant_id == project.grant_id
            and period.start_date > today
            and period.start_date <= project.end_date
            and period.end_date >= project.start_date
        ):
            return period
    return None
