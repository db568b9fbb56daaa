"""Portfolio donor report builder: the only ORM code of the report type.

Queries, whatever the number of grants (rows read flat with ``values()``, folded in Python):
scope projects (plus one existence check when grants or projects were chosen by id), grants' themes, the
indicator performance table (``indicators.selectors.performance.performance_table``: six queries), the
project indicators' outcomes, milestone counts, approved reports (narratives and expenditure), and the
approved values of the "children reached" and "households reached" indicators with their library rows.
One more maps indicator codes to ids when the scope names indicators, and one finds the last period's end
when the scope has an end date.

Every figure comes from ``indicators.calculations`` (combine, to_date, burn_rate, time_elapsed) or from the
performance table, which is computed there too; nothing is recomputed here or in the renderers.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Max

from grants.countries import country_name
from grants.models import CountryProject, Grant, Milestone, User
from grants.models.project import OPEN_MILESTONE_STATUSES, MilestoneStatus
from indicators.calculations import ZERO, Aggregation, Value, burn_rate, combine, time_elapsed, to_date
from indicators.cells import TOTAL, parse_key
from indicators.models import ActualValue, Indicator, ProjectIndicator, Submission
from indicators.models.framework import NodeLevel
from indicators.models.submissions import SubmissionStatus
from indicators.selectors.deadlines import timeliness_figures
from indicators.selectors.performance import TRACK_LABELS, PerformanceLine, performance_table
from indicators.selectors.performance_lines import value_of
from reports.registry import Progress
from reports.scope import ReportScope, scope_periods, scope_projects
from reports.types.donor.data import (
    NOTHING_TO_REPORT,
    DonorReport,
    FundingLine,
    Headline,
    IndicatorLine,
    MilestoneCount,
    OutcomeBlock,
    ProjectPage,
)
from reports.types.milestones.builder import timeliness_line

TITLE = "Portfolio donor report"
# The library's indicators that count people reached (indicators/migrations/0002_reference_data.py).
CHILDREN_INDICATOR = "E1"  # children who received education or vocational services, by sex and age
HOUSEHOLDS_INDICATOR = "L1"  # households that received livelihood services (not disaggregated by sex)
SEXES = ("female", "male")
STEPS = 6


def scope_line(scope: ReportScope, award_numbers: list[str], countries: list[str]) -> str:
    parts = []
    parts.append(", ".join(award_numbers) if len(award_numbers) <= 4 else f"{len(award_numbers)} grants")
    parts.append(", ".join(countries) if len(countries) <= 5 else f"{len(countries)} countries")
    if scope.period_from or scope.period_to:
        start = f"{scope.period_from:%b %Y}" if scope.period_from else "the start"
        end = f"{scope.period_to:%b %Y}" if scope.period_to else "today"
        parts.append(f"periods from {start} to {end}")
    parts.append(f"as of {scope.today():%d %b %Y}")
    return " · ".join(part for part in parts if part)


def _in_range(scope: ReportScope, start: datetime.date) -> bool:
    return (scope.period_from is None or start >= scope.period_from) and (
        scope.period_to is None or start <= scope.period_to
    )


def _indicator_line(
    code: str, name: str, unit: str, line: PerformanceLine, percentage: bool
) -> IndicatorLine:
    return IndicatorLine(
        code=code,
        name=name,
        unit=unit,
        lop_target=line.lop_target,
        actual=line.to_date_figure,
        percent_achieved=line.percent_achieved,
        status=TRACK_LABELS[line.track],
        as_of=line.as_of_label,
        is_percentage=percentage,
    )


def _reached(
    scope: ReportScope, project_ids: list[int]
) -> tuple[dict[str, dict[str, Value]], dict[str, str]]:
    """Per indicator code (children, households), per cell group ("" total, "female", "male"), the approved
    actuals to date over the periods in scope: each project's periods by the indicator's rule, then added
    across projects (two queries)."""
    library = {
        row["code"]: row
        for row in Indicator.objects.filter(code__in=(CHILDREN_INDICATOR, HOUSEHOLDS_INDICATOR)).values(
            "code", "name", "aggregation"
        )
    }
    rows = (
        ActualValue.objects.filter(
            submission__country_project_id__in=project_ids,
            submission__status=SubmissionStatus.APPROVED,
            project_indicator__indicator__code__in=list(library),
        )
        .order_by()
        .values(
            "project_indicator_id",
            "project_indicator__indicator__code",
            "submission__period_id",
            "submission__period__start_date",
            "cell_key",
            "value",
            "numerator",
            "denominator",
            "nothing_to_report",
        )
    )
    # (code, group, project indicator) -> {(period start, period id): [cell values]}
    cells: dict[tuple[str, str, int], dict[tuple[datetime.date, int], list[Value]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row in rows:
        start = row["submission__period__start_date"]
        if not _in_range(scope, start):
            continue
        key = row["cell_key"]
        if key == TOTAL:
            group = TOTAL
        else:
            group = parse_key(key).get("sex")
            if group is None:
                continue
        code = row["project_indicator__indicator__code"]
        cells[(code, group, row["project_indicator_id"])][(start, row["submission__period_id"])].append(
            value_of(row)
        )
    per_project: dict[tuple[str, str], list[Value]] = defaultdict(list)
    for (code, group, _pi), periods in cells.items():
        rule = Aggregation(library[code]["aggregation"])
        series = [combine(values) for _, values in sorted(periods.items())]
        per_project[(code, group)].append(to_date(series, rule))
    reached: dict[str, dict[str, Value]] = defaultdict(dict)
    for (code, group), values in per_project.items():
        reached[code][group] = combine(values)
    names = {code: f"{code} {row['name']}" for code, row in library.items()}
    return reached, names


def _figure(value: Value | None) -> Decimal | None:
    return value.scalar(Aggregation.SUM) if value is not None else None


def build(scope: ReportScope, user: User | None, progress: Progress) -> DonorReport:
    today = scope.today()
    progress(0, STEPS, "Reading the projects in scope")
    projects_qs = scope_projects(scope, user)
    projects = sorted(
        projects_qs.select_related("grant__grantee"),
        key=lambda p: (country_name(p.country.code), p.grant.award_number, p.pk),
    )
    if not projects:
        return _empty(scope, today)
    project_ids = [p.pk for p in projects]
    grants: dict[int, Grant] = {p.grant_id: p.grant for p in projects}
    themes: dict[int, list[str]] = defaultdict(list)
    for grant_id, theme in (
        Grant.themes.through.objects.filter(grant_id__in=list(grants))
        .order_by("theme__name")
        .values_list("grant_id", "theme__name")
    ):
        themes[grant_id].append(theme)

    progress(1, STEPS, "Computing indicator performance")
    indicator_ids = None
    if scope.indicator_codes:
        indicator_ids = list(
            Indicator.objects.filter(code__in=scope.indicator_codes).values_list("pk", flat=True)
        ) or [0]
    # The scope bounds periods by their start; the performance table counts periods ending by its date.
    period_to = None
    if scope.period_to:
        period_to = scope_periods(scope, projects_qs).aggregate(end=Max("end_date"))["end"] or scope.period_to
    table = performance_table(
        projects=projects_qs,
        indicator_ids=indicator_ids,
        period_from=scope.period_from,
        period_to=period_to,
        group_label="Portfolio",
        today=today,
    )

    progress(2, STEPS, "Grouping indicators by outcome")
    node_of: dict[tuple[int, int], tuple[str, str, int]] = {}  # (project, indicator) -> outcome
    for row in ProjectIndicator.objects.filter(country_project_id__in=project_ids).values(
        "country_project_id",
        "indicator_id",
        "result_node__level",
        "result_node__code",
        "result_node__statement",
        "result_node__sort_order",
        "result_node__parent__code",
        "result_node__parent__statement",
        "result_node__parent__sort_order",
    ):
        if row["result_node__level"] == NodeLevel.OUTPUT:
            outcome = (
                row["result_node__parent__code"] or "",
                row["result_node__parent__statement"] or "",
                row["result_node__parent__sort_order"] or 0,
            )
        elif row["result_node__level"] == NodeLevel.OUTCOME:
            outcome = (
                row["result_node__code"],
                row["result_node__statement"],
                row["result_node__sort_order"],
            )
        else:
            outcome = ("", "", 10_000)
        node_of[(row["country_project_id"], row["indicator_id"])] = outcome

    portfolio_lines = []
    blocks: dict[tuple[int, str, str], list[tuple[int, IndicatorLine]]] = defaultdict(list)
    labels: dict[int, str] = {}
    for item in table.indicators:
        portfolio_lines.append(
            _indicator_line(item.code, item.name, item.unit, item.total, item.is_percentage)
        )
        for line in item.projects:
            code, statement, order = node_of.get((line.project_id, item.indicator_id), ("", "", 10_000))
            labels[line.project_id] = line.label
            blocks[(line.project_id, code, statement)].append(
                (order, _indicator_line(item.code, item.name, item.unit, line, item.is_percentage))
            )
    outcomes: dict[int, list[OutcomeBlock]] = defaultdict(list)
    for (project_id, code, statement), lines in sorted(
        blocks.items(), key=lambda kv: (kv[1][0][0], kv[0][1])
    ):
        outcomes[project_id].append(
            OutcomeBlock(
                project=labels[project_id],
                code=code,
                statement=statement or "Indicators not attached to an outcome",
                indicators=tuple(line for _, line in lines),
            )
        )

    progress(3, STEPS, "Counting milestones")
    milestone_counts: dict[str, int] = defaultdict(int)
    per_project: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for project_id, status, due in Milestone.objects.filter(country_project_id__in=project_ids).values_list(
        "country_project_id", "status", "due_date"
    ):
        milestone_counts[status] += 1
        counts = per_project[project_id]
        if status == MilestoneStatus.COMPLETED:
            counts["completed"] += 1
        elif status in OPEN_MILESTONE_STATUSES:
            counts["open"] += 1
            if due < today:
                counts["overdue"] += 1
                milestone_counts["overdue"] += 1
    milestones = (
        *(
            MilestoneCount(status=label, count=milestone_counts.get(value, 0))
            for value, label in MilestoneStatus.choices
        ),
        MilestoneCount(status="Overdue (open and past due)", count=milestone_counts.get("overdue", 0)),
    )

    timeliness = timeliness_figures(
        user=user, today=today, projects=CountryProject.objects.filter(pk__in=project_ids)
    )

    progress(4, STEPS, "Reading approved reports")
    spent: dict[int, Decimal] = {}
    narrative: dict[int, dict] = {}
    reports = Submission.objects.filter(country_project_id__in=project_ids, status=SubmissionStatus.APPROVED)
    if scope.period_to:
        reports = reports.filter(period__start_date__lte=scope.period_to)
    for row in reports.order_by("country_project_id", "period__start_date").values(
        "country_project_id",
        "cumulative_expenditure",
        "period__label",
        "period__start_date",
        "achievements",
        "challenges",
        "next_steps",
    ):
        # Ordered by period: the latest one stands.
        if row["cumulative_expenditure"] is not None:
            spent[row["country_project_id"]] = row["cumulative_expenditure"]
        if _in_range(scope, row["period__start_date"]):
            narrative[row["country_project_id"]] = row

    progress(5, STEPS, "Adding up funding and people reached")
    reached, names = _reached(scope, project_ids)
    pages = []
    by_country: dict[str, list] = defaultdict(list)
    for project in projects:
        grant = project.grant
        country = country_name(project.country.code)
        expenditure = spent.get(project.pk)
        by_country[country].append(project)
        counts = per_project[project.pk]
        story = narrative.get(project.pk, {})
        pages.append(
            ProjectPage(
                country=country,
                award_number=grant.award_number,
                title=project.title,
                grantee=grant.grantee.name,
                start=project.start_date,
                end=project.end_date,
                budget=project.budget,
                expenditure=expenditure,
                burn_rate=burn_rate(expenditure, project.budget),
                time_elapsed=time_elapsed(project.start_date, project.end_date, today),
                milestones_completed=counts["completed"],
                milestones_open=counts["open"],
                milestones_overdue=counts["overdue"],
                period=story.get("period__label", ""),
                achievements=story.get("achievements", ""),
                challenges=story.get("challenges", ""),
                next_steps=story.get("next_steps", ""),
                outcomes=tuple(outcomes.get(project.pk, ())),
            )
        )

    country_lines = []
    for name in sorted(by_country):
        members = by_country[name]
        budget = sum((p.budget for p in members), ZERO)
        expenditure = sum((spent.get(p.pk, ZERO) for p in members), ZERO)
        country_lines.append(
            FundingLine(
                name=name,
                grants=len({p.grant_id for p in members}),
                projects=len(members),
                funding=budget,
                expenditure=expenditure,
                burn_rate=burn_rate(expenditure, budget),
                time_elapsed=time_elapsed(
                    min(p.start_date for p in members), max(p.end_date for p in members), today
                ),
            )
        )
    grant_spent: dict[int, Decimal] = defaultdict(lambda: ZERO)
    grant_projects: dict[int, int] = defaultdict(int)
    for project in projects:
        grant_spent[project.grant_id] += spent.get(project.pk, ZERO)
        grant_projects[project.grant_id] += 1
    by_theme: dict[str, list[Grant]] = defaultdict(list)
    for grant in grants.values():
        for theme in themes.get(grant.pk) or ["No theme"]:
            by_theme[theme].append(grant)
    theme_lines = []
    for name in sorted(by_theme):
        members = by_theme[name]
        obligated = sum((g.obligated_amount for g in members), ZERO)
        expenditure = sum((grant_spent[g.pk] for g in members), ZERO)
        theme_lines.append(
            FundingLine(
                name=name,
                grants=len(members),
                projects=sum(grant_projects[g.pk] for g in members),
                funding=obligated,
                expenditure=expenditure,
                burn_rate=burn_rate(expenditure, obligated),
                time_elapsed=time_elapsed(
                    min(g.start_date for g in members), max(g.end_date for g in members), today
                ),
            )
        )

    obligated = sum((g.obligated_amount for g in grants.values()), ZERO)
    expenditure = sum(grant_spent.values(), ZERO)
    children = reached.get(CHILDREN_INDICATOR, {})
    households = reached.get(HOUSEHOLDS_INDICATOR, {})
    headline = Headline(
        grants=len(grants),
        countries=len(by_country),
        projects=len(projects),
        obligated=obligated,
        budget=sum((p.budget for p in projects), ZERO),
        expenditure=expenditure,
        burn_rate=burn_rate(expenditure, obligated),
        time_elapsed=time_elapsed(
            min(g.start_date for g in grants.values()), max(g.end_date for g in grants.values()), today
        ),
        children_female=_figure(children.get("female")),
        children_male=_figure(children.get("male")),
        children_total=_figure(children.get(TOTAL)),
        households=_figure(households.get(TOTAL)),
        children_indicator=names.get(CHILDREN_INDICATOR, ""),
        households_indicator=names.get(HOUSEHOLDS_INDICATOR, ""),
    )
    report = DonorReport(
        title=scope.title or TITLE,
        scope_line=scope_line(scope, sorted(g.award_number for g in grants.values()), sorted(by_country)),
        as_of=today,
        headline=headline,
        countries=tuple(country_lines),
        themes=tuple(theme_lines),
        indicators=tuple(portfolio_lines),
        milestones=milestones,
        projects=tuple(pages),
        timeliness=timeliness_line("Whole scope", timeliness.portfolio),
    )
    progress(STEPS, STEPS, "Done")
    return report


def _empty(scope: ReportScope, today: datetime.date) -> DonorReport:
    headline = Headline(
        grants=0,
        countries=0,
        projects=0,
        obligated=ZERO,
        budget=ZERO,
        expenditure=ZERO,
        burn_rate=None,
        time_elapsed=None,
        children_female=None,
        children_male=None,
        children_total=None,
        households=None,
        children_indicator="",
        households_indicator="",
    )
    return DonorReport(
        title=scope.title or TITLE,
        scope_line=scope_line(scope, [], []),
        as_of=today,
        headline=headline,
        countries=(),
        themes=(),
        indicators=(),
        milestones=(),
        projects=(),
        empty_message=NOTHING_TO_REPORT,
    )
