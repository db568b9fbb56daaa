"""Indicator arithmetic, with no ORM: every figure on a screen or in a report comes from here.

Rules (see shared/domain.md):
- across disaggregation cells, country projects or grants in the same period, values add up (counts and money);
  percentages add their numerators and denominators and are recomputed, never averaged;
- over time, an indicator follows its aggregation rule: a *flow* (children reached this period) sums its periods;
  a *stock* (children currently enrolled) takes its latest stated value; a *ratio* sums numerators and
  denominators over the periods and recomputes the percentage;
- "nothing to report" is a stated zero for flows and ratios, and no new measurement for stocks; a missing value
  is neither and is never treated as zero.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
HUNDRED = Decimal("100")
ONE_DECIMAL = Decimal("0.1")
DEFAULT_BAND = Decimal("0.15")


class Aggregation(enum.StrEnum):
    SUM = "sum"  # flows: sum of the periods
    LATEST = "latest"  # stocks: latest stated value
    RATIO = "ratio"  # percentages: sum of numerators over sum of denominators


class Direction(enum.StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class Track(enum.StrEnum):
    ON_TRACK = "on_track"
    BEHIND = "behind"
    AHEAD = "ahead"
    NO_DATA = "no_data"
    NO_TARGET = "no_target"


@dataclass(frozen=True)
class Value:
    """One reported figure: a plain value, or a numerator and denominator for percentages."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    nothing_to_report: bool = False

    @property
    def is_missing(self) -> bool:
        return (
            not self.nothing_to_report
            and self.value is None
            and self.numerator is None
            and self.denominator is None
        )

    @property
    def percent(self) -> Decimal | None:
        return ratio_percent(self.numerator, self.denominator)

    def scalar(self, rule: Aggregation) -> Decimal | None:
        """The single figure to show: the percentage for ratios, the value otherwise."""
        if self.is_missing:
            return None
        if rule == Aggregation.RATIO:
            return self.percent
        if self.nothing_to_report:
            return ZERO
        return self.value


MISSING = Value()
NOTHING = Value(nothing_to_report=True)


def ratio_percent(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """numerator / denominator as a percentage with one decimal; None when it cannot be computed."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return (numerator * HUNDRED / denominator).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _sum(items: Iterable[Decimal | None]) -> Decimal | None:
    present = [item for item in items if item is not None]
    return sum(present, ZERO) if present else None


def combine(values: Iterable[Value]) -> Value:
    """Values of the same period from several cells, projects or grants: add them (ratios by their parts).

    Missing values are left out; the result is missing only when every value was missing, and "nothing to
    report" only when every stated value said so.
    """
    stated = [v for v in values if not v.is_missing]
    if not stated:
        return MISSING
    reported = [v for v in stated if not v.nothing_to_report]
    if not reported:
        return NOTHING
    return Value(
        value=_sum(v.value for v in reported),
        numerator=_sum(v.numerator for v in reported),
        denominator=_sum(v.denominator for v in reported),
    )


def to_date(series: Sequence[Value], rule: Aggregation) -> Value:
    """The cumulative (or current) value of a series of periods in time order, by the indicator's rule."""
    if rule == Aggregation.LATEST:
        for value in reversed(series):
            if not value.is_missing and not value.nothing_to_report:
                return value
        return NOTHING if any(v.nothing_to_report for v in series) else MISSING
    return combine(series)


def running(series: Sequence[Value], rule: Aggregation) -> list[Value]:
    """The to-date value after each period of the series (for tracking tables and charts).

    The same as ``to_date`` of every prefix, in one pass: adding up is associative, and a stock's to-date value
    is the last real value so far (or "nothing to report" until there is one). A portfolio page runs this for
    thousands of lines."""
    out: list[Value] = []
    acc = MISSING
    for value in series:
        if rule != Aggregation.LATEST:
            acc = combine((acc, value))
        elif not value.is_missing and not value.nothing_to_report:
            acc = value
        elif value.nothing_to_report and acc.is_missing:
            acc = NOTHING
        out.append(acc)
    return out


def percent_achieved(
    actual: Decimal | None,
    target: Decimal | None,
    *,
    direction: Direction = Direction.INCREASE,
    baseline: Decimal | None = None,
) -> Decimal | None:
    """How much of the target has been achieved, in percent with one decimal.

    For an indicator that should go down (say, the share of children in hazardous work) with a baseline, it is
    the share of the planned reduction achieved: (baseline - actual) / (baseline - target). Without a baseline
    it is target / actual, so that reaching a lower value than the target counts as over 100%.
    """
    if actual is None or target is None:
        return None
    if direction == Direction.DECREASE:
        if baseline is not None and baseline != target:
            return _percent(baseline - actual, baseline - target)
        return _percent(target, actual) if actual != 0 else None
    return _percent(actual, target)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole == 0:
        return None
    return (part * HUNDRED / whole).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def prorate(
    target: Decimal,
    start: datetime.date,
    end: datetime.date,
    as_of: datetime.date,
    *,
    baseline: Decimal = ZERO,
) -> Decimal:
    """The value expected by ``as_of`` on a straight line from the baseline at ``start`` to the target at ``end``."""
    if as_of <= start:
        return baseline
    if as_of >= end or end <= start:
        return target
    fraction = Decimal((as_of - start).days) / Decimal((end - start).days)
    return baseline + (target - baseline) * fraction


def track(
    actual: Decimal | None,
    expected: Decimal | None,
    *,
    direction: Direction = Direction.INCREASE,
    band: Decimal = DEFAULT_BAND,
) -> Track:
    """On track when the actual is within ``band`` (a share, 0.15 = 15%) of the value expected by now.

    Outside the band an indicator is behind or ahead according to its direction of change.
    """
    if expected is None:
        return Track.NO_TARGET
    if actual is None:
        return Track.NO_DATA
    low = expected * (1 - band)
    high = expected * (1 + band)
    if low <= actual <= high:
        return Track.ON_TRACK
    above = actual > high
    if direction == Direction.DECREASE:
        return Track.BEHIND if above else Track.AHEAD
    return Track.AHEAD if above else Track.BEHIND


def cells_total_gap(total: Decimal | None, cells: Iterable[Decimal | None]) -> Decimal | None:
    """total minus the sum of a complete category set's cells; None when nothing is there to compare."""
    cell_sum = _sum(cells)
    if total is None or cell_sum is None:
        return None
    return total - cell_sum


def change_share(previous: Decimal | None, current: Decimal | None) -> Decimal | None:
    """How far ``current`` moved from ``previous``, as a share (0.5 = 50%); None without a base to compare."""
    if previous is None or current is None or previous == 0:
        return None
    return abs(current - previous) / abs(previous)


def burn_rate(expenditure: Decimal | None, budget: Decimal | None) -> Decimal | None:
    """Spent share of the budget, in percent with one decimal."""
    if expenditure is None or budget is None:
        return None
    return _percent(expenditure, budget)


def time_elapsed(start: datetime.date, end: datetime.date, as_of: datetime.date) -> Decimal:
    """Elapsed share of a period of performance, in percent with one decimal (0 before, 100 after)."""
    if as_of <= start:
        return ZERO.quantize(ONE_DECIMAL)
    if as_of >= end or end <= start:
        return HUNDRED.quantize(ONE_DECIMAL)
    return _percent(Decimal((as_of - start).days), Decimal((end - start).days)) or ZERO


def target_to_date(targets: Sequence[Decimal | None], rule: Aggregation) -> Decimal | None:
    """The target to date from per-period targets in time order.

    A flow's period targets are what each period should add, so they sum; a stock's and a percentage's
    period targets are the level expected at the end of each period, so the latest one stands. Periods
    without a target are left out; None when no period has one.
    """
    stated = [target for target in targets if target is not None]
    if not stated:
        return None
    if rule == Aggregation.SUM:
        return sum(stated, ZERO)
    return stated[-1]


def implied_target_percent(pairs: Iterable[tuple[Decimal | None, Decimal | None]]) -> Decimal | None:
    """Several projects' percentage targets as one figure: (target percent, denominator) per project.

    Each target is weighted by the denominator its project actually measured, which gives the percentage the
    group would show had every project reached its own target exactly (the same recomputation from summed
    numerators and denominators as the actual, never a plain average of percents). Pairs missing either part
    are left out; None when nothing is left or the denominators add up to zero.
    """
    usable = [(target, den) for target, den in pairs if target is not None and den is not None]
    numerator = sum((target * den / HUNDRED for target, den in usable), ZERO)
    return ratio_percent(numerator, sum((den for _, den in usable), ZERO)) if usable else None
