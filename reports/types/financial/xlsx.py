"""The financial summary as a workbook: an overview with the totals, then one sheet each for grants,
countries (with a native bar chart of budget against expenditure), country projects and modifications.
Money and percentages are real numbers with number formats; every figure comes computed from the builder."""

from __future__ import annotations

from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from reports.render.xlsx import COUNT, DATE, MONEY, PERCENT, Column, Styles, start_table
from reports.types.financial.data import FinancialReport

PARTIAL_NOTE = "Only some of this grant's country projects are in scope: expenditure covers those."


def fit(columns: list[Column]) -> list[Column]:
    """Columns at least as wide as their header, so the header reads on one line whatever the viewer does
    with wrapped header rows (LibreOffice keeps their height to one line)."""
    return [Column(c.header, max(c.width, len(c.header) * 1.1 + 2), c.fmt) for c in columns]


GRANT_COLUMNS = fit(
    [
        Column("Award number", 20),
        Column("Title", 36),
        Column("Grantee", 28),
        Column("Program officer", 20),
        Column("Status", 11),
        Column("Countries in scope", 22),
        Column("Start", 12, DATE),
        Column("End", 12, DATE),
        Column("Original obligation (USD)", 16, MONEY),
        Column("Current obligation (USD)", 16, MONEY),
        Column("Modifications", 13, COUNT),
        Column("Expenditure to date (USD)", 16, MONEY),
        Column("Burn rate", 10, PERCENT),
        Column("Time elapsed", 10, PERCENT),
        Column("Note", 40),
    ]
)
COUNTRY_COLUMNS = fit(
    [
        Column("Country", 22),
        Column("Country projects", 10, COUNT),
        Column("Budget (USD)", 16, MONEY),
        Column("Expenditure to date (USD)", 16, MONEY),
        Column("Burn rate", 10, PERCENT),
        Column("Time elapsed", 10, PERCENT),
    ]
)
PROJECT_COLUMNS = fit(
    [
        Column("Award number", 20),
        Column("Country", 18),
        Column("Project", 36),
        Column("Budget (USD)", 16, MONEY),
        Column("Expenditure to date (USD)", 16, MONEY),
        Column("Burn rate", 10, PERCENT),
        Column("Time elapsed", 10, PERCENT),
        Column("Expenditure reported for", 24),
        Column("Period ends", 12, DATE),
    ]
)
MODIFICATION_COLUMNS = fit(
    [
        Column("Award number", 20),
        Column("Number", 8, COUNT),
        Column("Kind", 20),
        Column("Effective date", 12, DATE),
        Column("Change in obligation (USD)", 16, MONEY),
        Column("Obligated before (USD)", 16, MONEY),
        Column("Obligated after (USD)", 16, MONEY),
        Column("End date before", 12, DATE),
        Column("End date after", 12, DATE),
        Column("Reason", 60),
    ]
)


def _row(styles: Styles, columns: list[Column], values: list[Any], *, bold: bool = False) -> list[Any]:
    return [styles.cell(value, column.fmt, bold=bold) for column, value in zip(columns, values, strict=True)]


def _overview(workbook: Workbook, report: FinancialReport) -> None:
    sheet = workbook.create_sheet("Overview")
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 18
    styles = Styles(sheet)
    sheet.append([styles.cell(report.title, bold=True)])
    for line in report.scope_lines:
        sheet.append([styles.cell(line)])
    sheet.append([styles.cell(report.expenditure_basis)])
    sheet.append([])
    if report.is_empty:
        sheet.append([styles.cell(report.empty_message, bold=True)])
        return
    t = report.totals
    figures: list[tuple[str, Decimal | int | None, str]] = [
        ("Grants", len(report.grants), COUNT),
        ("Countries", len(report.countries), COUNT),
        ("Original obligation (USD)", t.original_obligated, MONEY),
        ("Current obligation (USD)", t.obligated, MONEY),
        ("Modifications", t.modifications, COUNT),
        ("Change in obligation from modifications (USD)", t.amount_modified, MONEY),
        ("Budget of the country projects in scope (USD)", t.budget, MONEY),
        ("Expenditure to date (USD)", t.expenditure, MONEY),
        ("Burn rate against current obligation", t.burn_rate, PERCENT),
        ("Burn rate against country project budgets", t.budget_burn_rate, PERCENT),
    ]
    for label, value, fmt in figures:
        sheet.append([styles.cell(label, bold=True), styles.cell(value, fmt)])


def _grants(workbook: Workbook, report: FinancialReport) -> None:
    sheet = workbook.create_sheet("By grant")
    styles = start_table(sheet, GRANT_COLUMNS, freeze_columns=1, rows=len(report.grants))
    for g in report.grants:
        values = [
            g.award_number,
            g.title,
            g.grantee,
            g.officer,
            g.status,
            g.countries,
            g.start_date,
            g.end_date,
            g.original_obligated,
            g.obligated,
            g.modifications,
            g.expenditure,
            g.burn_rate,
            g.time_elapsed,
            PARTIAL_NOTE if g.partial else None,
        ]
        sheet.append(_row(styles, GRANT_COLUMNS, values))
    t = report.totals
    total = ["Total", None, None, None, None, None, None, None, t.original_obligated, t.obligated]
    total += [t.modifications, t.expenditure, t.burn_rate, None, None]
    sheet.append(_row(styles, GRANT_COLUMNS, total, bold=True))


def _countries(workbook: Workbook, report: FinancialReport) -> None:
    sheet = workbook.create_sheet("By country")
    count = len(report.countries)
    styles = start_table(sheet, COUNTRY_COLUMNS, freeze_columns=1, rows=count)
    for c in report.countries:
        values = [c.country, c.projects, c.budget, c.expenditure, c.burn_rate, c.time_elapsed]
        sheet.append(_row(styles, COUNTRY_COLUMNS, values))
    t = report.totals
    total = [
        "Total",
        sum(c.projects for c in report.countries),
        t.budget,
        t.expenditure,
        t.budget_burn_rate,
        None,
    ]
    sheet.append(_row(styles, COUNTRY_COLUMNS, total, bold=True))

    chart = BarChart()
    chart.type = "bar"  # horizontal: country names stay readable
    chart.title = "Budget and expenditure to date by country (USD)"
    chart.y_axis.title = "USD"
    chart.y_axis.numFmt = MONEY
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # first country at the top, as in the table
    chart.add_data(
        Reference(sheet, min_col=3, max_col=4, min_row=1, max_row=count + 1), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=count + 1))
    chart.width = 22
    chart.height = max(7.5, 1.0 * count + 3)
    sheet.add_chart(chart, "H2")


def _projects(workbook: Workbook, report: FinancialReport) -> None:
    sheet = workbook.create_sheet("Country projects")
    styles = start_table(sheet, PROJECT_COLUMNS, freeze_columns=1, rows=len(report.projects))
    for p in report.projects:
        values = [
            p.award_number,
            p.country,
            p.title,
            p.budget,
            p.expenditure,
            p.burn_rate,
            p.time_elapsed,
            p.reported_period or "No approved report with an expenditure yet",
            p.reported_period_end,
        ]
        sheet.append(_row(styles, PROJECT_COLUMNS, values))


def _modifications(workbook: Workbook, report: FinancialReport) -> None:
    sheet = workbook.create_sheet("Modifications")
    styles = start_table(sheet, MODIFICATION_COLUMNS, freeze_columns=1, rows=len(report.modifications))
    for m in report.modifications:
        values = [
            m.award_number,
            m.number,
            m.kind,
            m.effective_date,
            m.amount_change,
            m.obligated_before,
            m.obligated_after,
            m.end_date_before,
            m.end_date_after,
            m.reason,
        ]
        sheet.append(_row(styles, MODIFICATION_COLUMNS, values))
    if not report.modifications:
        sheet.append([styles.cell("None of the grants in scope has been modified.")])


def render_xlsx(report: FinancialReport, stream: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    _overview(workbook, report)
    if not report.is_empty:
        _grants(workbook, report)
        _countries(workbook, report)
        _projects(workbook, report)
        _modifications(workbook, report)
    workbook.save(stream)
