"""The IPTT report: the builder against the database (figures worked out by hand, pinned query counts, what a
grantee may see) and the renderers on hand-built data, read back value by value."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal as D

import pytest
from openpyxl import Workbook, load_workbook

from indicators.cells import make_key
from indicators.models import ActualValue, Target
from reports.registry import REGISTRY, no_progress
from reports.scope import ReportScope, ScopeProblem
from reports.types.iptt.builder import build
from reports.types.iptt.data import (
    TIDY_HEADERS,
    Indicator,
    IpttReport,
    Line,
    Outline,
    Period,
    Project,
    ProjectStream,
)
from reports.types.iptt.pdf import render_pdf
from reports.types.iptt.xlsx import render_xlsx, write_tidy_sheet
from tests.factories import CountryProjectFactory, GrantFactory
from tests.indicator_factories import (
    IndicatorFactory,
    ProjectIndicatorFactory,
    ReportingPeriodFactory,
    SubmissionFactory,
    library,
)
from tests.indicators.conftest import framework  # noqa: F401 (the results framework fixture)

TODAY = datetime.date(2026, 6, 1)
HALVES = [
    (datetime.date(2024, 1, 1), datetime.date(2024, 6, 30)),
    (datetime.date(2024, 7, 1), datetime.date(2024, 12, 31)),
    (datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)),
    (datetime.date(2025, 7, 1), datetime.date(2025, 12, 31)),
]
FEMALE, MALE = make_key({"sex": "female"}), make_key({"sex": "male"})


# --------------------------------------------------------------------------------------------- builder


def target(pi, period, value, original=None, cell_key=""):
    Target.objects.create(
        project_indicator=pi,
        period=period,
        cell_key=cell_key,
        value=D(value),
        original_value=D(original or value),
    )


def actual(submission, pi, cell_key="", **figures):
    ActualValue.objects.create(
        submission=submission,
        project_indicator=pi,
        cell_key=cell_key,
        **{name: D(v) for name, v in figures.items()},
    )


def seed_project(grant=None, country="GT"):
    """A flow (no cells) and E3 (percentage by sex) over four half-years; see the tests for the figures."""
    grant = grant or GrantFactory(start_date=HALVES[0][0], end_date=datetime.date(2027, 12, 31))
    periods = [
        ReportingPeriodFactory(grant=grant, start_date=start, end_date=end, label=f"P{i + 1}")
        for i, (start, end) in enumerate(HALVES)
    ]
    project = CountryProjectFactory(grant=grant, country=country)
    flow = ProjectIndicatorFactory(
        country_project=project, indicator=IndicatorFactory(code=f"F{project.pk}"), lop_target=D(100)
    )
    pct = ProjectIndicatorFactory(country_project=project, indicator=library("E3"), lop_target=D(80))
    for period, value, original in zip(
        periods, ("10", "20", "30", "40"), ("10", "15", "30", "40"), strict=True
    ):
        target(flow, period, value, original)
    target(pct, periods[0], "60")
    target(pct, periods[1], "70")
    target(pct, periods[0], "50", cell_key=FEMALE)
    first = SubmissionFactory(country_project=project, period=periods[0], status="approved")
    second = SubmissionFactory(country_project=project, period=periods[1], status="approved")
    awaiting = SubmissionFactory(country_project=project, period=periods[2], status="submitted")
    actual(first, flow, value="8")
    actual(second, flow, value="14")
    actual(awaiting, flow, value="99")  # awaiting review: never counted
    actual(first, pct, numerator="10", denominator="20")
    actual(first, pct, FEMALE, numerator="5", denominator="10")
    actual(first, pct, MALE, numerator="5", denominator="10")
    actual(second, pct, numerator="15", denominator="20")
    actual(second, pct, FEMALE, numerator="9", denominator="10")
    actual(second, pct, MALE, numerator="6", denominator="10")
    return project, periods


def scope(**kwargs) -> ReportScope:
    return ReportScope(as_of=TODAY, **kwargs)


@pytest.mark.django_db
def test_figures_per_period_follow_targets_revisions_approved_actuals_and_the_indicators_rule():
    seed_project()
    report = build(scope(), None, no_progress)

    [built] = report.projects
    assert [p.label for p in built.periods] == ["P1", "P2", "P3", "P4"]
    pct, flow = built.indicators  # in code order: E3, then F<n>
    [line] = flow.lines
    # (target, original, actual, numerator, denominator, cumulative, percent achieved, status)
    assert line.periods == (
        (D(10), D(10), D(8), None, None, D(8), D("80.0"), "behind"),  # 8 below 10 - 15%
        (D(20), D(15), D(14), None, None, D(22), D("70.0"), "behind"),  # 22 against 30 to date
        (D(30), D(30), None, None, None, None, None, "no_data"),  # only a report awaiting review
        (D(40), D(40), None, None, None, None, None, "no_data"),
    )
    assert (line.lop_target, line.to_date, line.percent_achieved, line.status) == (
        D(100),
        D(22),
        D("22.0"),
        "behind",
    )

    total, female, male = pct.lines
    assert [line.label for line in pct.lines] == ["Total", "Female", "Male"]
    assert total.periods[:2] == (
        (D(60), D(60), D("50.0"), D(10), D(20), D("50.0"), D("83.3"), "behind"),
        # (10 + 15) / (20 + 20) = 62.5% to date, within 15% of the latest target, 70
        (D(70), D(70), D("75.0"), D(15), D(20), D("62.5"), D("107.1"), "on_track"),
    )
    assert female.periods[:2] == (
        (D(50), D(50), D("50.0"), D(5), D(10), D("50.0"), D("100.0"), "on_track"),
        (None, None, D("90.0"), D(9), D(10), D("70.0"), None, "ahead"),  # 14/20 against the 50 that stands
    )
    assert (female.to_date, female.status, female.lop_target) == (D("70.0"), "ahead", None)
    assert [p[-1] for p in male.periods] == ["no_target", "no_target", "no_data", "no_data"]
    assert male.status == "no_target"
    assert report.row_count == 16 and len(list(report.tidy_rows())) == 16


@pytest.mark.django_db
def test_period_range_hides_earlier_periods_but_they_still_count_to_date():
    _, periods = seed_project()
    report = build(
        scope(period_from=periods[1].start_date, period_to=periods[2].start_date), None, no_progress
    )

    [built] = report.projects
    assert [p.label for p in built.periods] == ["P2", "P3"]
    line = built.indicators[1].lines[0]
    assert line.periods[0][5] == D(22)  # P1's 8 + P2's 14
    assert line.to_date == D(22)


@pytest.mark.django_db
def test_indicator_filter_keeps_only_the_chosen_indicators():
    seed_project()
    report = build(scope(indicator_codes=("E3",)), None, no_progress)
    assert [i.code for i in report.projects[0].indicators] == ["E3"]


@pytest.mark.django_db
def test_a_scope_without_indicators_is_a_nothing_to_report_report():
    CountryProjectFactory()
    report = build(scope(), None, no_progress)
    assert report.is_empty
    assert report.message.startswith("Nothing to report: the projects in this scope have no indicators")
    assert list(report.tidy_rows()) == []


@pytest.mark.django_db
def test_progress_is_reported_per_project():
    seed_project()
    calls = []
    report = build(scope(), None, lambda done, total, what: calls.append((done, total, what)))
    assert calls[0][:2] == (0, 1) and calls[0][2].startswith("Guatemala · IL-")
    assert calls[-1] == (1, 1, "Done")
    calls.clear()
    list(report.projects)  # reading the figures, as a file is written, reports per project too
    assert calls[0][:2] == (0, 1) and calls[0][2].startswith("Guatemala · IL-")


@pytest.mark.django_db
@pytest.mark.parametrize("n_grants", [1, 4])
def test_builder_query_count_does_not_grow_with_the_number_of_grants(django_assert_num_queries, n_grants):
    grants = []
    for n in range(n_grants):
        project, _ = seed_project(country=["GT", "HN", "SV", "MX"][n])
        grants.append(project.grant_id)
    # build: the scope's check that the grants are visible, projects with grants, project indicators with
    # indicators, their categories, the categories' options, periods, approved reports; then reading the
    # projects (the figures are read as they are iterated): targets, values
    with django_assert_num_queries(9):
        report = build(scope(grant_ids=tuple(grants)), None, no_progress)
        projects = list(report.projects)
    assert len(report.projects) == n_grants == len(projects)
    assert {p.indicators[1].lines[0].to_date for p in projects} == {D(22)}


def queries_to_build_and_read(grant_ids) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        report = build(scope(grant_ids=tuple(grant_ids)), None, no_progress)
        rows = list(report.tidy_rows())
    assert len(rows) == 16 * len(grant_ids)  # every project's figures were read
    return len(queries)


@pytest.mark.django_db
def test_building_and_reading_three_grants_takes_as_many_queries_as_one():
    grants = [seed_project(country=country)[0].grant_id for country in ("GT", "HN", "SV")]
    assert queries_to_build_and_read(grants[:1]) == queries_to_build_and_read(grants) == 9


@pytest.mark.django_db
def test_projects_keep_the_reports_order_and_their_own_figures_whatever_the_ids_order():
    """The figures are streamed in the projects' order and merged: projects created in the opposite order
    to their award numbers, each with a P4 target of its own, get their own figures back."""
    made = []
    for n, award in enumerate(("IL-3-24-75-K", "IL-1-24-75-K", "IL-2-24-75-K")):
        project, periods = seed_project(
            GrantFactory(award_number=award, start_date=HALVES[0][0], end_date=datetime.date(2027, 12, 31))
        )
        Target.objects.filter(
            project_indicator__country_project=project, period=periods[3], cell_key=""
        ).filter(project_indicator__indicator__code=f"F{project.pk}").update(value=D(1000 + n))
        made.append((award, project.pk, D(1000 + n)))
    report = build(scope(), None, no_progress)

    built = [(p.award_number, p.project_id, p.indicators[1].lines[0].periods[3][0]) for p in report.projects]
    assert built == sorted(made)
    assert [row[2] for row in report.tidy_rows() if row[5] == "P4" and row[3].startswith("F")] == [
        pk for _, pk, _ in sorted(made)
    ]


@pytest.mark.django_db
def test_a_preview_slice_reads_only_the_first_projects_and_every_pass_reads_afresh():
    for country in ("GT", "HN", "SV"):
        seed_project(country=country)
    folded = []
    report = build(scope(), None, lambda done, total, what: folded.append(done))
    folded.clear()

    first = report.projects[:2]
    assert len(report.projects) == 3 and [p.country_code for p in first] == ["GT", "HN"]
    assert folded == [0, 1]  # the third project's figures were never folded
    again = list(report.projects)  # a second pass: the xlsx, then the pdf of one run
    assert [p.country_code for p in again] == ["GT", "HN", "SV"] and again[:2] == list(first)


@pytest.mark.django_db
def test_one_built_report_writes_the_workbook_then_the_pdf_each_reading_the_figures_afresh():
    # A run writes every format from one build: each renderer makes its own pass over the projects.
    for country in ("GT", "HN"):
        seed_project(country=country)
    report = build(scope(), None, no_progress)
    expected = list(report.tidy_rows())

    data = xlsx_of(report)["Data"]
    rows = [tuple(c.value for c in row) for row in data.iter_rows(min_row=2)]
    assert len(rows) == len(expected) == 32
    assert [row[:5] for row in rows] == [(*row[:4], row[4] or "total") for row in expected]
    assert [row[9] for row in rows] == [None if row[9] is None else float(row[9]) for row in expected]
    pdf = io.BytesIO()
    render_pdf(report, pdf)
    assert pdf.getvalue().startswith(b"%PDF") and len(pdf.getvalue()) > 5000


@pytest.mark.django_db
@pytest.mark.usefixtures("framework")
def test_a_grantees_scope_never_includes_another_organisations_projects(world, grantee_a):
    report = build(scope(), grantee_a, no_progress)
    assert {p.project_id for p in report.projects} == {world.project_a.pk}
    assert all(row[2] == world.project_a.pk for row in report.tidy_rows())

    with pytest.raises(ScopeProblem) as refused:
        build(scope(grant_ids=(world.grant_b.pk,)), grantee_a, no_progress)
    assert refused.value.message.startswith(
        "None of the grants or country projects this report was set up for"
    )


@pytest.mark.django_db
def test_iptt_is_registered_for_everyone_signed_in(grantee_a):
    spec = REGISTRY["iptt"]
    assert spec.title == "Indicator performance tracking table (IPTT)"
    assert spec.formats == ("xlsx", "pdf") and spec.allowed(grantee_a)


# --------------------------------------------------------------------------------------------- renderers

EVIL = '=HYPERLINK("http://x","y")'


def sample_report(**overrides) -> IpttReport:
    periods = (
        Period(
            "FY2025 H1 (partial: 15 Jan-30 Jun 2025)", datetime.date(2025, 1, 15), datetime.date(2025, 6, 30)
        ),
        Period("FY2025 H2", datetime.date(2025, 7, 1), datetime.date(2025, 12, 31)),
    )
    reached = Indicator(
        code="E1",
        name="Niños atendidos",
        unit="children",
        measure_type="count",
        rule="sum",
        lines=(
            Line.of(
                "",
                "Total",
                (
                    (D(100), D(80), D(90), None, None, D(90), D("90.0"), "on_track"),
                    (D(100), D(100), None, None, None, None, None, "no_data"),
                ),
                D(400),
                D(300),
                D(90),
                D("22.5"),
                "behind",
            ),
            Line.of(
                "sex=female",
                "Female",
                (
                    (None, None, D(50), None, None, D(50), None, "no_target"),
                    (None, None, None, None, None, None, None, "no_data"),
                ),
            ),
        ),
    )
    attending = Indicator(
        code="E3",
        name=EVIL,
        unit="percent",
        measure_type="percentage",
        rule="ratio",
        lines=(
            Line.of(
                "",
                "Total",
                (
                    (D(60), D(60), D("50.0"), D(10), D(20), D("50.0"), D("83.3"), "behind"),
                    (D(70), D(70), D("75.0"), D(15), D(20), D("62.5"), D("107.1"), "on_track"),
                ),
                D(80),
                D(80),
                D("62.5"),
                D("78.1"),
                "on_track",
            ),
        ),
    )
    project = Project(
        project_id=7,
        award_number="IL-11111-24-75-K",
        country_code="PE",
        country="Perú",
        title="Proyecto Côte São João",
        start=datetime.date(2025, 1, 15),
        end=datetime.date(2027, 12, 31),
        periods=periods,
        indicators=(reached, attending),
    )
    fields = dict(
        title="IPTT for Perú",
        as_of=datetime.date(2026, 1, 31),
        band=D("0.15"),
        period_from=None,
        period_to=None,
        projects=(project,),
    )
    return IpttReport(**{**fields, **overrides})


def xlsx_of(report: IpttReport):
    buffer = io.BytesIO()
    render_xlsx(report, buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def test_tidy_sheet_has_one_row_per_figure_with_codes_real_dates_and_numbers():
    data = xlsx_of(sample_report())["Data"]
    rows = [[c.value for c in row] for row in data.iter_rows()]
    assert tuple(rows[0]) == TIDY_HEADERS
    assert len(rows) == 1 + 6
    start = datetime.datetime(2025, 1, 15)
    assert rows[1] == [
        "IL-11111-24-75-K", "PE", 7, "E1", "total", "FY2025 H1 (partial: 15 Jan-30 Jun 2025)",
        start, datetime.datetime(2025, 6, 30), 80, 100, 90, None, None, 90, 90, "on_track",
    ]  # fmt: skip
    assert rows[3][4:6] == ["sex=female", "FY2025 H1 (partial: 15 Jan-30 Jun 2025)"]
    assert rows[3][8:] == [None, None, 50, None, None, 50, None, "no_target"]
    assert rows[6][8:] == [70, 70, 75, 15, 20, 62.5, 107.1, "on_track"]
    assert data["O2"].number_format == '0.0"%"' and data["G2"].is_date
    assert (data.freeze_panes, data.auto_filter.ref) == ("A2", "A1:P7")


def test_wide_sheet_reads_as_a_table_with_periods_across():
    sheet = xlsx_of(sample_report())["IPTT"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][9:15] == ["FY2025 H1", None, None, "FY2025 H2", None, None]
    assert rows[1][:9] == [
        "Project", "Indicator", "Indicator or cell", "Unit", "LOP target", "LOP original target",
        "Actual to date", "% of LOP target", "Status",
    ]  # fmt: skip
    assert rows[1][9:12] == ["Target", "Actual", "% of target"]
    assert rows[2] == ["Perú · IL-11111-24-75-K", "E1", "Niños atendidos", "children", 400, 300, 90, 22.5, "Behind",
                       100, 90, 90, 100, None, None]  # fmt: skip
    assert rows[3][2] == "Female" and sheet["C4"].alignment.indent == 2 and sheet["C3"].font.b
    assert rows[4][2] == EVIL and sheet["C5"].data_type == "s"  # text, never a formula
    assert sheet.freeze_panes == "D3"


def test_about_sheet_and_an_empty_report_say_nothing_to_report():
    about = xlsx_of(sample_report())["About"]
    assert about["B1"].value == "IPTT for Perú" and about["B2"].value == datetime.datetime(2026, 1, 31)
    assert (about["A5"].value, about["B5"].value) == ("Country projects", 1)
    empty = xlsx_of(sample_report(projects=()))
    assert empty["About"]["A1"].value == "Nothing to report"
    assert empty["About"]["B1"].value.startswith("Nothing to report: the projects in this scope")
    assert empty["Data"].max_row == 1


def one_pass(report: IpttReport) -> IpttReport:
    """The report with its projects behind a stream that may be read once only (as a builder's report
    reads the database again on each pass, a renderer reading twice would double the work and the time)."""
    projects = report.projects
    passes = []

    def produce():
        assert not passes, "the projects were read twice"
        passes.append(1)
        return iter(projects)

    return dataclasses.replace(report, projects=ProjectStream(Outline.of(projects), produce))


def test_workbook_reads_the_projects_in_one_pass_and_writes_the_same_sheets():
    second = dataclasses.replace(sample_report().projects[0], project_id=8, award_number="IL-22222-24-75-K")
    report = sample_report(projects=(*sample_report().projects, second))
    expected, streamed = xlsx_of(report), xlsx_of(one_pass(report))
    for name in ("About", "IPTT", "Data"):
        rows = [[c.value for c in row] for row in streamed[name].iter_rows()]
        assert rows == [[c.value for c in row] for row in expected[name].iter_rows()]
    assert streamed["Data"].max_row == 1 + 12 and streamed["Data"]["C8"].value == 8
    assert streamed["IPTT"].auto_filter.ref == "A2:O8"  # two header rows and three lines a project


AWKWARD_KEY = ' a & b <c> "q"\r\nñ '


def awkward_report() -> IpttReport:
    """The sample with text a spreadsheet could misread (a formula, a sign, markup, spaces, a line break) in
    the tidy sheet's text columns."""
    project = sample_report().projects[0]
    reached, attending = project.indicators
    female = dataclasses.replace(reached.lines[1], cell_key=AWKWARD_KEY)
    project = dataclasses.replace(
        project,
        award_number=EVIL,
        country_code="+PE",
        periods=(dataclasses.replace(project.periods[0], label="-5 schools ñ"), project.periods[1]),
        indicators=(dataclasses.replace(reached, code="@E1", lines=(reached.lines[0], female)), attending),
    )
    return sample_report(projects=(project,))


AWKWARD_ROW = [EVIL, "+PE", 7, "@E1", AWKWARD_KEY, "-5 schools ñ"]


def test_tidy_sheet_keeps_awkward_text_exactly_and_as_text_never_a_formula():
    buffer = io.BytesIO()
    render_xlsx(awkward_report(), buffer)
    with zipfile.ZipFile(buffer) as archive:
        names = [name for name in archive.namelist() if name.startswith("xl/worksheets/sheet")]
        assert all(b"<f>" not in archive.read(name) for name in names)
    data = load_workbook(buffer)["Data"]
    assert [c.value for c in data[4]][:6] == AWKWARD_ROW
    assert [c.value for c in data[4]][8:] == [None, None, 50, None, None, 50, None, "no_target"]
    assert all(data[f"{column}4"].data_type == "s" for column in "ABDEF")
    # Text a spreadsheet might read as a formula also carries the text format; other text does not need it.
    assert [data[f"{column}4"].number_format for column in "ABDEF"] == ["@", "@", "@", "General", "@"]
    assert data["G4"].is_date and data["G4"].number_format == "yyyy-mm-dd"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_tidy_sheet_reads_the_same_in_libreoffice(tmp_path):
    workbook = Workbook(write_only=True)
    write_tidy_sheet(workbook, awkward_report())
    workbook.save(tmp_path / "tidy.xlsx")
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, double quote, UTF-8
            "--outdir",
            str(tmp_path),
            str(tmp_path / "tidy.xlsx"),
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    with (tmp_path / "tidy.csv").open(newline="", encoding="utf-8-sig") as exported:
        rows = list(csv.reader(exported))
    assert tuple(rows[0]) == TIDY_HEADERS and len(rows) == 1 + 6
    assert rows[1] == [
        EVIL, "+PE", "7", "@E1", "total", "-5 schools ñ", "2025-01-15", "2025-06-30",
        "80", "100", "90", "", "", "90", "90.0%", "on_track",
    ]  # fmt: skip
    # LibreOffice keeps line breaks in a cell as line feeds (it does so for openpyxl's own cells too).
    assert rows[3][:6] == [EVIL, "+PE", "7", "@E1", AWKWARD_KEY.replace("\r\n", "\n"), "-5 schools ñ"]
    assert rows[6][8:] == ["70", "70", "75", "15", "20", "62.5", "107.1%", "on_track"]


def pdf_text(report: IpttReport, tmp_path) -> str:
    path = tmp_path / "iptt.pdf"
    with path.open("wb") as stream:
        render_pdf(report, stream)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils is not installed"
)


@needs_pdftotext
def test_pdf_has_cover_contents_sections_figures_and_page_numbers(tmp_path):
    text = pdf_text(sample_report(), tmp_path)
    pages = text.split("\f")
    assert "IPTT for Perú" in pages[0] and "1 country project\n" in pages[0]
    assert "Contents" in pages[1] and "Perú · IL-11111-24-75-K" in pages[1]
    body = "\n".join(pages[2:])
    assert "Proyecto Côte São João" in body and "Niños atendidos" in body
    assert "FY2025 H1" in body and "Female" in body
    assert "107.1%" in body and "62.5%" in body and "Behind" in body
    assert "Page 2 of" in pages[1]
    assert all("IPTT for Perú" in page for page in pages[1:] if page.strip())  # running header


@needs_pdftotext
def test_pdf_of_an_empty_report_says_nothing_to_report(tmp_path):
    text = pdf_text(sample_report(projects=()), tmp_path)
    assert "Nothing to report: the projects in this scope have no indicators" in " ".join(text.split())


@needs_pdftotext
def test_pdf_splits_long_tables_into_pages_with_the_headers_repeated(tmp_path):
    project = sample_report().projects[0]
    many = Indicator(
        "E9",
        "Many cells",
        "children",
        "count",
        "sum",
        tuple(Line.of(f"c={i}", f"Cell {i}", project.indicators[0].lines[1].periods) for i in range(120)),
    )
    report = sample_report(projects=(Project(**{**project.__dict__, "indicators": (many,)}),))
    pages = pdf_text(report, tmp_path).split("\f")
    with_cells = [page for page in pages if "Cell 1" in page]
    assert len(with_cells) >= 4  # the life-of-project and the period tables each span pages
    assert all("Indicator or cell" in page for page in with_cells)
    assert any("Cell 119" in page for page in pages)


def test_preview_shows_each_projects_table_and_escapes_text():
    from django.template.loader import render_to_string

    html = render_to_string("reports/iptt_preview.html", {"report": sample_report()})
    assert "Perú · IL-11111-24-75-K" in html and "Niños atendidos" in html
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)" in html  # escaped, as text
    assert "107.1%" in html and "22.5%" in html and "Behind" in html
    empty = render_to_string("reports/iptt_preview.html", {"report": sample_report(projects=())})
    assert "Nothing to report: the projects in this scope have no indicators" in empty
    assert "<table" not in empty
