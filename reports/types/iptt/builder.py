"""Build the IPTT: every project indicator x reporting period x disaggregation cell of the scope's projects.

Queries, whatever the number of grants, projects and indicators (pinned in tests/reports/test_iptt.py):
the scope's check that asked-for grants are visible (only when grants or projects were chosen), projects with
their grants, project indicators with their indicators (plus the library's categories and options: two
prefetches), periods, targets (every cell), approved reports, approved values (every cell). Rows are read flat
with values_list and folded in Python.

Figures follow the performance pages exactly: the total line of each project indicator is
``performance_lines.project_line`` (LOP percent achieved, expected value and on-track status included); each
cell line is folded with the same calculations (``running``, ``target_to_date``, ``percent_achieved``,
``track``). Only APPROVED reports count as actuals, as in ``indicators.selectors.performance``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings

from grants.countries import country_name
from grants.models import User
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
from indicators.models.submissions import SubmissionStatus
from indicators.selectors.performance_lines import PerformanceLine, project_line
from indicators.selectors.performance_lines import Period as LinePeriod
from indicators.validation import IndicatorSpec
from reports.registry import Progress
from reports.scope import ReportScope, scope_projects
from reports.types.iptt.data import Indicator, IpttReport, Line, Period, PeriodFigures, Project

TITLE = "Indicator performance tracking table (IPTT)"


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


def build(scope: ReportScope, user: User | None, progress: Progress) -> IpttReport:
    band = Decimal(settings.INDICATOR_ON_TRACK_BAND)
    same = _Interned()
    today = scope.today()
    projects = list(
        scope_projects(scope, user).select_related("grant").order_by("grant__award_number", "country")
    )
    project_ids = [p.pk for p in projects]
    pis_qs = ProjectIndicator.objects.with_library().filter(country_project_id__in=project_ids)
    same_indicators: dict[str, object] = {}
    if scope.indicator_codes:
        pis_qs = pis_qs.filter(indicator__code__in=scope.indicator_codes)
        same_indicators["project_indicator__indicator__code__in"] = scope.indicator_codes
    pis_of: dict[int, list[ProjectIndicator]] = defaultdict(list)
    for pi in pis_qs.order_by("country_project_id", "sort_order", "indicator__code"):
        pis_of[pi.country_project_id].append(pi)

    # Every period up to the range's end: figures to date count the periods before the range's start too.
    until = scope.period_to or today
    periods_of: dict[int, list[LinePeriod]] = defaultdict(list)
    for pk, grant_id, label, start, end in (
        ReportingPeriod.objects.filter(grant_id__in={p.grant_id for p in projects}, start_date__lte=until)
        .order_by("start_date")
        .values_list("pk", "grant_id", "label", "start_date", "end_date")
    ):
        periods_of[grant_id].append(LinePeriod(pk, label, start, end))

    # Targets and values are reached through the projects, never a long list of project indicator ids (see
    # indicators.selectors.performance._load: SQLite probes such a list once per row).
    targets: dict[tuple[int, str], dict[int, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for pi_id, period_id, key, value, original in (
        Target.objects.filter(project_indicator__country_project_id__in=project_ids, **same_indicators)
        .order_by()
        .values_list("project_indicator_id", "period_id", "cell_key", "value", "original_value")
        .iterator(chunk_size=5000)
    ):
        targets[(pi_id, key)][period_id] = (same(value), same(original))
    approved = set(
        Submission.objects.filter(country_project_id__in=project_ids, status=SubmissionStatus.APPROVED)
        .order_by()
        .values_list("country_project_id", "period_id")
    )
    # Raw figures, not Value objects: half a million of those would double the build's memory.
    actuals: dict[tuple[int, str], dict[int, tuple]] = defaultdict(dict)
    for pi_id, period_id, key, value, numerator, denominator, nothing in (
        ActualValue.objects.filter(
            submission__country_project_id__in=project_ids,
            submission__status=SubmissionStatus.APPROVED,
            **same_indicators,
        )
        .order_by()
        .values_list(
            "project_indicator_id",
            "submission__period_id",
            "cell_key",
            "value",
            "numerator",
            "denominator",
            "nothing_to_report",
        )
        .iterator(chunk_size=5000)
    ):
        actuals[(pi_id, key)][period_id] = (same(value), same(numerator), same(denominator), nothing)

    built = []
    specs: dict[int, IndicatorSpec] = {}  # one per indicator: the same categories in every project
    every = max(1, len(projects) // 100)  # progress about a hundred times, whatever the scope's size
    for done, project in enumerate(projects):
        if done % every == 0:
            progress(
                done, len(projects), f"{country_name(project.country.code)} · {project.grant.award_number}"
            )
        own = [
            p
            for p in periods_of[project.grant_id]
            if p.end >= project.start_date and p.start <= project.end_date
        ]
        shown_from = next(
            (i for i, p in enumerate(own) if scope.period_from is None or p.start >= scope.period_from),
            len(own),
        )
        approved_own = {p.pk for p in own if (project.pk, p.pk) in approved}
        last = max((i for i, p in enumerate(own) if p.pk in approved_own), default=None)
        indicators = []
        for pi in pis_of[project.pk]:
            pi.country_project = project
            spec = specs.get(pi.indicator_id) or specs.setdefault(pi.indicator_id, pi.spec())
            rule, direction = Aggregation(spec.aggregation), Direction(pi.indicator.direction)
            total = project_line(
                pi, own, approved_own, targets.get((pi.pk, TOTAL), {}), _values(actuals, pi.pk, TOTAL), band
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
        if not indicators or shown_from == len(own):
            continue
        built.append(
            Project(
                project_id=project.pk,
                award_number=project.grant.award_number,
                country_code=project.country.code,
                country=country_name(project.country.code),
                title=project.title,
                start=project.start_date,
                end=project.end_date,
                periods=tuple(Period(p.label, p.start, p.end) for p in own[shown_from:]),
                indicators=tuple(indicators),
            )
        )
    progress(len(projects), len(projects), "Done")
    return IpttReport(
        title=scope.title or TITLE,
        as_of=today,
        band=band,
        period_from=scope.period_from,
        period_to=scope.period_to,
        projects=tuple(built),
    )
