"""Table-driven checks of the indicator arithmetic, each case worked out by hand."""

import datetime
import random
from decimal import Decimal as D

import pytest

from indicators.calculations import (
    MISSING,
    NOTHING,
    Aggregation,
    Direction,
    Track,
    Value,
    burn_rate,
    cells_total_gap,
    change_share,
    combine,
    percent_achieved,
    prorate,
    ratio_percent,
    running,
    time_elapsed,
    to_date,
    track,
)


def v(value=None, num=None, den=None):
    return Value(
        value=None if value is None else D(value),
        numerator=None if num is None else D(num),
        denominator=None if den is None else D(den),
    )


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        ("1", "3", D("33.3")),
        ("2", "3", D("66.7")),
        ("0", "5", D("0.0")),
        ("5", "0", None),
        (None, "5", None),
        ("7", "7", D("100.0")),
        ("1", "8", D("12.5")),
    ],
)
def test_ratio_percent(num, den, expected):
    assert ratio_percent(None if num is None else D(num), None if den is None else D(den)) == expected


def test_percentages_combine_from_numerators_and_denominators_never_averaged():
    # 90/100 = 90% and 1/10 = 10%: the average of percentages would say 50%; the truth is 91/110 = 82.7%.
    combined = combine([v(num=90, den=100), v(num=1, den=10)])
    assert (combined.numerator, combined.denominator) == (D(91), D(110))
    assert combined.scalar(Aggregation.RATIO) == D("82.7")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([v(10), v(5), v("2.5")], v("17.5")),
        ([v(10), MISSING, v(5)], v(15)),
        ([MISSING, MISSING], MISSING),
        ([NOTHING, MISSING], NOTHING),
        ([NOTHING, v(4)], v(4)),
        ([], MISSING),
    ],
)
def test_combine_counts(values, expected):
    assert combine(values) == expected


@pytest.mark.parametrize(
    ("rule", "series", "expected_scalar"),
    [
        # flows: children reached per period add up
        (Aggregation.SUM, [v(120), v(80), v(100)], D(300)),
        (Aggregation.SUM, [v(120), NOTHING, v(100)], D(220)),
        (Aggregation.SUM, [v(120), MISSING, v(100)], D(220)),
        # stocks: children enrolled now is the latest stated value, not a sum
        (Aggregation.LATEST, [v(120), v(150), v(140)], D(140)),
        (Aggregation.LATEST, [v(120), v(150), MISSING], D(150)),
        (Aggregation.LATEST, [v(120), v(150), NOTHING], D(150)),
        (Aggregation.LATEST, [NOTHING], D(0)),
        (Aggregation.LATEST, [MISSING, MISSING], None),
        # ratios: 45/50 then 30/100 -> 75/150 = 50.0%, not the 60% average of 90% and 30%
        (Aggregation.RATIO, [v(num=45, den=50), v(num=30, den=100)], D("50.0")),
        (Aggregation.RATIO, [v(num=45, den=50), MISSING], D("90.0")),
    ],
)
def test_to_date_follows_the_rule(rule, series, expected_scalar):
    assert to_date(series, rule).scalar(rule) == expected_scalar


def test_running_totals_per_period():
    series = [v(10), v(20), MISSING, v(5)]
    assert [r.scalar(Aggregation.SUM) for r in running(series, Aggregation.SUM)] == [
        D(10),
        D(30),
        D(30),
        D(35),
    ]
    assert [r.scalar(Aggregation.LATEST) for r in running(series, Aggregation.LATEST)] == [
        D(10),
        D(20),
        D(20),
        D(5),
    ]


@pytest.mark.parametrize(
    ("actual", "target", "direction", "baseline", "expected"),
    [
        ("75", "100", Direction.INCREASE, None, D("75.0")),
        ("150", "100", Direction.INCREASE, None, D("150.0")),
        ("0", "100", Direction.INCREASE, None, D("0.0")),
        ("10", "0", Direction.INCREASE, None, None),
        (None, "100", Direction.INCREASE, None, None),
        # child labour prevalence from 40% towards 20%: at 30% half of the planned fall is achieved
        ("30", "20", Direction.DECREASE, "40", D("50.0")),
        ("15", "20", Direction.DECREASE, "40", D("125.0")),
        ("45", "20", Direction.DECREASE, "40", D("-25.0")),
        # without a baseline: target / actual
        ("25", "20", Direction.DECREASE, None, D("80.0")),
        ("0", "20", Direction.DECREASE, None, None),
    ],
)
def test_percent_achieved(actual, target, direction, baseline, expected):
    def d(x):
        return None if x is None else D(x)

    assert percent_achieved(d(actual), d(target), direction=direction, baseline=d(baseline)) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (datetime.date(2024, 1, 1), D(0)),
        (datetime.date(2023, 6, 1), D(0)),
        (datetime.date(2025, 1, 1), D(1000) * D(366) / D(731)),
        (datetime.date(2026, 1, 1), D(1000)),
        (datetime.date(2027, 1, 1), D(1000)),
    ],
)
def test_prorate_on_a_straight_line(as_of, expected):
    assert prorate(D(1000), datetime.date(2024, 1, 1), datetime.date(2026, 1, 1), as_of) == expected


def test_prorate_from_a_baseline():
    assert prorate(
        D(60),
        datetime.date(2024, 1, 1),
        datetime.date(2024, 1, 11),
        datetime.date(2024, 1, 6),
        baseline=D(40),
    ) == D(50)


@pytest.mark.parametrize(
    ("actual", "expected", "direction", "band", "result"),
    [
        ("85", "100", Direction.INCREASE, "0.15", Track.ON_TRACK),
        ("115", "100", Direction.INCREASE, "0.15", Track.ON_TRACK),
        ("84.9", "100", Direction.INCREASE, "0.15", Track.BEHIND),
        ("115.1", "100", Direction.INCREASE, "0.15", Track.AHEAD),
        ("84.9", "100", Direction.DECREASE, "0.15", Track.AHEAD),
        ("115.1", "100", Direction.DECREASE, "0.15", Track.BEHIND),
        ("89", "100", Direction.INCREASE, "0.10", Track.BEHIND),
        ("0", "0", Direction.INCREASE, "0.15", Track.ON_TRACK),
        ("1", "0", Direction.INCREASE, "0.15", Track.AHEAD),
        (None, "100", Direction.INCREASE, "0.15", Track.NO_DATA),
        ("50", None, Direction.INCREASE, "0.15", Track.NO_TARGET),
    ],
)
def test_track(actual, expected, direction, band, result):
    def d(x):
        return None if x is None else D(x)

    assert track(d(actual), d(expected), direction=direction, band=D(band)) == result


def test_disaggregation_gap_and_change_share():
    assert cells_total_gap(D(100), [D(40), D(60)]) == D(0)
    assert cells_total_gap(D(100), [D(40), D(50)]) == D(10)
    assert cells_total_gap(D(100), [D(40), None]) == D(60)
    assert cells_total_gap(None, [D(1)]) is None
    assert cells_total_gap(D(5), [None, None]) is None
    assert change_share(D(200), D(300)) == D("0.5")
    assert change_share(D(200), D(100)) == D("0.5")
    assert change_share(D(0), D(100)) is None


def test_burn_rate_and_time_elapsed():
    assert burn_rate(D("250000"), D("1000000")) == D("25.0")
    assert burn_rate(D("1"), D("0")) is None
    start, end = datetime.date(2024, 1, 1), datetime.date(2024, 1, 11)
    assert time_elapsed(start, end, datetime.date(2024, 1, 6)) == D("50.0")
    assert time_elapsed(start, end, datetime.date(2023, 1, 1)) == D("0.0")
    assert time_elapsed(start, end, datetime.date(2030, 1, 1)) == D("100.0")


@pytest.mark.parametrize(
    ("targets", "rule", "expected"),
    [
        # flows: each period adds its target
        ([D(100), D(150), D(200)], Aggregation.SUM, D(450)),
        ([D(100), None, D(200)], Aggregation.SUM, D(300)),
        # stocks: the level expected at the end of the latest period with a target
        ([D(100), D(150), D(200)], Aggregation.LATEST, D(200)),
        ([D(100), D(150), None], Aggregation.LATEST, D(150)),
        # percentages: the latest period's target percent, never a sum or an average
        ([D(60), D(70), D(80)], Aggregation.RATIO, D(80)),
        ([None, None], Aggregation.SUM, None),
        ([], Aggregation.LATEST, None),
    ],
)
def test_target_to_date(targets, rule, expected):
    from indicators.calculations import target_to_date

    assert target_to_date(targets, rule) == expected


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # 90% of 100 and 10% of 10: weighted (90 + 1) / 110 = 82.7%, not the 50% an average would give
        ([(D(90), D(100)), (D(10), D(10))], D("82.7")),
        ([(D(80), D(50)), (D(80), D(150))], D("80.0")),
        # a project without a measured denominator (or target) is left out
        ([(D(60), D(40)), (D(90), None), (None, D(10))], D("60.0")),
        ([(D(60), D(0))], None),
        ([], None),
    ],
)
def test_implied_target_percent(pairs, expected):
    from indicators.calculations import implied_target_percent

    assert implied_target_percent(pairs) == expected


@pytest.mark.parametrize("rule", list(Aggregation))
def test_running_is_to_date_of_every_prefix(rule):
    """The one-pass running total agrees with the definition on many random series."""
    rng = random.Random(20261124)
    choices = [
        MISSING,
        Value(nothing_to_report=True),
        Value(value=D("0")),
        Value(value=D("7")),
        Value(value=D("12.50")),
        Value(numerator=D("3"), denominator=D("10")),
        Value(numerator=D("0"), denominator=D("4")),
    ]
    for _ in range(300):
        series = [rng.choice(choices) for _ in range(rng.randint(0, 9))]
        assert running(series, rule) == [to_date(series[: i + 1], rule) for i in range(len(series))]
