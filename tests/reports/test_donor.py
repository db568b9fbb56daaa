"""Portfolio donor report: renderers on hand-built data read back value by value (openpyxl, pdftotext), the
builder against the database with hand-worked figures, pinned query counts, isolation and the empty report."""

from __future__ import annotations

import datetime
import io
import subprocess
from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from openpyxl import load_workbook

from grants.models import MilestoneStatus
from indicators.cells import TOTAL, make_key
from indicators.models import ActualValue, NodeLevel, ResultNode
from reports.registry import REGISTRY, no_progress
from reports.scope import ReportScope, ScopeProblem
from reports.types.donor.builder import _empty, build
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
from reports.types.donor.pdf import render_pdf
from reports.types.donor.xlsx import render_xlsx
from reports.types.milestones.data import TimelinessLine
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory
from tests.indicator_factories import (
    ProjectIndicatorFactory,
    ReportingPeriodFactory,
    SubmissionFactory,
    library,
)

TODAY = datetime.date(2026, 6, 1)
ACCENTED = "Fundación Caminos de Esperanza — São Paulo, Côte d'Ivoire"
AGES = ("5-11", "12-14")


# --- renderers, from hand-built data ------------------------------------------------------------------------


def funding(name: str, amount: str, spent: str) -> FundingLine:
    return FundingLine(name, 1, 2, D(amount), D(spent), D("25.0"), D("50.0"))


E1 = IndicatorLine("E1", "Children reached", "children", D("1000"), D("412"), D("41.2"), "Behind", "P3")
E3 = IndicatorLine("E3", "Attending school", "percent", D("80"), D("72.5"), D("90.6"), "On track", "P3", True)


def hand_report(projects: int = 2) -> DonorReport:
    pages = tuple(
        ProjectPage(
            country="Brazil" if i % 2 else "Côte d'Ivoire",
            award_number=f"IL-{i:05d}-24",
            title=f"Niñez protegida {i}",
            grantee="Fundación Caminos de Esperanza",
            start=datetime.date(2024, 1, 1),
            end=datetime.date(2027, 12, 31),
            budget=D("1000000"),
            expenditure=D("250000"),
            burn_rate=D("25.0"),
            time_elapsed=D("60.5"),
            milestones_completed=3,
            milestones_open=2,
            milestones_overdue=1,
            period="FY2025 H2",
            achievements=f"{ACCENTED}\nProject {i}: remedial classes opened in 4 schools.",
            challenges='=HYPERLINK("http://x") flooding closed two schools.',
            next_steps="Train 40 teachers.",
            outcomes=(OutcomeBlock(f"Brazil · IL-{i:05d}-24", "1.1", "Children attend school", (E1, E3)),),
        )
        for i in range(projects)
    )
    return DonorReport(
        title="Donor report for São Tomé",
        scope_line="IL-00001-24 · Brazil, Côte d'Ivoire · as of 01 Jun 2026",
        as_of=TODAY,
        headline=Headline(
            grants=2,
            countries=2,
            projects=projects,
            obligated=D("7500000"),
            budget=D("2000000"),
            expenditure=D("1234567.89"),
            burn_rate=D("16.5"),
            time_elapsed=D("61.2"),
            children_female=D("230"),
            children_male=D("182"),
            children_total=D("412"),
            households=D("95"),
            children_indicator="E1 Children reached",
            households_indicator="L1 Households reached",
        ),
        countries=(funding("Côte d'Ivoire", "1500000", "300000"), funding("Brazil", "500000", "100000")),
        themes=(funding("Child labour", "7500000", "400000"),),
        indicators=(E1, E3),
        milestones=(MilestoneCount("Completed", 6), MilestoneCount("Overdue (open and past due)", 2)),
        projects=pages,
        timeliness=TimelinessLine("Whole scope", 10, 9, D("90.0"), 4, 3, D("75.0"), 2, D("6.5"), 9, D("4.0")),
    )


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def page_count(data: bytes, tmp_path) -> int:
    path = tmp_path / "count.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_pdf_prints_accented_names_figures_contents_and_page_numbers(tmp_path):
    stream = io.BytesIO()
    render_pdf(hand_report(), stream)
    text = pdf_text(stream.getvalue(), tmp_path)
    pages = page_count(stream.getvalue(), tmp_path)

    assert ACCENTED in text
    assert "Donor report for São Tomé" in text
    assert "Contents" in text and "Executive summary" in text
    assert f"Page 2 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "$7,500,000" in text and "$1,234,568" in text  # obligated, expenditure
    assert "230" in text and "182" in text and "95" in text  # girls, boys, households
    assert "E3 Attending school" in text and "72.5%" in text and "On track" in text
    assert "Children attend school" in text  # the outcome
    assert "Côte d'Ivoire — IL-00000-24" in text and "Brazil — IL-00001-24" in text  # a page per project
    assert '=HYPERLINK("http://x") flooding closed two schools.' in text
    flat = " ".join(text.split())
    assert (
        "Timeliness: 9 of 10 indicator reports (90.0%) were submitted on time; 3 of 4 deliverables (75.0%) "
        "were completed on time. The 2 late ones were a median 6.5 days late. Program officers reviewed "
        "reports in a median 4.0 days (9 reviews)."
    ) in flat
    assert "Indicator reports 10 9 90.0%" in flat and "Deliverables 4 3 75.0%" in flat


def test_pdf_gives_each_country_project_its_own_page(tmp_path):
    one = io.BytesIO()
    render_pdf(hand_report(projects=1), one)
    five = io.BytesIO()
    render_pdf(hand_report(projects=5), five)
    assert page_count(five.getvalue(), tmp_path) - page_count(one.getvalue(), tmp_path) == 4


def test_pdf_of_an_empty_scope_says_nothing_to_report(tmp_path):
    report = _empty(ReportScope(as_of=TODAY), TODAY)
    stream = io.BytesIO()
    render_pdf(report, stream)
    text = " ".join(pdf_text(stream.getvalue(), tmp_path).split())
    assert "Nothing to report: the scope you chose has no country projects" in text


def test_xlsx_has_a_sheet_per_section_with_real_numbers_and_text_kept_as_text():
    stream = io.BytesIO()
    render_xlsx(hand_report(), stream)
    book = load_workbook(io.BytesIO(stream.getvalue()))
    assert book.sheetnames == [
        "Summary",
        "Funding by country",
        "Funding by theme",
        "Indicators",
        "By outcome",
        "Milestones",
        "Projects",
    ]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Obligated funding (USD)"] == 7500000
    assert (
        summary["Expenditure to date (USD)"] == D("1234567.89")
        or summary["Expenditure to date (USD)"] == 1234567.89
    )
    assert summary["Children reached: female"] == 230 and summary["Children reached: male"] == 182
    assert summary["Households reached"] == 95
    assert summary["Figures as of"] == datetime.datetime(2026, 6, 1)
    assert summary["Indicator reports on time"] == 9 and summary["Indicator reports on time (%)"] == 90
    assert summary["Deliverables on time (%)"] == 75 and summary["Median days late"] == 6.5

    countries = book["Funding by country"]
    assert [c.value for c in countries[2]] == ["Côte d'Ivoire", 1, 2, 1500000, 300000, 25, 50]
    assert countries.freeze_panes == "B2" and countries.auto_filter.ref == "A1:G3"
    assert len(countries._charts) == 1

    indicators = list(book["Indicators"].iter_rows(min_row=2, values_only=True))
    assert indicators[1] == ("E3", "Attending school", "percent", 80, 72.5, 90.6, "On track", "P3")

    projects = book["Projects"]
    challenges = projects.cell(row=2, column=16)
    assert challenges.value == '=HYPERLINK("http://x") flooding closed two schools.'
    assert challenges.data_type == "s"
    assert projects.cell(row=2, column=15).value.startswith(ACCENTED)
    assert projects.cell(row=2, column=5).value == datetime.datetime(2024, 1, 1)


def test_preview_fragment_shows_the_headline_and_project_rows():
    html = render_to_string("reports/donor_preview.html", {"report": hand_report()})
    assert "Donor report for São Tomé" in html
    assert "7,500,000" in html and "230 / 182 / 412" in html
    assert "Côte d&#x27;Ivoire — IL-00000-24" in html
    assert "{%" not in html


# --- the builder, against the database ------------------------------------------------------------------------


def _periods(grant):
    return [
        ReportingPeriodFactory(
            grant=grant, start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 6, 30), label="P1"
        ),
        ReportingPeriodFactory(
            grant=grant,
            start_date=datetime.date(2024, 7, 1),
            end_date=datetime.date(2024, 12, 31),
            label="P2",
        ),
    ]


def _children(submission, pi, female: int, male: int) -> None:
    """E1 figures: each sex split over two age bands, and the total."""
    rows = [ActualValue(submission=submission, project_indicator=pi, cell_key=TOTAL, value=D(female + male))]
    for sex, count in (("female", female), ("male", male)):
        first = count // 2
        for age, part in zip(AGES, (first, count - first), strict=True):
            rows.append(
                ActualValue(
                    submission=submission,
                    project_indicator=pi,
                    cell_key=make_key({"sex": sex, "age": age}),
                    value=D(part),
                )
            )
    ActualValue.objects.bulk_create(rows)


def portfolio(
    grant, country: str, budget: str, spent: tuple[str, str], children: tuple[tuple[int, int], ...]
):
    """A project with E1 under outcome 1.1 (through an output) and L1, two approved reports."""
    project = CountryProjectFactory(grant=grant, country=country, budget=D(budget))
    goal = ResultNode.objects.create(
        country_project=project, level=NodeLevel.GOAL, code="1", statement="Goal"
    )
    outcome = ResultNode.objects.create(
        country_project=project,
        level=NodeLevel.OUTCOME,
        code="1.1",
        statement="Children attend school",
        parent=goal,
    )
    output = ResultNode.objects.create(
        country_project=project, level=NodeLevel.OUTPUT, code="1.1.1", statement="Services", parent=outcome
    )
    e1 = ProjectIndicatorFactory(
        country_project=project, indicator=library("E1"), lop_target=D(1000), result_node=output
    )
    l1 = ProjectIndicatorFactory(country_project=project, indicator=library("L1"), lop_target=D(100))
    periods = list(grant.reporting_periods.order_by("start_date")) or _periods(grant)
    for period, expenditure, (female, male) in zip(periods, spent, children, strict=True):
        submission = SubmissionFactory(
            country_project=project,
            period=period,
            status="approved",
            cumulative_expenditure=D(expenditure),
            achievements=f"{ACCENTED} in {period.label}",
            challenges="Floods.",
            next_steps="More schools.",
        )
        _children(submission, e1, female, male)
        ActualValue.objects.create(submission=submission, project_indicator=l1, cell_key=TOTAL, value=D(10))
    MilestoneFactory(
        country_project=project,
        status=MilestoneStatus.COMPLETED,
        due_date=datetime.date(2025, 1, 1),
        completed_on=datetime.date(2025, 1, 2),
    )
    MilestoneFactory(
        country_project=project, status=MilestoneStatus.PLANNED, due_date=datetime.date(2025, 1, 1)
    )
    return project


@pytest.fixture
def two_countries(world):
    peru = portfolio(world.grant_a, "PE", "600000", ("100000", "150000"), ((3, 2), (5, 4)))
    ghana = portfolio(world.grant_b, "GH", "400000", ("50000", "90000"), ((1, 1), (2, 0)))
    return peru, ghana


@pytest.mark.django_db
def test_builder_figures_match_hand_computed_values(world, two_countries):
    report = build(
        ReportScope(grant_ids=(world.grant_a.pk, world.grant_b.pk), countries=("PE", "GH"), as_of=TODAY),
        None,
        no_progress,
    )
    h = report.headline
    assert (h.grants, h.countries, h.projects) == (2, 2, 2)
    assert h.obligated == D("10000000.00")  # two grants of 5,000,000
    assert h.expenditure == D("240000.00")  # latest approved per project: 150,000 + 90,000
    assert h.burn_rate == D("2.4")
    # Girls 3+5+1+2, boys 2+4+1+0 over both periods (a flow adds its periods), households 4 x 10.
    assert (h.children_female, h.children_male, h.children_total, h.households) == (D(11), D(7), D(18), D(40))
    assert h.children_indicator.startswith("E1 ") and h.households_indicator.startswith("L1 ")

    assert [(c.name, c.funding, c.expenditure, c.burn_rate) for c in report.countries] == [
        ("Ghana", D("400000.00"), D("90000.00"), D("22.5")),
        ("Peru", D("600000.00"), D("150000.00"), D("25.0")),
    ]
    e1 = next(line for line in report.indicators if line.code == "E1")
    assert (e1.lop_target, e1.actual, e1.percent_achieved) == (D(2000), D(18), D("0.9"))
    peru_block = next(b for b in report.outcomes if b.project.startswith("Peru") and b.code == "1.1")
    assert peru_block.statement == "Children attend school"
    assert [line.code for line in peru_block.indicators] == ["E1"]
    assert {m.status: m.count for m in report.milestones}["Completed"] == 2
    assert {m.status: m.count for m in report.milestones}["Overdue (open and past due)"] == 2
    page = next(p for p in report.projects if p.country == "Peru")
    assert page.period == "P2" and page.achievements == f"{ACCENTED} in P2"
    assert page.expenditure == D("150000.00") and page.burn_rate == D("25.0")
    # Two projects x two past periods, all approved; the milestones are activities, not deliverables.
    assert (report.timeliness.reports_counted, report.timeliness.deliverables_counted) == (4, 0)


@pytest.mark.django_db
def test_period_range_limits_people_reached_and_narrative(world, two_countries):
    scope = ReportScope(countries=("PE",), period_to=datetime.date(2024, 3, 1), as_of=TODAY)
    report = build(scope, None, no_progress)
    assert (report.headline.children_female, report.headline.children_male) == (D(3), D(2))
    assert report.projects[0].period == "P1" and report.projects[0].expenditure == D("100000.00")


@pytest.mark.django_db
def test_donor_pdf_from_the_database_prints_the_narrative_with_accents(world, two_countries, tmp_path):
    report = build(ReportScope(countries=("PE", "GH"), as_of=TODAY), None, no_progress)
    stream = io.BytesIO()
    render_pdf(report, stream)
    assert f"{ACCENTED} in P2" in pdf_text(stream.getvalue(), tmp_path)


def _grants(count: int) -> list[int]:
    ids = []
    for i in range(count):
        grant = GrantFactory(award_number=f"IL-{90000 + i}-24-75-K")
        portfolio(grant, "PE", "100000", ("10", "20"), ((1, 1), (1, 1)))
        ids.append(grant.pk)
    return ids


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 4])
def test_builder_query_count_does_not_grow_with_grants(django_assert_num_queries, count):
    ids = _grants(count)
    # scope projects + existence check, themes, performance table (6), outcomes, milestones, reports,
    # people reached (library + values), timeliness (report pairs, their reports, deliverables, review trail)
    with django_assert_num_queries(18):
        report = build(ReportScope(grant_ids=tuple(ids), as_of=TODAY), None, no_progress)
    assert report.headline.grants == count
    assert report.headline.children_total == D(4 * count)


@pytest.mark.django_db
def test_a_grantees_report_never_includes_another_organisations_projects(world, two_countries, grantee_a):
    report = build(ReportScope(as_of=TODAY), grantee_a, no_progress)
    assert {p.award_number for p in report.projects} == {world.grant_a.award_number}
    assert all(not b.project.startswith("Ghana") for b in report.outcomes)
    with pytest.raises(ScopeProblem) as refused:
        build(ReportScope(grant_ids=(world.grant_b.pk,)), grantee_a, no_progress)
    assert refused.value.message.startswith(
        "None of the grants or country projects this report was set up for"
    )


@pytest.mark.django_db
def test_scope_without_projects_gives_a_nothing_to_report_report(world):
    report = build(ReportScope(countries=("FR",), as_of=TODAY), None, no_progress)
    assert report.is_empty and report.empty_message == NOTHING_TO_REPORT
    assert report.projects == () and report.headline.grants == 0


@pytest.mark.django_db
def test_donor_report_is_registered_for_staff_only(officer, grantee_a):
    spec = REGISTRY["donor"]
    assert spec.title == "Portfolio donor report"
    assert spec.formats == ("xlsx", "pdf")
    assert spec.allowed(officer) and not spec.allowed(grantee_a)


def test_xlsx_of_an_empty_scope_is_one_sheet_that_says_nothing_to_report():
    stream = io.BytesIO()
    render_xlsx(_empty(ReportScope(as_of=TODAY), TODAY), stream)
    book = load_workbook(io.BytesIO(stream.getvalue()))
    assert book.sheetnames == ["Summary"]
    values = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert values["Nothing to report"] == NOTHING_TO_REPORT
    assert book["Summary"].auto_filter.ref == "A1:C5"
