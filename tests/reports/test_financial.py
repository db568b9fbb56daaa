"""Financial summary: the renderers read back from hand-built data, the builder against the database with
hand-computed figures, pinned query counts, isolation and the "nothing to report" report."""

from __future__ import annotations

import datetime
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from grants import services as grant_services
from grants.models import ModificationKind
from indicators.models import ReportingPeriod, Submission, SubmissionStatus
from reports.registry import REGISTRY, no_progress, staff_only
from reports.scope import ReportScope
from reports.types.financial.builder import NOTHING, build
from reports.types.financial.data import (
    CountryLine,
    FinancialReport,
    GrantLine,
    ModificationLine,
    ProjectLine,
    Totals,
)
from reports.types.financial.pdf import render_pdf
from reports.types.financial.xlsx import PARTIAL_NOTE, render_xlsx
from tests.factories import CountryProjectFactory, GrantFactory

D = datetime.date
M = Decimal
TODAY = D(2026, 1, 1)


# --- renderers, from hand-built data ------------------------------------------------------------------------


def hand_report() -> FinancialReport:
    grant = GrantLine(
        award_number="IL-1-24",
        title="Educación para la niñez",
        grantee="Alianza para la Niñez",
        officer="Olivia Officer",
        status="Active",
        countries="Honduras, Perú",
        start_date=D(2024, 1, 1),
        end_date=D(2027, 12, 31),
        original_obligated=M("5000000.00"),
        obligated=M("5500000.00"),
        modifications=1,
        expenditure=M("300000.00"),
        burn_rate=M("5.5"),
        time_elapsed=M("50.1"),
        partial=True,
    )
    return FinancialReport(
        title="Financial summary for Côte d'Ivoire",
        as_of=TODAY,
        scope_lines=("Grants: IL-1-24.", "Figures as of 01 January 2026."),
        expenditure_basis="Expenditure to date is from approved reports.",
        grants=(grant,),
        countries=(
            CountryLine("Honduras", 1, M("2000000.00"), M("50000.00"), M("2.5"), M("50.1")),
            CountryLine("Perú", 1, M("1000000.00"), M("250000.00"), M("25.0"), M("50.1")),
        ),
        projects=(
            ProjectLine(
                "IL-1-24",
                "Honduras",
                "=HYPERLINK(x)",
                M("2000000.00"),
                M("50000.00"),
                "FY2024 H1",
                D(2024, 3, 31),
                M("2.5"),
                M("50.1"),
            ),
            ProjectLine("IL-1-24", "Perú", "Niñez", M("1000000.00"), None, "", None, None, M("50.1")),
        ),
        modifications=(
            ModificationLine(
                "IL-1-24",
                1,
                "Incremental funding",
                D(2025, 1, 15),
                M("500000.00"),
                M("5000000.00"),
                M("5500000.00"),
                D(2027, 12, 31),
                D(2027, 12, 31),
                "-Year two funding",
            ),
        ),
        totals=Totals(
            M("5000000.00"),
            M("5500000.00"),
            M("3000000.00"),
            M("300000.00"),
            M("5.5"),
            M("10.0"),
            1,
            M("500000.00"),
        ),
    )


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def workbook(report: FinancialReport):
    stream = io.BytesIO()
    render_xlsx(report, stream)
    return load_workbook(io.BytesIO(stream.getvalue()))


def test_xlsx_sheets_hold_the_figures_as_numbers_with_formats():
    book = workbook(hand_report())
    assert book.sheetnames == ["Overview", "By grant", "By country", "Country projects", "Modifications"]
    grants = book["By grant"]
    rows = rows_of(grants)
    assert rows[0][:4] == ["Award number", "Title", "Grantee", "Program officer"]
    assert rows[1] == [
        "IL-1-24",
        "Educación para la niñez",
        "Alianza para la Niñez",
        "Olivia Officer",
        "Active",
        "Honduras, Perú",
        datetime.datetime(2024, 1, 1),
        datetime.datetime(2027, 12, 31),
        5000000,
        5500000,
        1,
        300000,
        5.5,
        50.1,
        PARTIAL_NOTE,
    ]
    assert rows[2] == [
        "Total",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        5000000,
        5500000,
        1,
        300000,
        5.5,
        None,
        None,
    ]
    assert grants["I2"].number_format == "#,##0.00" and grants["M2"].number_format == '0.0"%"'
    assert grants.freeze_panes == "B2" and grants.auto_filter.ref == "A1:O2"

    countries = rows_of(book["By country"])
    assert countries[1:] == [
        ["Honduras", 1, 2000000, 50000, 2.5, 50.1],
        ["Perú", 1, 1000000, 250000, 25, 50.1],
        ["Total", 2, 3000000, 300000, 10, None],
    ]
    overview = {row[0]: row[1] for row in rows_of(book["Overview"]) if row and row[0]}
    assert overview["Current obligation (USD)"] == 5500000
    assert overview["Burn rate against current obligation"] == 5.5
    assert overview["Change in obligation from modifications (USD)"] == 500000
    assert "Expenditure to date is from approved reports." in overview


def test_xlsx_text_is_never_a_formula_and_missing_expenditure_is_blank():
    book = workbook(hand_report())
    projects = book["Country projects"]
    assert projects["C2"].value == "=HYPERLINK(x)" and projects["C2"].data_type == "s"
    assert rows_of(projects)[2] == [
        "IL-1-24",
        "Perú",
        "Niñez",
        1000000,
        None,
        None,
        50.1,
        "No approved report with an expenditure yet",
        None,
    ]
    mods = rows_of(book["Modifications"])
    assert mods[1] == [
        "IL-1-24",
        1,
        "Incremental funding",
        datetime.datetime(2025, 1, 15),
        500000,
        5000000,
        5500000,
        datetime.datetime(2027, 12, 31),
        datetime.datetime(2027, 12, 31),
        "-Year two funding",
    ]
    assert book["Modifications"]["J2"].data_type == "s"


def test_xlsx_has_a_native_bar_chart_of_budget_and_expenditure_by_country():
    (chart,) = workbook(hand_report())["By country"]._charts
    assert (chart.tagname, chart.type) == ("barChart", "bar")
    assert [(series.val.numRef.f, series.tx.strRef.f) for series in chart.series] == [
        ("'By country'!$C$2:$C$3", "'By country'!C1"),  # budget, headed "Budget (USD)"
        ("'By country'!$D$2:$D$3", "'By country'!D1"),  # expenditure
    ]
    assert chart.series[0].cat.numRef.f == "'By country'!$A$2:$A$3"  # the countries, without the total row


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_pdf_shows_figures_as_formatted_by_the_renderer(tmp_path):
    stream = io.BytesIO()
    render_pdf(hand_report(), stream)
    text = pdf_text(stream.getvalue(), tmp_path)
    pages = text.split("\f")
    assert "Financial summary for Côte d'Ivoire" in " ".join(pages[0].split())
    assert "Contents" in pages[1] and "Modifications" in pages[1]
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert "IL-1-24 * $5,000,000 $5,500,000 1 $300,000 5.5% 50.1%" in lines
    assert "Total $5,000,000 $5,500,000 1 $300,000 5.5%" in lines
    assert "Perú 1 $1,000,000 $250,000 25.0% 50.1%" in lines
    assert "Total 2 $3,000,000 $300,000 10.0%" in lines
    assert "IL-1-24 Perú $1,000,000 \u2013 \u2013 50.1% No approved report"  # no figure: a dash in lines
    assert "IL-1-24 1 Incremental funding 15 Jan 2025 $500,000 $5,500,000 31 Dec 2027" in lines
    assert "Budget and expenditure to date by country" in text
    assert "Page 3 of" in text


def test_empty_report_renders_nothing_to_report(tmp_path):
    empty = FinancialReport(
        "Financial summary",
        TODAY,
        (),
        "Basis.",
        (),
        (),
        (),
        (),
        Totals(*(M("0.00"),) * 4, None, None, 0, M("0.00")),
        NOTHING,
    )
    book = workbook(empty)
    assert book.sheetnames == ["Overview"] and NOTHING in [row[0] for row in rows_of(book["Overview"])]
    stream = io.BytesIO()
    render_pdf(empty, stream)
    assert "Nothing to report: there are no grants or country projects in this scope." in pdf_text(
        stream.getvalue(), tmp_path
    )


def test_registered_for_staff_with_both_formats():
    spec = REGISTRY["financial"]
    assert (spec.title, spec.formats, spec.allowed) == ("Financial summary", ("xlsx", "pdf"), staff_only)
    assert spec.preview_template == "reports/financial_preview.html"


# --- builder, against the database --------------------------------------------------------------------------


def period(grant, label: str, start: datetime.date, end: datetime.date) -> ReportingPeriod:
    return ReportingPeriod.objects.create(
        grant=grant, label=label, start_date=start, end_date=end, due_date=end + datetime.timedelta(days=30)
    )


def report_for(
    project, on: ReportingPeriod, amount: str, actor, status=SubmissionStatus.APPROVED
) -> Submission:
    return Submission.objects.create(
        country_project=project,
        period=on,
        status=status,
        cumulative_expenditure=M(amount),
        expenditure_text=amount,
        created_by=actor,
        updated_by=actor,
    )


@pytest.fixture
def money(world, officer, other_officer):
    """Grant A: 5,000,000 obligated, +500,000 by modification 1; Guatemala (budget 1,000,000) reported
    100,000 then 250,000 (both approved), Honduras (2,000,000) 50,000 approved then 400,000 awaiting review.
    Grant B: 5,000,000; Kenya (1,000,000) 80,000 approved. Both grants run 1 Jan 2024 - 31 Dec 2027."""
    grant_services.modification_apply(
        grant=world.grant_a,
        actor=officer,
        kind=ModificationKind.INCREMENTAL_FUNDING,
        effective_date=D(2025, 1, 15),
        amount_change=M("500000"),
        reason="Year two funding",
    )
    honduras = CountryProjectFactory(grant=world.grant_a, country="HN", budget=M("2000000.00"))
    first = period(world.grant_a, "FY2024 H1", D(2024, 1, 1), D(2024, 3, 31))
    second = period(world.grant_a, "FY2024 H2", D(2024, 4, 1), D(2024, 9, 30))
    first_b = period(world.grant_b, "FY2024 H1", D(2024, 1, 1), D(2024, 3, 31))
    report_for(world.project_a, first, "100000.00", officer)
    report_for(world.project_a, second, "250000.00", officer)
    report_for(honduras, first, "50000.00", officer)
    report_for(honduras, second, "400000.00", officer, SubmissionStatus.SUBMITTED)
    report_for(world.project_b, first_b, "80000.00", other_officer)
    return world


def test_builder_figures_by_grant_match_hand_computed_values(money, manager):
    report = build(ReportScope(as_of=TODAY), manager, no_progress)
    a, b = report.grants
    # 731 of 1460 days of the period of performance: 50.07 -> 50.1 %.
    assert (a.award_number, a.original_obligated, a.obligated, a.modifications, a.expenditure) == (
        "IL-11111-24-75-K",
        M("5000000.00"),
        M("5500000.00"),
        1,
        M("300000.00"),
    )
    assert (a.burn_rate, a.time_elapsed, a.countries, a.partial) == (
        M("5.5"),
        M("50.1"),
        "Guatemala, Honduras",
        False,
    )
    assert (a.grantee, a.officer, a.status) == ("Alianza para la Niñez", "Olivia Officer", "Active")
    assert (b.obligated, b.expenditure, b.burn_rate, b.modifications) == (
        M("5000000.00"),
        M("80000.00"),
        M("1.6"),
        0,
    )
    t = report.totals
    assert (t.original_obligated, t.obligated, t.budget, t.expenditure) == (
        M("10000000.00"),
        M("10500000.00"),
        M("4000000.00"),
        M("380000.00"),
    )
    assert (t.burn_rate, t.budget_burn_rate, t.modifications, t.amount_modified) == (
        M("3.6"),
        M("9.5"),
        1,
        M("500000.00"),
    )


def test_builder_figures_by_country_and_project(money, manager):
    report = build(ReportScope(as_of=TODAY), manager, no_progress)
    assert [
        (c.country, c.projects, c.budget, c.expenditure, c.burn_rate, c.time_elapsed)
        for c in report.countries
    ] == [
        ("Guatemala", 1, M("1000000.00"), M("250000.00"), M("25.0"), M("50.1")),
        ("Honduras", 1, M("2000000.00"), M("50000.00"), M("2.5"), M("50.1")),
        ("Kenya", 1, M("1000000.00"), M("80000.00"), M("8.0"), M("50.1")),
    ]
    # The Honduras report awaiting review (400,000) is not counted: its latest approved one (50,000) is.
    assert [
        (p.country, p.expenditure, p.reported_period, p.reported_period_end) for p in report.projects
    ] == [
        ("Guatemala", M("250000.00"), "FY2024 H2", D(2024, 9, 30)),
        ("Honduras", M("50000.00"), "FY2024 H1", D(2024, 3, 31)),
        ("Kenya", M("80000.00"), "FY2024 H1", D(2024, 3, 31)),
    ]
    (mod,) = report.modifications
    assert (mod.award_number, mod.number, mod.kind, mod.effective_date) == (
        "IL-11111-24-75-K",
        1,
        "Incremental funding",
        D(2025, 1, 15),
    )
    assert (mod.amount_change, mod.obligated_before, mod.obligated_after) == (
        M("500000.00"),
        M("5000000.00"),
        M("5500000.00"),
    )
    assert "latest approved report" in report.expenditure_basis


def test_period_range_end_limits_which_reports_count(money, manager):
    report = build(ReportScope(as_of=TODAY, period_to=D(2024, 3, 1)), manager, no_progress)
    assert [(p.country, p.expenditure) for p in report.projects] == [
        ("Guatemala", M("100000.00")),
        ("Honduras", M("50000.00")),
        ("Kenya", M("80000.00")),
    ]
    assert "on or before 01 March 2024" in report.expenditure_basis


def test_country_scope_marks_grants_with_projects_left_out(money, manager):
    report = build(ReportScope(as_of=TODAY, countries=("GT",)), manager, no_progress)
    (grant,) = report.grants
    assert (grant.countries, grant.expenditure, grant.partial) == ("Guatemala", M("250000.00"), True)
    assert [c.country for c in report.countries] == ["Guatemala"]


def test_grantee_sees_only_its_own_organisations_money(money, grantee_b):
    report = build(ReportScope(as_of=TODAY), grantee_b, no_progress)
    assert [g.award_number for g in report.grants] == ["IL-22222-24-75-K"]
    assert [p.country for p in report.projects] == ["Kenya"] and report.modifications == ()
    assert report.totals.expenditure == M("80000.00")


def test_scope_with_no_projects_is_a_nothing_to_report_report(money, manager):
    report = build(ReportScope(as_of=TODAY, countries=("PE",)), manager, no_progress)
    assert report.is_empty and report.empty_message == NOTHING
    assert (report.grants, report.countries, report.projects, report.modifications) == ((), (), (), ())
    assert report.totals.expenditure == M("0.00") and report.totals.burn_rate is None


@pytest.mark.parametrize("extra", [0, 4])
def test_builder_query_count_does_not_grow_with_grants(
    money, manager, officer, extra, django_assert_num_queries
):
    for n in range(extra):
        grant = GrantFactory(program_officer=officer)
        first = period(grant, f"P{n}", D(2024, 1, 1), D(2024, 3, 31))
        for country in ("PE", "CO"):
            report_for(CountryProjectFactory(grant=grant, country=country), first, "10.00", officer)
        grant_services.modification_apply(
            grant=grant,
            actor=officer,
            kind=ModificationKind.INCREMENTAL_FUNDING,
            effective_date=D(2025, 1, 1),
            amount_change=M("1"),
            reason="More",
        )
    # projects with grants, the grants' project counts, modifications, approved expenditure
    with django_assert_num_queries(4):
        report = build(ReportScope(as_of=TODAY), manager, no_progress)
    assert len(report.grants) == 2 + extra and len(report.modifications) == 1 + extra
    with django_assert_num_queries(5):  # asking by grant id adds the check that the grants still exist
        build(ReportScope(as_of=TODAY, grant_ids=(money.grant_a.pk,)), manager, no_progress)


def test_preview_template_shows_figures_and_the_empty_message(money, manager):
    from django.template.loader import render_to_string

    html = render_to_string(
        "reports/financial_preview.html", {"report": build(ReportScope(as_of=TODAY), manager, no_progress)}
    )
    assert "IL-11111-24-75-K" in html and "5,500,000.00" in html and "Incremental funding" in html
    empty = build(ReportScope(as_of=TODAY, countries=("PE",)), manager, no_progress)
    assert NOTHING in render_to_string("reports/financial_preview.html", {"report": empty})
