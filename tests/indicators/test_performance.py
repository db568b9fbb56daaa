"""The performance builder: how approved actuals and targets combine over time and across projects.

Rows are written straight to the database (the services that write them are tested elsewhere); every expected
figure is worked out by hand in the case tables.
"""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from grants.models import CountryProject
from indicators.calculations import Track
from indicators.models import ActualValue, Target
from indicators.selectors.performance import PLANNED, PRORATED, performance_table
from tests.factories import CountryProjectFactory, GrantFactory
from tests.indicator_factories import (
    IndicatorFactory,
    ProjectIndicatorFactory,
    ReportingPeriodFactory,
    SubmissionFactory,
    library,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)
# Half-years of a grant running 1 Jan 2024 - 31 Dec 2027 (1460 days).
HALVES = [
    (datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)),
    (datetime.date(2024, 7, 1), datetime.date(2024, 12, 31)),
    (datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)),
    (datetime.date(2025, 7, 1), datetime.date(2025, 12, 31)),
]
KINDS = {
    "flow": {"measure_type": "count", "aggregation": "sum"},
    "stock": {"measure_type": "count", "aggregation": "latest"},
    "pct": {"measure_type": "percentage", "aggregation": "ratio"},
    "money": {"measure_type": "money", "aggregation": "sum"},
}
NTR = "nothing"  # "nothing to report" in the case tables; None = approved report without this figure
SKIP = "skip"  # no approved report for the period


def periods_of(grant):
    return [
        ReportingPeriodFactory(grant=grant, start_date=start, end_date=end, label=f"P{i + 1}")
        for i, (start, end) in enumerate(HALVES)
    ]


def write(submission, pi, figure, cell_key=""):
    if figure is None:
        return
    fields = {"nothing_to_report": True} if figure == NTR else {}
    if isinstance(figure, tuple):
        fields = {"numerator": D(figure[0]), "denominator": D(figure[1])}
    elif figure != NTR:
        fields = {"value": D(figure)}
    ActualValue.objects.create(submission=submission, project_indicator=pi, cell_key=cell_key, **fields)


def report(project, pi, periods, series, status="approved"):
    """One report per period of ``series`` (SKIP: none), holding this indicator's figure."""
    for period, figure in zip(periods, series, strict=False):
        if figure == SKIP:
            continue
        submission = SubmissionFactory(country_project=project, period=period, status=status)
        write(submission, pi, figure)


def build(*projects, **kwargs):
    kwargs.setdefault("today", TODAY)
    return performance_table(
        projects=CountryProject.objects.filter(pk__in=[p.pk for p in projects]), **kwargs
    )


@pytest.fixture
def grant(db):
    return GrantFactory(start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2027, 12, 31))


@pytest.fixture
def periods(grant):
    return periods_of(grant)


@pytest.mark.parametrize(
    ("kind", "series", "running", "to_date"),
    [
        # flows sum their periods; nothing to report is a stated zero
        ("flow", ["10", "20", NTR, "5"], [D(10), D(30), D(30), D(35)], D(35)),
        # a period without an approved report is missing, not zero, and later periods still add up
        ("flow", ["10", SKIP, "20"], [D(10), D(10), D(30)], D(30)),
        # stocks take the latest value; nothing to report and a missing figure are no new value
        ("stock", ["100", "150", NTR, None], [D(100), D(150), D(150), D(150)], D(150)),
        ("stock", ["100", "80"], [D(100), D(80)], D(80)),
        # percentages recompute from summed parts: (90 + 1) / (100 + 10) = 82.7%, not the 50% of an average
        ("pct", [("90", "100"), ("1", "10")], [D("90.0"), D("82.7")], D("82.7")),
        ("pct", [("30", "60"), NTR, ("10", "40")], [D("50.0"), D("50.0"), D("40.0")], D("40.0")),
        ("money", ["1000.50", "2000"], [D("1000.50"), D("3000.50")], D("3000.50")),
    ],
)
def test_one_project_over_time_follows_the_indicators_rule(grant, periods, kind, series, running, to_date):
    project = CountryProjectFactory(grant=grant)
    pi = ProjectIndicatorFactory(
        country_project=project, indicator=IndicatorFactory(**KINDS[kind]), lop_target=None
    )
    report(project, pi, periods, series)

    line = build(project, with_projects=False).indicators[0].total

    shown = [p.actual_to_date_figure for p in line.periods[: len(running)]]
    assert shown == running
    assert line.to_date_figure == to_date


@pytest.mark.parametrize(
    ("kind", "series_a", "series_b", "to_date", "per_project"),
    [
        # flows and stocks of different projects count different people: they add up
        ("flow", ["10", "20"], ["5", "5"], D(40), [D(30), D(10)]),
        # each project's latest stock, added: B has not reported since P1
        ("stock", ["100", "150"], ["30", SKIP], D(180), [D(150), D(30)]),
        ("stock", ["100", "150"], ["30", NTR], D(180), [D(150), D(30)]),
        # percentages across projects: 91 / 110, never the average of 90% and 10%
        ("pct", [("90", "100")], [("1", "10")], D("82.7"), [D("90.0"), D("10.0")]),
        ("money", ["250.25"], ["100"], D("350.25"), [D("250.25"), D(100)]),
    ],
)
def test_projects_combine_by_measure(grant, periods, kind, series_a, series_b, to_date, per_project):
    indicator = IndicatorFactory(**KINDS[kind])
    a, b = CountryProjectFactory(grant=grant, country="GT"), CountryProjectFactory(grant=grant, country="HN")
    pi_a = ProjectIndicatorFactory(country_project=a, indicator=indicator, lop_target=None)
    pi_b = ProjectIndicatorFactory(country_project=b, indicator=indicator, lop_target=None)
    report(a, pi_a, periods, series_a)
    report(b, pi_b, periods, series_b)

    item = build(a, b).indicators[0]

    assert item.total.to_date_figure == to_date
    assert [line.to_date_figure for line in item.projects] == per_project
    # The group's last reported period to date equals the headline figure.
    assert [p for p in item.total.periods if not p.future][-1].actual_to_date_figure == to_date


def test_percentage_targets_across_projects_are_weighted_by_measured_denominators(grant, periods):
    indicator = IndicatorFactory(**KINDS["pct"])
    a, b = CountryProjectFactory(grant=grant, country="GT"), CountryProjectFactory(grant=grant, country="HN")
    pi_a = ProjectIndicatorFactory(country_project=a, indicator=indicator, lop_target=D(80))
    pi_b = ProjectIndicatorFactory(country_project=b, indicator=indicator, lop_target=D(20))
    report(a, pi_a, periods, [("90", "100")])
    report(b, pi_b, periods, [("1", "10")])
    for pi, value in ((pi_a, D(70)), (pi_b, D(10))):
        Target.objects.create(project_indicator=pi, period=periods[0], value=value, original_value=value)

    total = build(a, b).indicators[0].total

    # (80% of 100 + 20% of 10) / 110 = 74.5%; the plain average would say 50%.
    assert total.lop_target == D("74.5")
    # Period 1: (70% of 100 + 10% of 10) / 110 = 64.5%.
    assert total.periods[0].target == D("64.5")
    assert total.to_date_figure == D("82.7")


def test_counts_targets_sum_across_projects_and_keep_the_original(grant, periods):
    indicator = IndicatorFactory(**KINDS["flow"])
    a, b = CountryProjectFactory(grant=grant, country="GT"), CountryProjectFactory(grant=grant, country="HN")
    pi_a = ProjectIndicatorFactory(country_project=a, indicator=indicator, lop_target=D(600))
    pi_a.original_lop_target = D(500)
    pi_a.save()
    pi_b = ProjectIndicatorFactory(country_project=b, indicator=indicator, lop_target=D(400))
    Target.objects.create(project_indicator=pi_a, period=periods[0], value=D(90), original_value=D(100))
    Target.objects.create(project_indicator=pi_a, period=periods[1], value=D(100), original_value=D(100))
    Target.objects.create(project_indicator=pi_b, period=periods[0], value=D(50), original_value=D(50))
    report(a, pi_a, periods, ["80", "100"])
    report(b, pi_b, periods, ["40"])

    item = build(a, b)
    total = item.indicators[0].total
    project_a = item.indicators[0].projects[0]

    assert (total.lop_target, total.original_lop_target) == (D(1000), D(900))
    assert total.lop_revised and project_a.lop_revised
    first = total.periods[0]
    assert (first.target, first.original_target, first.target_revised) == (D(140), D(150), True)
    # cumulative targets to date: A 90 + 100, B 50 (no target after P1)
    assert total.periods[1].target_to_date == D(240)
    assert project_a.periods[0].target_revised and not project_a.periods[1].target_revised


@pytest.mark.parametrize(
    ("actual", "status", "achieved"),
    [
        # LOP 400 over 1 Jan 2024 - 31 Dec 2027; by the end of P2 (365 of 1460 days) 100 are expected.
        ("100", Track.ON_TRACK, D("25.0")),
        ("114", Track.ON_TRACK, D("28.5")),
        ("130", Track.AHEAD, D("32.5")),
        ("30", Track.BEHIND, D("7.5")),
    ],
)
def test_on_track_against_the_prorated_lop_target(grant, periods, actual, status, achieved):
    project = CountryProjectFactory(grant=grant)
    pi = ProjectIndicatorFactory(
        country_project=project, indicator=IndicatorFactory(**KINDS["flow"]), lop_target=D(400)
    )
    report(project, pi, periods, [NTR, actual])

    line = build(project, with_projects=False).indicators[0].total

    assert line.expected == D(100)
    assert (line.track, line.percent_achieved) == (status, achieved)
    assert line.as_of == HALVES[1][1]


def test_a_stock_is_prorated_from_its_baseline(grant, periods):
    project = CountryProjectFactory(grant=grant)
    pi = ProjectIndicatorFactory(
        country_project=project,
        indicator=IndicatorFactory(**KINDS["stock"]),
        lop_target=D(500),
        baseline_value=D(100),
    )
    report(project, pi, periods, ["150", "200"])

    line = build(project, with_projects=False).indicators[0].total

    # 100 + (500 - 100) * 365 / 1460 = 200
    assert line.expected == D(200)
    assert line.track == Track.ON_TRACK


def test_only_approved_reports_count_and_pending_ones_are_counted_apart(grant, periods):
    project = CountryProjectFactory(grant=grant)
    pi = ProjectIndicatorFactory(
        country_project=project, indicator=IndicatorFactory(**KINDS["flow"]), lop_target=D(400)
    )
    report(project, pi, periods[:1], ["10"])
    report(project, pi, periods[1:2], ["999"], status="submitted")
    report(project, pi, periods[2:3], ["5"])
    report(project, pi, periods[3:4], ["555"], status="draft")

    table = build(project, with_projects=False)
    line = table.indicators[0].total

    assert line.to_date_figure == D(15)
    assert [p.actual_figure for p in line.periods] == [D(10), None, D(5), None]
    assert [p.actual_to_date_figure for p in line.periods] == [D(10), D(10), D(15), None]
    assert table.pending_reports == 1
    assert [p.reported for p in line.periods] == [True, False, True, False]
    assert [p.future for p in line.periods] == [False, False, False, True]


def test_no_approved_data_is_no_data_and_no_target_is_no_target(grant, periods):
    project = CountryProjectFactory(grant=grant)
    with_target = ProjectIndicatorFactory(
        country_project=project, indicator=IndicatorFactory(code="A1"), lop_target=D(5)
    )
    without = ProjectIndicatorFactory(
        country_project=project, indicator=IndicatorFactory(code="A2"), lop_target=None
    )
    report(project, without, periods, ["3"])

    table = build(project, with_projects=False)
    by_code = {item.code: item.total for item in table.indicators}

    assert by_code["A1"].track == Track.NO_DATA and by_code["A1"].to_date_figure is None
    assert by_code["A2"].track == Track.NO_TARGET and by_code["A2"].to_date_figure == D(3)
    assert with_target.pk  # both adopted


def test_period_range_limits_the_table_not_the_cumulative(grant, periods):
    project = CountryProjectFactory(grant=grant)
    pi = ProjectIndicatorFactory(
        country_project=project, indicator=IndicatorFactory(**KINDS["flow"]), lop_target=None
    )
    report(project, pi, periods, ["10", "20", "30", "40"])

    line = (
        build(project, with_projects=False, period_from=HALVES[1][0], period_to=HALVES[2][1])
        .indicators[0]
        .total
    )

    assert [p.label for p in line.periods] == ["P2", "P3"]
    # P1 still counts; P4 is after the as-of period and does not.
    assert [p.actual_to_date_figure for p in line.periods] == [D(30), D(60)]
    assert line.to_date_figure == D(60)


def test_indicator_and_domain_filters(grant, periods):
    project = CountryProjectFactory(grant=grant)
    first = ProjectIndicatorFactory(country_project=project, indicator=IndicatorFactory(domain="education"))
    ProjectIndicatorFactory(country_project=project, indicator=IndicatorFactory(domain="livelihoods"))

    assert [i.indicator_id for i in build(project, indicator_ids=[first.indicator_id]).indicators] == [
        first.indicator_id
    ]
    assert [i.indicator_id for i in build(project, domain="education").indicators] == [first.indicator_id]


def test_cells_show_the_latest_approved_period_added_across_projects(grant, periods):
    indicator = library("E3")  # percentage by sex
    a, b = CountryProjectFactory(grant=grant, country="GT"), CountryProjectFactory(grant=grant, country="HN")
    pi_a = ProjectIndicatorFactory(country_project=a, indicator=indicator, lop_target=D(80))
    pi_b = ProjectIndicatorFactory(country_project=b, indicator=indicator, lop_target=D(80))
    for project, pi, parts in ((a, pi_a, (("9", "10"), ("1", "10"))), (b, pi_b, (("5", "10"), ("5", "10")))):
        old = SubmissionFactory(country_project=project, period=periods[0], status="approved")
        write(old, pi, ("0", "10"), "sex=female")
        latest = SubmissionFactory(country_project=project, period=periods[1], status="approved")
        write(latest, pi, parts[0], "sex=female")
        write(latest, pi, parts[1], "sex=male")

    cells = {c.label: c for c in build(a, b, with_cells=True).indicators[0].cells}

    assert cells["Female"].figure == D("70.0")  # (9 + 5) / (10 + 10)
    assert cells["Male"].figure == D("30.0")
    assert (cells["Female"].actual.numerator, cells["Female"].actual.denominator) == (D(14), D(20))


def test_projects_whose_periods_do_not_line_up_still_add_up(grant, periods):
    """A partial first period joins the full period ending on the same day; a quarterly grant's periods
    count with what each project had reported by then."""
    indicator = IndicatorFactory(**KINDS["flow"])
    a = CountryProjectFactory(grant=grant, country="GT")
    quarterly = GrantFactory(start_date=datetime.date(2024, 4, 1), end_date=datetime.date(2027, 12, 31))
    b = CountryProjectFactory(grant=quarterly, country="HN")
    q1 = ReportingPeriodFactory(
        grant=quarterly, start_date=datetime.date(2024, 4, 1), end_date=datetime.date(2024, 6, 30), label="Q"
    )
    q2 = ReportingPeriodFactory(
        grant=quarterly, start_date=datetime.date(2024, 7, 1), end_date=datetime.date(2024, 9, 30), label="Q2"
    )
    pi_a = ProjectIndicatorFactory(country_project=a, indicator=indicator, lop_target=None)
    pi_b = ProjectIndicatorFactory(country_project=b, indicator=indicator, lop_target=None)
    report(a, pi_a, periods, ["10", "20"])
    report(b, pi_b, [q1, q2], ["1", "2"])

    total = build(a, b).indicators[0].total
    by_end = {p.end: p for p in total.periods}

    assert by_end[datetime.date(2024, 6, 30)].actual_figure == D(11)
    assert by_end[datetime.date(2024, 9, 30)].actual_to_date_figure == D(13)  # A's 10 by then, B's 1 + 2
    assert by_end[datetime.date(2024, 12, 31)].actual_to_date_figure == D(33)
    assert total.to_date_figure == D(33)


@pytest.mark.parametrize(
    ("kind", "targets", "series", "expected", "basis", "status"),
    [
        # Period targets to date are the agreed trajectory: 50 + 150 = 200 by P2, so 190 is on track
        # (the straight-line LOP, 400 * 365 / 1460 = 100, would have called it ahead).
        ("flow", ["50", "150"], ["60", "130"], D(200), PLANNED, Track.ON_TRACK),
        ("flow", ["50", "150"], ["20", "40"], D(200), PLANNED, Track.BEHIND),
        # A stock's trajectory is its latest period target.
        ("stock", ["50", "150"], ["60", "150"], D(150), PLANNED, Track.ON_TRACK),
        # The latest approved period has no target: the LOP target pro-rated stands in.
        ("flow", ["50", None], ["60", "40"], D(100), PRORATED, Track.ON_TRACK),
    ],
)
def test_expected_value_follows_the_period_targets_where_there_are_some(
    grant, periods, kind, targets, series, expected, basis, status
):
    project = CountryProjectFactory(grant=grant)
    pi = ProjectIndicatorFactory(
        country_project=project, indicator=IndicatorFactory(**KINDS[kind]), lop_target=D(400)
    )
    for period, value in zip(periods, targets, strict=False):
        if value is not None:
            Target.objects.create(
                project_indicator=pi, period=period, value=D(value), original_value=D(value)
            )
    report(project, pi, periods, series)

    line = build(project, with_projects=False).indicators[0].total

    assert (line.expected, line.expected_basis, line.track) == (expected, basis, status)


def test_an_indicator_that_should_go_down_is_ahead_below_its_trajectory(grant, periods):
    indicator = IndicatorFactory(measure_type="count", aggregation="latest", direction="decrease")
    project = CountryProjectFactory(grant=grant)
    pi = ProjectIndicatorFactory(
        country_project=project, indicator=indicator, lop_target=D(20), baseline_value=D(100)
    )
    Target.objects.create(project_indicator=pi, period=periods[0], value=D(80), original_value=D(80))
    report(project, pi, periods, ["50"])

    line = build(project, with_projects=False).indicators[0].total

    # 50 children in hazardous work where 80 were planned: ahead. Share of the planned reduction achieved:
    # (100 - 50) / (100 - 20) = 62.5%.
    assert (line.expected, line.track, line.percent_achieved) == (D(80), Track.AHEAD, D("62.5"))


@pytest.mark.parametrize("n_projects", [1, 4])
def test_builder_query_count_is_constant(grant, periods, django_assert_num_queries, n_projects):
    indicators = [library(code) for code in ("E1", "E2", "E4")]  # disaggregated, as most are
    projects = []
    for n in range(n_projects):
        project = CountryProjectFactory(grant=grant, country=["GT", "HN", "SV", "MX"][n])
        pis = [
            ProjectIndicatorFactory(country_project=project, indicator=indicator) for indicator in indicators
        ]
        for period, figure in zip(periods, ["1", "2", "3"], strict=False):
            submission = SubmissionFactory(country_project=project, period=period, status="approved")
            for pi in pis:
                write(submission, pi, figure)
        projects.append(project)

    # projects, project indicators, periods, targets, reports, values
    with django_assert_num_queries(6):
        table = build(*projects)
    # + the library (project indicators with indicators, categories, options) and the cells' values
    with django_assert_num_queries(10):
        build(*projects, with_cells=True)
    assert table.indicators[0].total.to_date_figure == D(6 * n_projects)
