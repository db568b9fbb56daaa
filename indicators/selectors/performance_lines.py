"""Performance lines: one indicator's targets and approved actuals folded per period, for one project or a
group of projects, with ``indicators.calculations``. No queries: ``indicators.selectors.performance`` loads the
rows and calls these."""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from grants.countries import country_name
from indicators.calculations import (
    MISSING,
    ZERO,
    Aggregation,
    Direction,
    Track,
    Value,
    combine,
    implied_target_percent,
    percent_achieved,
    prorate,
    ratio_percent,
    running,
    target_to_date,
    track,
)
from indicators.cells import TOTAL, make_key
from indicators.models import ProjectIndicator
from indicators.validation import IndicatorSpec

PLANNED = "period targets to date"
PRORATED = "life-of-project target pro-rated"
MIXED = "period targets to date, or the LOP target pro-rated where a project has none"
TRACK_LABELS = {
    Track.ON_TRACK: "On track",
    Track.BEHIND: "Behind",
    Track.AHEAD: "Ahead",
    Track.NO_DATA: "No data",
    Track.NO_TARGET: "No target",
}


@dataclass(frozen=True)
class PeriodFigures:
    """One reporting period of one line. ``reported``: an approved report covers it (for a group: any)."""

    label: str
    start: datetime.date
    end: datetime.date
    target: Decimal | None
    original_target: Decimal | None
    target_to_date: Decimal | None
    actual: Value
    actual_to_date: Value
    reported: bool
    # The period's actual against the period's target, and the to-date actual against the to-date target.
    percent_achieved: Decimal | None
    track: Track
    # The single figures to show (the percentage for ratios), by the indicator's rule.
    actual_figure: Decimal | None = None
    actual_to_date_figure: Decimal | None = None
    # Periods after the latest approved one: nothing to date is known there yet.
    future: bool = False

    @property
    def track_label(self) -> str:
        return TRACK_LABELS[self.track]

    @property
    def target_revised(self) -> bool:
        return self.original_target is not None and self.target != self.original_target


@dataclass(frozen=True)
class PerformanceLine:
    """An indicator in one country project, or the same indicator across several (``project_id`` None)."""

    label: str
    project_id: int | None
    grant_id: int | None
    rule: Aggregation
    direction: Direction
    baseline: Decimal | None
    lop_target: Decimal | None
    original_lop_target: Decimal | None
    periods: tuple[PeriodFigures, ...]
    to_date: Value
    expected: Decimal | None
    percent_achieved: Decimal | None
    track: Track
    as_of: datetime.date | None
    as_of_label: str = ""
    # What ``expected`` is: the period targets to date (PLANNED) or the LOP target pro-rated (PRORATED).
    expected_basis: str = ""
    # A project's line: its country's name and its grant's award number, each linked on the pages.
    country: str = ""
    award_number: str = ""

    @property
    def to_date_figure(self) -> Decimal | None:
        return self.to_date.scalar(self.rule)

    @property
    def lop_revised(self) -> bool:
        return self.original_lop_target is not None and self.lop_target != self.original_lop_target

    @property
    def track_label(self) -> str:
        return TRACK_LABELS[self.track]


@dataclass(frozen=True)
class CellFigure:
    """One disaggregation cell's approved actual in the latest approved period (per project)."""

    key: str
    label: str
    actual: Value
    figure: Decimal | None


@dataclass(frozen=True)
class CellTable:
    """The cells laid out as on the entry form: the first category's options across, the others down."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[CellFigure, ...]], ...]
    total: CellFigure


@dataclass(frozen=True)
class IndicatorPerformance:
    indicator_id: int
    code: str
    name: str
    unit: str
    measure_type: str
    rule: Aggregation
    direction: Direction
    total: PerformanceLine
    # Per country project at grant and portfolio level; empty on a project's own page.
    projects: tuple[PerformanceLine, ...] = ()
    cells: tuple[CellFigure, ...] = ()
    cell_table: CellTable | None = None

    @property
    def is_percentage(self) -> bool:
        return self.measure_type == "percentage"


@dataclass(frozen=True)
class PerformanceTable:
    indicators: tuple[IndicatorPerformance, ...]
    project_count: int
    # Reports submitted and awaiting review: not counted in any figure.
    pending_reports: int
    as_of: datetime.date | None
    band: Decimal
    with_cells: bool = False
    track_counts: dict[Track, int] = field(default_factory=dict)
    # Set when the scope had too many projects to list each one under every indicator (filter to see them).
    project_rows_omitted: bool = False


@dataclass(frozen=True)
class Period:
    pk: int
    label: str
    start: datetime.date
    end: datetime.date


def value_of(row: dict) -> Value:
    return Value(
        value=row["value"],
        numerator=row["numerator"],
        denominator=row["denominator"],
        nothing_to_report=row["nothing_to_report"],
    )


def _baseline(pi: ProjectIndicator) -> Decimal | None:
    if pi.indicator.is_percentage:
        return ratio_percent(pi.baseline_numerator, pi.baseline_denominator)
    return pi.baseline_value


def _period_percent(
    actual: Value, target: Decimal | None, rule: Aggregation, direction: Direction
) -> Decimal | None:
    return percent_achieved(actual.scalar(rule), target, direction=direction)


def project_line(
    pi: ProjectIndicator,
    periods: Sequence[Period],
    approved: set[int],
    targets: dict[int, tuple[Decimal, Decimal]],
    actuals: dict[int, Value],
    band: Decimal,
) -> PerformanceLine:
    """One project's indicator over its periods (all periods up to the as-of limit, in time order)."""
    indicator = pi.indicator
    rule, direction = Aggregation(indicator.aggregation), Direction(indicator.direction)
    series = [actuals.get(p.pk, MISSING) for p in periods]
    cumulative = running(series, rule)
    period_targets = [targets[p.pk][0] if p.pk in targets else None for p in periods]
    last = max((i for i, p in enumerate(periods) if p.pk in approved), default=None)
    rows = []
    for i, period in enumerate(periods):
        target, original = targets.get(period.pk, (None, None))
        to_date_target = target_to_date(period_targets[: i + 1], rule)
        future = last is None or i > last
        actual_to_date = MISSING if future else cumulative[i]
        rows.append(
            PeriodFigures(
                label=period.label,
                start=period.start,
                end=period.end,
                target=target,
                original_target=original,
                target_to_date=to_date_target,
                actual=series[i],
                actual_to_date=actual_to_date,
                reported=period.pk in approved,
                actual_figure=series[i].scalar(rule),
                actual_to_date_figure=actual_to_date.scalar(rule),
                percent_achieved=_period_percent(series[i], target, rule, direction),
                track=Track.NO_DATA
                if future
                else track(actual_to_date.scalar(rule), to_date_target, direction=direction, band=band),
                future=future,
            )
        )
    baseline = _baseline(pi)
    project = pi.country_project
    current = cumulative[last] if last is not None else MISSING
    as_of = periods[last].end if last is not None else None
    expected, basis = None, ""
    if last is not None:
        if rows[last].target is not None or pi.lop_target is None:
            # The agreed trajectory: the period targets to date (they end where the latest report ends).
            expected, basis = rows[last].target_to_date, PLANNED
        else:
            start_value = (baseline or ZERO) if rule != Aggregation.SUM else ZERO
            expected = prorate(
                pi.lop_target, project.start_date, project.end_date, as_of, baseline=start_value
            )
            basis = PRORATED
    has_target = pi.lop_target is not None or any(t is not None for t in period_targets)
    if not has_target:
        status = Track.NO_TARGET
    elif as_of is None:
        status = Track.NO_DATA
    else:
        status = track(current.scalar(rule), expected, direction=direction, band=band)
    country = country_name(project.country.code)
    return PerformanceLine(
        label=f"{country} · {project.grant.award_number}",
        project_id=project.pk,
        grant_id=project.grant_id,
        rule=rule,
        direction=direction,
        baseline=baseline,
        lop_target=pi.lop_target,
        original_lop_target=pi.original_lop_target,
        periods=tuple(rows),
        to_date=current,
        expected=expected,
        percent_achieved=percent_achieved(
            current.scalar(rule), pi.lop_target, direction=direction, baseline=baseline
        ),
        track=status,
        as_of=as_of,
        as_of_label=periods[last].label if last is not None else "",
        expected_basis=basis,
        country=country,
        award_number=project.grant.award_number,
    )


def _sum(figures: Iterable[Decimal | None]) -> Decimal | None:
    present = [f for f in figures if f is not None]
    return sum(present, ZERO) if present else None


def _across(figures: Sequence[Decimal | None], values: Sequence[Value], percentage: bool) -> Decimal | None:
    """Targets of several projects as one: summed, or for percentages weighted by measured denominators."""
    if percentage:
        return implied_target_percent(zip(figures, (v.denominator for v in values), strict=True))
    return _sum(figures)


class _ToDate:
    """A line's periods that have figures to date, to find the latest one ending by a given day."""

    def __init__(self, line: PerformanceLine) -> None:
        self.periods = [p for p in line.periods if not p.future]
        self.ends = [p.end for p in self.periods]

    def as_of(self, end: datetime.date) -> PeriodFigures | None:
        """The latest period ending by ``end`` (None before the first report): a project that has not
        reported for a period still counts with what it last reported."""
        index = bisect.bisect_right(self.ends, end)
        return self.periods[index - 1] if index else None


def _group_periods(
    lines: Sequence[PerformanceLine], window: Window
) -> list[tuple[datetime.date, datetime.date, str]]:
    """The group's periods as (end, start, label), in time order, only those the page will show.

    Periods line up by their end: a project's first, partial period joins the full period ending with it.
    Computing a group row costs one lookup per project, so rows nobody will see are not computed: at
    portfolio scale (a thousand projects whose partial last periods end on hundreds of different days) that
    is most of the work.
    """
    ends: dict[datetime.date, tuple[datetime.date, str]] = {}
    for line in lines:
        for p in line.periods:
            start, _ = ends.get(p.end, (p.start, ""))
            ends[p.end] = (min(start, p.start), p.label.split(" (")[0])
    periods = [(end, start, label) for end, (start, label) in sorted(ends.items())]
    period_from, until, latest = window
    periods = [
        (end, start, label)
        for end, start, label in periods
        if (period_from is None or start >= period_from) and (until is None or start <= until)
    ]
    return periods[-latest:] if period_from is None and latest else periods


# What a page shows of a line's periods: (from, until, latest) as taken by ``shown``.
Window = tuple[datetime.date | None, datetime.date | None, int | None]
ALL_PERIODS: Window = (None, None, None)


def group_line(
    lines: Sequence[PerformanceLine],
    percentage: bool,
    band: Decimal,
    label: str,
    window: Window = ALL_PERIODS,
) -> PerformanceLine:
    """The same indicator across several projects: every figure built from the projects' own figures.

    ``window`` limits the period rows computed to those ``shown`` would keep; the figures to date always
    count every period."""
    first = lines[0]
    rule, direction = first.rule, first.direction
    ends_of = [{p.end: p for p in line.periods} for line in lines]
    to_dates_of = [_ToDate(line) for line in lines]
    rows = []
    for end, start, period_label in _group_periods(lines, window):
        matched = [by_end[end] for by_end in ends_of if end in by_end]
        latest = [to_date_of.as_of(end) for to_date_of in to_dates_of]
        known = [p for p in latest if p is not None]
        actual = combine(p.actual for p in matched)
        actual_to_date = combine(p.actual_to_date for p in known)
        target = _across([p.target for p in matched], [p.actual for p in matched], percentage)
        original = _across([p.original_target for p in matched], [p.actual for p in matched], percentage)
        to_date_target = _across(
            [p.target_to_date for p in known], [p.actual_to_date for p in known], percentage
        )
        future = not known or all(p.future for p in matched)
        if future:
            actual_to_date = MISSING
        rows.append(
            PeriodFigures(
                label=period_label,
                start=start,
                end=end,
                target=target,
                original_target=original,
                target_to_date=to_date_target,
                actual=actual,
                actual_to_date=actual_to_date,
                reported=any(p.reported for p in matched),
                actual_figure=actual.scalar(rule),
                actual_to_date_figure=actual_to_date.scalar(rule),
                percent_achieved=_period_percent(actual, target, rule, direction),
                track=Track.NO_DATA
                if future
                else track(actual_to_date.scalar(rule), to_date_target, direction=direction, band=band),
                future=future,
            )
        )
    reported = [line for line in lines if line.as_of is not None]
    current = combine(line.to_date for line in lines)
    to_dates = [line.to_date for line in lines]
    lop = _across([line.lop_target for line in lines], to_dates, percentage)
    original_lop = _across([line.original_lop_target for line in lines], to_dates, percentage)
    if percentage:
        baseline = None  # per-project baselines are shown on the project rows
        expected = implied_target_percent((line.expected, line.to_date.denominator) for line in reported)
    else:
        baseline = _sum(line.baseline for line in lines)
        expected = _sum(line.expected for line in reported)
    if all(line.track == Track.NO_TARGET for line in lines):
        status = Track.NO_TARGET
    elif not reported:
        status = Track.NO_DATA
    else:
        status = track(current.scalar(rule), expected, direction=direction, band=band)
    as_of = max((line.as_of for line in reported), default=None)
    bases = {line.expected_basis for line in reported}
    return PerformanceLine(
        expected_basis=bases.pop() if len(bases) == 1 else MIXED,
        label=label,
        project_id=None,
        grant_id=None,
        rule=rule,
        direction=direction,
        baseline=baseline,
        lop_target=lop,
        original_lop_target=original_lop,
        periods=tuple(rows),
        to_date=current,
        expected=expected,
        percent_achieved=percent_achieved(current.scalar(rule), lop, direction=direction, baseline=baseline),
        track=status,
        as_of=as_of,
    )


def shown(
    line: PerformanceLine,
    period_from: datetime.date | None,
    until: datetime.date | None,
    latest: int | None,
) -> PerformanceLine:
    """The periods to show: from the range's start, or else the ``latest`` few, up to ``until``. Periods left
    out of the table still count in the figures to date."""
    periods = [
        p
        for p in line.periods
        if (period_from is None or p.start >= period_from) and (until is None or p.start <= until)
    ]
    if period_from is None and latest:
        periods = periods[-latest:]
    return replace(line, periods=tuple(periods))


def cell_table(spec: IndicatorSpec, figures: dict[str, CellFigure]) -> CellTable | None:
    if not spec.categories:
        return None
    first, rest = spec.categories[0], spec.categories[1:]
    selections: list[list[tuple[str, str, str]]] = [[]]
    for category in rest:
        selections = [
            [*sel, (category.code, code, name)] for sel in selections for code, name in category.options
        ]
    rows = []
    for selection in selections:
        keys = [make_key({first.code: code, **{c: o for c, o, _ in selection}}) for code, _ in first.options]
        rows.append(
            (", ".join(name for _, _, name in selection) or first.name, tuple(figures[k] for k in keys))
        )
    return CellTable(columns=tuple(name for _, name in first.options), rows=tuple(rows), total=figures[TOTAL])
