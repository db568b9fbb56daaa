"""Build the IPTT: every project indicator x reporting period x disaggregation cell of the scope's projects.

Queries, whatever the number of grants, projects and indicators (pinned in tests/reports/test_iptt.py):
``build`` reads the report's shape: the scope's check that asked-for grants are visible (only when grants or
projects were chosen), projects with their grants, project indicators with their indicators (plus the
library's categories and options: two prefetches), periods, approved reports. The figures are read when the
report's ``projects`` are iterated, two queries a pass: targets and approved values (every cell), both
streamed in the projects' order and folded a project at a time (a merge), so only one project's rows and
lines are in memory at once, whatever the portfolio's size. Rows are read flat with values_list.

Figures follow the performance pages exactly: the total line of each project indicator is
``performance_lines.project_line`` (LOP percent achieved, expected value and on-track status included); each
cell line is folded with the same calculations (``running``, ``target_to_date``, ``percent_achieved``,
``track``). Only APPROVED reports count as actuals, as in ``indicators.selectors.performance``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import prefetch_related_objects

from grants.countries import country_name
from grants.models import CountryProject, User
from indicators.calculations import (
    MISSING,
    Aggregation,
    Direction,
    Track,
    Value,
    percent_achieved,
    running,
    target_to_date,
    track,
)
from indicators.cells import TOTAL
from indicators.models import ActualValue, ProjectIndicator, ReportingPeriod, Submission, Target
from indicators.models import Indicator as LibraryIndicator
from indicators.models.submissions import SubmissionStatus
from indicators.selectors.performance_lines import PerformanceLine, project_line
from indicators.selectors.performance_lines import Period as LinePeriod
from indicators.validation import IndicatorSpec
from reports.registry import Progress
from reports.scope import ReportScope, scope_projects
from reports.types.iptt.data import (
    Indicator,
    IpttReport,
    Line,
    Outline,
    Period,
    PeriodFigures,
    Project,
    ProjectStream,
)

TITLE = "Indicator performance tracking table (IPTT)"
CHUNK = 5000  # rows a streamed query fetches at a time


class _Interned(dict):
    """One Decimal object per distinct figure. A portfolio's table holds over half a million figures but few
    distinct ones (counts of children, percents with one decimal), so sharing them keeps the report small
    (about a third of the memory at portfolio scale). Equal figures share one object, so 50 and 50.0 may
    come out as either: the renderers format a figure by its indicator's kind, never by its exponent."""

    def __call__(self, value: Decimal | None) -> Decimal | None:
        return None if value is None else self.setdefault(value, value)

    def figures(self, row: tuple) -> PeriodFigures:
        return (*map(self, row[:-1]), row[-1])


def _cell_line(
    key: str,
    label: str,
    periods: Sequence[LinePeriod],
    shown_from: int,
    last: int | None,
    targets: dict[int, tuple[Decimal, Decimal]],
    actuals: dict[int, Value],
    rule: Aggregation,
    direction: Direction,
    band: Decimal,
    same: _Interned,
) -> Line:
    """One cell of a project indicator, the same arithmetic as ``project_line`` for its periods. Cells have
    no life-of-project target: their to-date status compares with their period targets to date."""
    series = [actuals.get(p.pk, MISSING) for p in periods]
    cumulative = running(series, rule)
    period_targets = [targets[p.pk][0] if p.pk in targets else None for p in periods]
    figures: list[PeriodFigures] = []
    for i in range(shown_from, len(periods)):
        target, original = targets.get(periods[i].pk, (None, None))
        actual = series[i]
        future = last is None or i > last
        to_date = None if future else cumulative[i].scalar(rule)
        figures.append(
            same.figures(
                (
                    target,
                    original,
                    actual.scalar(rule),
                    actual.numerator,
                    actual.denominator,
                    to_date,
                    percent_achieved(actual.scalar(rule), target, direction=direction),
                    Track.NO_DATA.value
                    if future
                    else track(
                        to_date, target_to_date(period_targets[: i + 1], rule), direction=direction, band=band
                    ).value,
                )
            )
        )
    current = cumulative[last].scalar(rule) if last is not None else None
    expected = target_to_date(period_targets[: last + 1], rule) if last is not None else None
    if not any(t is not None for t in period_targets):
        status = Track.NO_TARGET
    elif last is None:
        status = Track.NO_DATA
    else:
        status = track(current, expected, direction=direction, band=band)
    return Line.of(key, label, figures, None, None, current, None, status.value)


def _total_line(line: PerformanceLine, shown_from: int, same: _Interned) -> Line:
    figures = tuple(
        same.figures(
            (
                p.target,
                p.original_target,
                p.actual_figure,
                p.actual.numerator,
                p.actual.denominator,
                p.actual_to_date_figure,
                p.percent_achieved,
                p.track.value,
            )
        )
        for p in line.periods[shown_from:]
    )
    return Line.of(
        TOTAL,
        "Total",
        figures,
        line.lop_target,
        line.original_lop_target,
        line.to_date_figure,
        line.percent_achieved,
        line.track.value,
    )


def _values(actuals: dict, pi_id: int, key: str) -> dict[int, Value]:
    return {period: Value(*raw) for period, raw in actuals.get((pi_id, key), {}).items()}


@dataclass(frozen=True)
class _Plan:
    """What one shown project needs before its figures are read: its periods (every one up to the range's
    end: figures to date count the periods before the range's start too), the first shown, the approved ones
    and the latest approved, and its project indicators."""

    project: CountryProject
    own: list[LinePeriod]
    shown_from: int
    approved: set[int]
    last: int | None
    pis: list[ProjectIndicator]

    @property
    def shown(self) -> tuple[Period, ...]:
        return tuple(Period(p.label, p.start, p.end) for p in self.own[self.shown_from :])


class _ByProject:
    """Rows whose first item is a project id, read in the projects' order, handed out a project at a time.

    Both streams and the projects come in the same ORDER BY (award number, country, id), so a merge needs no
    lookahead beyond one row. Rows that turn up for a project already passed mean the database ordered the
    two queries differently: that raises, rather than leaving figures out of the report silently."""

    def __init__(self, rows: Iterator[tuple]) -> None:
        self._rows = rows
        self._next = next(rows, None)
        self._passed: set[int] = set()

    def take(self, project_id: int) -> list[tuple]:
        taken = []
        while self._next is not None and self._next[0] == project_id:
            taken.append(self._next)
            self._next = next(self._rows, None)
        self._passed.add(project_id)
        if self._next is not None and self._next[0] in self._passed:
            raise RuntimeError(f"IPTT rows of project {self._next[0]} came out of the projects' order.")
        return taken

    def finish(self) -> None:
        """Every project taken: a row left over belongs to no project of the report, a broken merge."""
        if self._next is not None:
            raise RuntimeError(f"IPTT rows of project {self._next[0]} came out of the projects' order.")

    def close(self) -> None:
        """Stop reading (an early stop, or the end): closes the query's cursor."""
        close = getattr(self._rows, "close", None)
        if close is not None:
            close()


def _plans(scope: ReportScope, user: User | None, today: date, progress: Progress) -> list[_Plan]:
    projects = list(scope_projects(scope, user).select_related("grant").order_by(*_PROJECT_ORDER))
    pis_qs = ProjectIndicator.objects.select_related("indicator").filter(
        country_project_id__in=[p.pk for p in projects]
    )
    if scope.indicator_codes:
        pis_qs = pis_qs.filter(indicator__code__in=scope.indicator_codes)
    # The library's categories and options (what with_library() loads) are prefetched on one shared
    # indicator object per indicator, not on each project indicator's own copy: a whole portfolio's
    # project indicators with their own prefetched copies held most of the report's memory.
    pis_of: dict[int, list[ProjectIndicator]] = defaultdict(list)
    library: dict[int, LibraryIndicator] = {}
    for pi in pis_qs.order_by("country_project_id", "sort_order", "indicator__code"):
        pi.indicator = library.setdefault(pi.indicator_id, pi.indicator)
        pis_of[pi.country_project_id].append(pi)
    prefetch_related_objects(list(library.values()), "categories__options")

    until = scope.period_to or today
    periods_of: dict[int, list[LinePeriod]] = defaultdict(list)
    for pk, grant_id, label, start, end in (
        ReportingPeriod.objects.filter(grant_id__in={p.grant_id for p in projects}, start_date__lte=until)
        .order_by("start_date")
        .values_list("pk", "grant_id", "label", "start_date", "end_date")
    ):
        periods_of[grant_id].append(LinePeriod(pk, label, start, end))
    approved = set(
        Submission.objects.filter(
            country_project_id__in=[p.pk for p in projects], status=SubmissionStatus.APPROVED
        )
        .order_by()
        .values_list("country_project_id", "period_id")
    )

    plans = []
    every = max(1, len(projects) // 100)  # progress about a hundred times, whatever the scope's size
    for done, project in enumerate(projects):
        if done % every == 0:
            progress(done, len(projects), _label(project))
        own = [
            p
            for p in periods_of[project.grant_id]
            if p.end >= project.start_date and p.start <= project.end_date
        ]
        shown_from = next(
            (i for i, p in enumerate(own) if scope.period_from is None or p.start >= scope.period_from),
            len(own),
        )
        if not pis_of[project.pk] or shown_from == len(own):
            continue  # nothing to show: no indicators, or no period in the range
        approved_own = {p.pk for p in own if (project.pk, p.pk) in approved}
        last = max((i for i, p in enumerate(own) if p.pk in approved_own), default=None)
        for pi in pis_of[project.pk]:
            pi.country_project = project
        plans.append(_Plan(project, own, shown_from, approved_own, last, pis_of[project.pk]))
    progress(len(projects), len(projects), "Done")
    return plans


# The projects' order, and the order the figures are streamed in (the same columns through the joins, so the
# database sorts both alike, whatever its collation); the id breaks ties so the order is total.
_PROJECT_ORDER = ("grant__award_number", "country", "pk")


def _through(path: str) -> tuple[str, ...]:
    return tuple(f"{path}__{field}" if field != "pk" else f"{path}_id" for field in _PROJECT_ORDER)


def _label(project: CountryProject) -> str:
    return f"{country_name(project.country.code)} · {project.grant.award_number}"


def _outline(plans: Sequence[_Plan], specs: dict[int, IndicatorSpec]) -> Outline:
    """The report's shape from the plans alone: a line per cell of each indicator (the total first), each
    over the project's shown periods."""
    lines = rows = indicators = 0
    periods: dict[Period, None] = {}
    for plan in plans:
        shown = plan.shown
        count = sum(1 + len(_spec(pi, specs).cell_keys[1:]) for pi in plan.pis)
        indicators += len(plan.pis)
        lines += count
        rows += count * len(shown)
        periods.update(dict.fromkeys(shown))
    return Outline(len(plans), indicators, lines, rows, tuple(periods))


def _spec(pi: ProjectIndicator, specs: dict[int, IndicatorSpec]) -> IndicatorSpec:
    """One spec per indicator: the same categories in every project."""
    return specs.get(pi.indicator_id) or specs.setdefault(pi.indicator_id, pi.spec())


def _fold(
    scope: ReportScope,
    plans: Sequence[_Plan],
    specs: dict[int, IndicatorSpec],
    band: Decimal,
    progress: Progress,
) -> Iterator[Project]:
    """The projects, a project at a time: two streamed queries (targets, approved values) in the projects'
    order, merged with the plans. Closing the iterator early (a preview's first projects) closes both."""
    if not plans:
        return
    ids = [plan.project.pk for plan in plans]
    same_indicators: dict[str, object] = {}
    if scope.indicator_codes:
        same_indicators["project_indicator__indicator__code__in"] = scope.indicator_codes
    # Reached through the projects, never a long list of project indicator ids (see
    # indicators.selectors.performance._load: SQLite probes such a list once per row).
    targets = _ByProject(
        Target.objects.filter(project_indicator__country_project_id__in=ids, **same_indicators)
        .order_by(*_through("project_indicator__country_project"))
        .values_list(
            "project_indicator__country_project_id",
            "project_indicator_id",
            "period_id",
            "cell_key",
            "value",
            "original_value",
        )
        .iterator(chunk_size=CHUNK)
    )
    values = _ByProject(
        ActualValue.objects.filter(
            submission__country_project_id__in=ids,
            submission__status=SubmissionStatus.APPROVED,
            **same_indicators,
        )
        .order_by(*_through("submission__country_project"))
        .values_list(
            "submission__country_project_id",
            "project_indicator_id",
            "submission__period_id",
            "cell_key",
            "value",
            "numerator",
            "denominator",
            "nothing_to_report",
        )
        .iterator(chunk_size=CHUNK)
    )
    same = _Interned()
    every = max(1, len(plans) // 100)
    try:
        for done, plan in enumerate(plans):
            if done % every == 0:
                progress(done, len(plans), _label(plan.project))
            yield _project(
                plan, targets.take(plan.project.pk), values.take(plan.project.pk), specs, band, same
            )
        targets.finish()
        values.finish()
    finally:
        targets.close()
        values.close()


def _project(
    plan: _Plan,
    target_rows: list[tuple],
    value_rows: list[tuple],
    specs: dict[int, IndicatorSpec],
    band: Decimal,
    same: _Interned,
) -> Project:
    targets: dict[tuple[int, str], dict[int, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for _, pi_id, period_id, key, value, original in target_rows:
        targets[(pi_id, key)][period_id] = (same(value), same(original))
    # Raw figures, not Value objects: they are made per line, as the line is folded.
    actuals: dict[tuple[int, str], dict[int, tuple]] = defaultdict(dict)
    for _, pi_id, period_id, key, value, numerator, denominator, nothing in value_rows:
        actuals[(pi_id, key)][period_id] = (same(value), same(numerator), same(denominator), nothing)

    own, shown_from, last, project = plan.own, plan.shown_from, plan.last, plan.project
    indicators = []
    for pi in plan.pis:
        spec = _spec(pi, specs)
        rule, direction = Aggregation(spec.aggregation), Direction(pi.indicator.direction)
        total = project_line(
            pi, own, plan.approved, targets.get((pi.pk, TOTAL), {}), _values(actuals, pi.pk, TOTAL), band
        )
        lines = [_total_line(total, shown_from, same)]
        for key in spec.cell_keys[1:]:
            lines.append(
                _cell_line(
                    key,
                    spec.label(key),
                    own,
                    shown_from,
                    last,
                    targets.get((pi.pk, key), {}),
                    _values(actuals, pi.pk, key),
                    rule,
                    direction,
                    band,
                    same,
                )
            )
        indicator = pi.indicator
        indicators.append(
            Indicator(
                indicator.code,
                indicator.name,
                indicator.unit,
                indicator.measure_type,
                rule.value,
                tuple(lines),
            )
        )
    return Project(
        project_id=project.pk,
        award_number=project.grant.award_number,
        country_code=project.country.code,
        country=country_name(project.country.code),
        title=project.title,
        start=project.start_date,
        end=project.end_date,
        periods=plan.shown,
        indicators=tuple(indicators),
    )


def build(scope: ReportScope, user: User | None, progress: Progress) -> IpttReport:
    """The IPTT of ``scope`` as ``user`` sees it. Reads the report's shape now (``progress`` per project);
    its ``projects`` stream the figures each time they are iterated, reporting progress per project again
    (a file's writing is where the time goes)."""
    band = Decimal(settings.INDICATOR_ON_TRACK_BAND)
    today = scope.today()
    plans = _plans(scope, user, today, progress)
    specs: dict[int, IndicatorSpec] = {}

    def produce() -> Iterator[Project]:
        return _fold(scope, plans, specs, band, progress)

    return IpttReport(
        title=scope.title or TITLE,
        as_of=today,
        band=band,
        period_from=scope.period_from,
        period_to=scope.period_to,
        projects=ProjectStream(_outline(plans, specs), produce),
    )
