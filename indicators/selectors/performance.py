"""Indicator performance: targets against approved actuals, per country project, per grant and portfolio-wide.

``performance_table`` is the one builder. It reads everything for the projects in scope in a constant number of
queries (projects, project indicators, periods, period targets, approved reports, approved values; three more
for the disaggregated view) and folds the rows in Python with ``indicators.calculations``; the result is frozen
dataclasses of ``Decimal``, ``date`` and ``str`` that the pages, and later the report builder, render.

What counts and how figures combine (see ``indicators.calculations`` for the arithmetic):
- Only APPROVED reports count as actuals. Reports submitted and awaiting review are not counted; the table
  only says how many there are, so nobody mistakes an unreviewed figure for a result.
- Over time an indicator follows its rule: flows sum their periods, stocks take the latest reported value,
  percentages recompute from summed numerators and denominators. "Nothing to report" is zero for a flow and
  no new value for a stock.
- Across projects (grant and portfolio level) flows, stocks and money add up (each project counts a different
  population) and percentages recompute from the summed numerators and denominators. Every aggregate
  figure is built from the projects' own to-date figures, so projects whose periods do not line up
  (a quarterly grant beside semi-annual ones) still combine correctly.
- Targets add up across projects the same way, except percentages: a percent target is a project's own.
  Across projects we show the *implied* target, each project's target weighted by the denominator it
  actually measured (``implied_target_percent``): the percentage the group would show had every project hit
  its own target exactly. It exists only where projects have reported denominators.
- On-track status compares the actual to date with the value expected by the end of the latest approved
  period, within ``settings.INDICATOR_ON_TRACK_BAND``. The expected value is the agreed trajectory, the period
  targets to date, where the latest approved period has a target; otherwise the life-of-project target
  pro-rated on a straight line from the baseline (from zero for flows) over the project's dates. Across
  projects the expected values of the projects that have reported are added up (for percentages: implied);
  a project with no approved data is "no data" on its own row and adds nothing to the group's expected
  value (a data gap, not a performance gap).
"""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from grants.models import CountryProject
from indicators.calculations import (
    Aggregation,
    Direction,
    Track,
    Value,
    combine,
)
from indicators.cells import TOTAL
from indicators.models import (
    ActualValue,
    Indicator,
    ProjectIndicator,
    ReportingPeriod,
    ReportingPeriodChange,
    Submission,
    SubmissionTransition,
    Target,
    TargetRevision,
)
from indicators.models.submissions import SubmissionStatus
from indicators.selectors.performance_lines import (
    MIXED,
    PLANNED,
    PRORATED,
    TRACK_LABELS,
    CellFigure,
    CellTable,
    IndicatorPerformance,
    PerformanceLine,
    PerformanceTable,
    Period,
    cell_table,
    group_line,
    project_line,
    shown,
    value_of,
)

# The figures' types and labels are part of this module's interface (pages, report builder).
__all__ = [
    "MIXED",
    "PLANNED",
    "PRORATED",
    "TRACK_LABELS",
    "CellFigure",
    "CellTable",
    "IndicatorPerformance",
    "PerformanceLine",
    "PerformanceTable",
    "performance_table",
]


def _load(
    projects: list[CountryProject], indicator_ids: Sequence[int] | None, domain: str | None
) -> tuple[list[ProjectIndicator], dict[int, list[Period]], dict, set, dict, int]:
    """Five queries: project indicators, periods, targets (totals), approved/pending reports, approved values."""
    project_ids = [p.pk for p in projects]
    pis_qs = ProjectIndicator.objects.filter(country_project_id__in=project_ids).select_related("indicator")
    if indicator_ids:
        pis_qs = pis_qs.filter(indicator_id__in=indicator_ids)
    if domain:
        pis_qs = pis_qs.filter(indicator__domain=domain)
    pis = list(pis_qs.order_by("indicator__code", "country_project_id"))
    by_pk = {p.pk: p for p in projects}
    for pi in pis:
        pi.country_project = by_pk[pi.country_project_id]
    periods: dict[int, list[Period]] = defaultdict(list)
    grant_ids = {p.grant_id for p in projects}
    for row in (
        ReportingPeriod.objects.filter(grant_id__in=grant_ids)
        .order_by("start_date")
        .values("pk", "grant_id", "label", "start_date", "end_date")
    ):
        periods[row["grant_id"]].append(Period(row["pk"], row["label"], row["start_date"], row["end_date"]))
    # Targets and values are reached through the projects (and the indicator filter), never through a list of
    # every project indicator's id: on SQLite a long IN list on the second column of an index is probed once per
    # row (27 s instead of 0.2 s at portfolio scale).
    same_indicators: dict[str, object] = {}
    if indicator_ids:
        same_indicators["project_indicator__indicator_id__in"] = indicator_ids
    if domain:
        same_indicators["project_indicator__indicator__domain"] = domain
    targets = {
        (pi_id, period_id): (value, original)
        for pi_id, period_id, value, original in Target.objects.filter(
            project_indicator__country_project_id__in=project_ids, cell_key=TOTAL, **same_indicators
        )
        .order_by()
        .values_list("project_indicator_id", "period_id", "value", "original_value")
    }
    approved: set[tuple[int, int]] = set()
    pending = 0
    for project_id, period_id, status in (
        Submission.objects.filter(
            country_project_id__in=project_ids,
            status__in=(SubmissionStatus.APPROVED, SubmissionStatus.SUBMITTED),
        )
        .order_by()
        .values_list("country_project_id", "period_id", "status")
    ):
        if status == SubmissionStatus.APPROVED:
            approved.add((project_id, period_id))
        else:
            pending += 1
    actuals = {
        (row["project_indicator_id"], row["submission__period_id"]): value_of(row)
        for row in ActualValue.objects.filter(
            submission__country_project_id__in=project_ids,
            submission__status=SubmissionStatus.APPROVED,
            cell_key=TOTAL,
            **same_indicators,
        )
        # No default ordering: it would join the submission's project and grant to sort rows folded in a dict.
        .order_by()
        .values(
            "project_indicator_id",
            "submission__period_id",
            "value",
            "numerator",
            "denominator",
            "nothing_to_report",
        )
    }
    return pis, periods, targets, approved, actuals, pending


def _project_periods(
    project: CountryProject,
    periods: Sequence[Period],
    period_to: datetime.date | None,
) -> list[Period]:
    """The grant's periods that overlap the project, up to the as-of limit (the cumulative needs them all)."""
    return [
        p
        for p in periods
        if p.end >= project.start_date
        and p.start <= project.end_date
        and (period_to is None or p.end <= period_to)
    ]


def _load_cells(
    pis: Sequence[ProjectIndicator], latest: dict[int, int | None]
) -> dict[int, tuple[tuple[CellFigure, ...], CellTable | None]]:
    """Per indicator, each cell's approved actual in each project's latest approved period, added across
    projects (three queries: the library's categories and options, and the values)."""
    specs = {
        pi.indicator_id: pi.spec()
        for pi in ProjectIndicator.objects.with_library().filter(pk__in=[pi.pk for pi in pis])
    }
    wanted = {(pi.pk, period_id) for pi in pis if (period_id := latest.get(pi.pk)) is not None}
    by_cell: dict[tuple[int, str], list[Value]] = defaultdict(list)
    indicator_of = {pi.pk: pi.indicator_id for pi in pis}
    rows = (
        ActualValue.objects.filter(
            submission__country_project_id__in={pi.country_project_id for pi in pis},
            project_indicator__indicator_id__in={pi.indicator_id for pi in pis},
            submission__status=SubmissionStatus.APPROVED,
            submission__period_id__in={period_id for _, period_id in wanted},
        )
        .order_by()
        .values(
            "project_indicator_id",
            "submission__period_id",
            "cell_key",
            "value",
            "numerator",
            "denominator",
            "nothing_to_report",
        )
    )
    for row in rows:
        if (row["project_indicator_id"], row["submission__period_id"]) in wanted:
            by_cell[(indicator_of[row["project_indicator_id"]], row["cell_key"])].append(value_of(row))
    result = {}
    for indicator_id, spec in specs.items():
        rule = Aggregation(spec.aggregation)
        figures = {}
        for key in spec.cell_keys:
            value = combine(by_cell.get((indicator_id, key), []))
            figures[key] = CellFigure(key=key, label=spec.label(key), actual=value, figure=value.scalar(rule))
        result[indicator_id] = (tuple(figures.values()), cell_table(spec, figures))
    return result


def performance_table(
    *,
    projects: QuerySet[CountryProject],
    indicator_ids: Sequence[int] | None = None,
    domain: str | None = None,
    period_from: datetime.date | None = None,
    period_to: datetime.date | None = None,
    group_label: str = "All projects",
    with_projects: bool = True,
    with_cells: bool = False,
    band: Decimal | None = None,
    today: datetime.date | None = None,
    latest_periods: int | None = None,
) -> PerformanceTable:
    """Targets against approved actuals for the indicators of ``projects`` (already scoped to the user).

    ``period_to``: figures as of the periods ending by that date (later periods are left out entirely);
    ``period_from``: periods before it are not shown, but still count in the figures to date. Without
    ``period_to``, periods that have not started by ``today`` are not shown (they only have targets), and
    without ``period_from`` only the ``latest_periods`` last ones are (all when None). Queries: 6,
    plus 3 with ``with_cells``, whatever the number of projects, indicators and periods.
    """
    band = Decimal(settings.INDICATOR_ON_TRACK_BAND) if band is None else band
    until = None if period_to else (today or timezone.localdate())
    project_list = list(projects.select_related("grant").order_by("grant__award_number", "country"))
    pis, periods, targets, approved, actuals, pending = _load(project_list, indicator_ids, domain)
    by_indicator: dict[int, list[PerformanceLine]] = defaultdict(list)
    latest: dict[int, int | None] = {}
    for pi in pis:
        project = pi.country_project
        own = _project_periods(project, periods[project.grant_id], period_to)
        line = project_line(
            pi,
            own,
            {p.pk for p in own if (project.pk, p.pk) in approved},
            {p.pk: targets[(pi.pk, p.pk)] for p in own if (pi.pk, p.pk) in targets},
            {p.pk: actuals[(pi.pk, p.pk)] for p in own if (pi.pk, p.pk) in actuals},
            band,
        )
        latest[pi.pk] = next((p.pk for p in reversed(own) if (project.pk, p.pk) in approved), None)
        by_indicator[pi.indicator_id].append(line)
    cells = _load_cells(pis, latest) if with_cells and pis else {}
    indicators = []
    seen: dict[int, ProjectIndicator] = {}
    for pi in pis:
        seen.setdefault(pi.indicator_id, pi)
    for indicator_id, pi in seen.items():
        lines = by_indicator[indicator_id]
        indicator = pi.indicator
        total = (
            lines[0]
            if not with_projects
            else group_line(
                lines,
                indicator.is_percentage,
                band,
                group_label,
                window=(period_from, until, latest_periods),
            )
        )
        indicators.append(
            IndicatorPerformance(
                indicator_id=indicator_id,
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                measure_type=indicator.measure_type,
                rule=Aggregation(indicator.aggregation),
                direction=Direction(indicator.direction),
                total=shown(total, period_from, until, latest_periods),
                projects=tuple(shown(line, period_from, until, latest_periods) for line in lines)
                if with_projects
                else (),
                cells=cells[indicator_id][0] if indicator_id in cells else (),
                cell_table=cells[indicator_id][1] if indicator_id in cells else None,
            )
        )
    counts: dict[Track, int] = defaultdict(int)
    for item in indicators:
        counts[item.total.track] += 1
    as_of = max((item.total.as_of for item in indicators if item.total.as_of), default=None)
    return PerformanceTable(
        indicators=tuple(indicators),
        project_count=len(project_list),
        pending_reports=pending,
        as_of=as_of,
        band=band,
        with_cells=with_cells,
        track_counts={t: counts.get(t, 0) for t in Track},
    )


# Grant and portfolio pages show the latest periods unless a range is chosen; a project shows all of its own.
GROUP_PERIODS = 8
PORTFOLIO_LABEL = "Portfolio"
# The builder's filter options of a page opened without filters (PerformanceFilter.performance_options).
NO_FILTERS: dict[str, Any] = {"indicator_ids": None, "domain": None, "period_from": None, "period_to": None}


def grant_label(award_number: str) -> str:
    return f"All {award_number} projects"


# Above this many projects a group's indicators are shown without a row per project: a thousand rows under
# each of sixteen indicators is not a page anyone reads. Filtering by grant or country brings them back.
PROJECT_ROWS_LIMIT = 60
CACHE_SECONDS = 24 * 60 * 60


def results_stamp() -> tuple[int | None, ...]:
    """One query that moves whenever an approved figure or a target may have changed: a report approved or
    reopened, targets set or revised, project indicators and the library (their history), project dates (their
    history), periods (their change log). Each part is the largest id of an append-only table, so every new row
    moves it. Submitting or returning a report does not: only approved data counts, and the number of reports
    awaiting review is counted afresh on every visit."""
    q = connection.ops.quote_name
    approved = SubmissionStatus.APPROVED.value
    parts = [
        f"(SELECT MAX({q('id')}) FROM {q(SubmissionTransition._meta.db_table)} "
        f"WHERE {q('to_status')} = '{approved}' OR {q('from_status')} = '{approved}')"
    ]
    for model in (
        Target,
        TargetRevision,
        ProjectIndicator.history.model,
        Indicator.history.model,
        CountryProject.history.model,
        ReportingPeriodChange,
    ):
        parts.append(f"(SELECT MAX({q(model._meta.pk.column)}) FROM {q(model._meta.db_table)})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(cursor.fetchone())


def _key(ids: list[int], options: dict[str, Any]) -> str:
    band = options.get("band") or settings.INDICATOR_ON_TRACK_BAND
    today = options.get("today") or timezone.localdate()
    fingerprint = repr(
        (ids, sorted(options.items(), key=lambda kv: kv[0]), str(band), today, results_stamp())
    )
    return "performance-table:" + hashlib.sha256(fingerprint.encode()).hexdigest()


def cached_performance_table(*, projects: QuerySet[CountryProject], **options: Any) -> PerformanceTable:
    """``performance_table`` for a page, kept in the cache until the results data changes (``results_stamp``).

    Approvals come a few times a week; pages are opened many times a day, and at portfolio scale (a thousand
    projects, sixteen thousand project indicators) building the table takes seconds. The key holds the exact
    projects in scope (so two users with different visibility never share an entry), the options, the band
    and today's date. Three queries on a hit: the projects' ids, the stamp and the reports awaiting review.
    """
    return cached_performance_table_and_key(projects=projects, **options)[0]


def cached_performance_table_and_key(
    *, projects: QuerySet[CountryProject], **options: Any
) -> tuple[PerformanceTable, str]:
    """``cached_performance_table`` and the table's cache key. Whatever a page derives from the cached table
    alone (its charts, its rendered indicator cards) may be cached under a key that starts with this one: it
    then lives and goes with the table. The pending-report count is not part of the cached table."""
    ids = list(projects.order_by("pk").values_list("pk", flat=True))
    key = _key(ids, options)
    table = cache.get(key)
    if table is None:
        table = build_cacheable_table(projects=projects, many=len(ids) > PROJECT_ROWS_LIMIT, **options)
        cache.set(key, table, CACHE_SECONDS)
    pending = Submission.objects.filter(country_project_id__in=ids, status=SubmissionStatus.SUBMITTED).count()
    return replace(table, pending_reports=pending), key


def build_cacheable_table(
    *, projects: QuerySet[CountryProject], many: bool, **options: Any
) -> PerformanceTable:
    table = performance_table(projects=projects, **options)
    if many:
        table = replace(
            table,
            indicators=tuple(replace(item, projects=()) for item in table.indicators),
            project_rows_omitted=True,
        )
    return table


def warm_performance_table(*, projects: QuerySet[CountryProject], **options: Any) -> None:
    """Build and cache the table a page with these projects and options will ask for (run by a task after an
    approval, so the next visitor does not wait for the build)."""
    ids = list(projects.order_by("pk").values_list("pk", flat=True))
    table = build_cacheable_table(projects=projects, many=len(ids) > PROJECT_ROWS_LIMIT, **options)
    cache.set(_key(ids, options), table, CACHE_SECONDS)
