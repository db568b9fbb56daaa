"""The portfolio donor report as an Excel workbook: one sheet per section, real numbers and dates, frozen
headers, filters, widths, a native bar chart of funding by country. No models: the report arrives built."""

from __future__ import annotations

from typing import IO, Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from reports.render.xlsx import COUNT, DATE, DECIMAL, MONEY, PERCENT, Column, Styles, start_table
from reports.types.donor.data import DonorReport, FundingLine, IndicatorLine

FUNDING_COLUMNS = [
    Column("Grants", 9, COUNT),
    Column("Projects", 10, COUNT),
    Column("Funding (USD)", 16, MONEY),
    Column("Expenditure (USD)", 18, MONEY),
    Column("Burn rate", 11, PERCENT),
    Column("Time elapsed", 13, PERCENT),
]


def _summary(book: Workbook, report: DonorReport) -> None:
    h = report.headline
    rows: list[tuple[str, Any, str | None, str]] = [
        ("Report", report.title, None, ""),
        ("Scope", report.scope_line, None, ""),
        ("Figures as of", report.as_of, DATE, ""),
    ]
    if report.is_empty:
        rows.append(("Nothing to report", report.empty_message, None, ""))
    else:
        rows += [
            ("Grants", h.grants, COUNT, ""),
            ("Countries", h.countries, COUNT, ""),
            ("Country projects", h.projects, COUNT, ""),
            ("Obligated funding (USD)", h.obligated, MONEY, "grants' current obligated amounts"),
            ("Country project budgets (USD)", h.budget, MONEY, ""),
            ("Expenditure to date (USD)", h.expenditure, MONEY, "latest approved report of each project"),
            ("Burn rate", h.burn_rate, PERCENT, "expenditure against obligated funding"),
            ("Time elapsed", h.time_elapsed, PERCENT, "first grant start to last grant end"),
            ("Children reached", h.children_total, COUNT, h.children_indicator),
            ("Children reached: female", h.children_female, COUNT, h.children_indicator),
            ("Children reached: male", h.children_male, COUNT, h.children_indicator),
            ("Households reached", h.households, COUNT, h.households_indicator),
        ]
        t = report.timeliness
        if t is not None:
            rows += [
                (
                    "Indicator reports counted for timeliness",
                    t.reports_counted,
                    COUNT,
                    "due by now, or submitted",
                ),
                ("Indicator reports on time", t.reports_on_time, COUNT, "first submitted by the due date"),
                ("Indicator reports on time (%)", t.reports_on_time_percent, PERCENT, ""),
                (
                    "Deliverables counted for timeliness",
                    t.deliverables_counted,
                    COUNT,
                    "due by now, or completed",
                ),
                ("Deliverables on time", t.deliverables_on_time, COUNT, "completed by the due date"),
                ("Deliverables on time (%)", t.deliverables_on_time_percent, PERCENT, ""),
                ("Median days late", t.median_days_late, DECIMAL, f"of the {t.late_count} late ones"),
                ("Median days to review", t.median_review_days, DECIMAL, f"{t.reviews_counted} reviews"),
            ]
    sheet = book.create_sheet("Summary")
    styles = start_table(
        sheet, [Column("Figure", 46), Column("Value", 18), Column("Source", 70)], rows=len(rows)
    )
    for label, value, fmt, source in rows:
        sheet.append([styles.cell(label, bold=True), styles.cell(value, fmt), styles.cell(source)])


def _funding(book: Workbook, title: str, first: str, lines: tuple[FundingLine, ...], chart: bool) -> None:
    sheet = book.create_sheet(title)
    styles = start_table(sheet, [Column(first, 30), *FUNDING_COLUMNS], freeze_columns=1, rows=len(lines))
    for line in lines:
        sheet.append(
            [
                styles.cell(line.name),
                styles.cell(line.grants, COUNT),
                styles.cell(line.projects, COUNT),
                styles.cell(line.funding, MONEY),
                styles.cell(line.expenditure, MONEY),
                styles.cell(line.burn_rate, PERCENT),
                styles.cell(line.time_elapsed, PERCENT),
            ]
        )
    if chart and lines:
        bars = BarChart()
        bars.type = "bar"
        bars.title = f"{first} funding and expenditure (USD)"
        bars.y_axis.title = "USD"
        bars.height = max(7.5, 0.6 * len(lines) + 3)
        bars.width = 22
        bars.add_data(
            Reference(sheet, min_col=4, max_col=5, min_row=1, max_row=len(lines) + 1), titles_from_data=True
        )
        bars.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(lines) + 1))
        bars.x_axis.scaling.orientation = "maxMin"  # first country at the top, as in the table
        # openpyxl marks axes as deleted unless told otherwise: Excel would show the bars without labels.
        bars.x_axis.delete = False
        bars.y_axis.delete = False
        bars.y_axis.number_format = "#,##0"
        bars.y_axis.majorGridlines = None
        sheet.add_chart(bars, "I2")


INDICATOR_COLUMNS = [
    Column("Code", 8),
    Column("Indicator", 60),
    Column("Unit", 16),
    Column("LOP target", 14, "#,##0.##"),
    Column("Actual to date", 15, "#,##0.##"),
    Column("Achieved", 11, PERCENT),
    Column("Status", 12),
    Column("Latest approved period", 22),
]


def _indicator_cells(styles: Styles, line: IndicatorLine) -> list[Any]:
    return [
        styles.cell(line.code),
        styles.cell(line.name),
        styles.cell(line.unit),
        styles.cell(line.lop_target, PERCENT if line.is_percentage else "#,##0.##"),
        styles.cell(line.actual, PERCENT if line.is_percentage else "#,##0.##"),
        styles.cell(line.percent_achieved, PERCENT),
        styles.cell(line.status),
        styles.cell(line.as_of),
    ]


def _indicators(book: Workbook, report: DonorReport) -> None:
    sheet = book.create_sheet("Indicators")
    styles = start_table(sheet, INDICATOR_COLUMNS, freeze_columns=2, rows=len(report.indicators))
    for line in report.indicators:
        sheet.append(_indicator_cells(styles, line))


def _outcomes(book: Workbook, report: DonorReport) -> None:
    sheet = book.create_sheet("By outcome")
    rows = sum(len(block.indicators) for block in report.outcomes)
    columns = [
        Column("Project", 28),
        Column("Outcome", 8),
        Column("Outcome statement", 50),
        *INDICATOR_COLUMNS,
    ]
    styles = start_table(sheet, columns, freeze_columns=1, rows=rows)
    for block in report.outcomes:
        for line in block.indicators:
            head = [styles.cell(block.project), styles.cell(block.code), styles.cell(block.statement)]
            sheet.append([*head, *_indicator_cells(styles, line)])


def _milestones(book: Workbook, report: DonorReport) -> None:
    sheet = book.create_sheet("Milestones")
    styles = start_table(
        sheet, [Column("Status", 32), Column("Milestones", 12, COUNT)], rows=len(report.milestones)
    )
    for item in report.milestones:
        sheet.append([styles.cell(item.status), styles.cell(item.count, COUNT)])


def _projects(book: Workbook, report: DonorReport) -> None:
    sheet = book.create_sheet("Projects")
    columns = [
        Column("Country", 18),
        Column("Award number", 15),
        Column("Project", 40),
        Column("Grantee", 34),
        Column("Start", 12, DATE),
        Column("End", 12, DATE),
        Column("Budget (USD)", 16, MONEY),
        Column("Expenditure (USD)", 18, MONEY),
        Column("Burn rate", 11, PERCENT),
        Column("Time elapsed", 13, PERCENT),
        Column("Milestones completed", 12, COUNT),
        Column("Milestones open", 12, COUNT),
        Column("Milestones overdue", 12, COUNT),
        Column("Narrative period", 20),
        Column("Achievements", 60),
        Column("Challenges", 60),
        Column("Next steps", 60),
    ]
    styles = start_table(sheet, columns, freeze_columns=2, rows=len(report.projects))
    for page in report.projects:
        sheet.append(
            [
                styles.cell(page.country),
                styles.cell(page.award_number),
                styles.cell(page.title),
                styles.cell(page.grantee),
                styles.cell(page.start, DATE),
                styles.cell(page.end, DATE),
                styles.cell(page.budget, MONEY),
                styles.cell(page.expenditure, MONEY),
                styles.cell(page.burn_rate, PERCENT),
                styles.cell(page.time_elapsed, PERCENT),
                styles.cell(page.milestones_completed, COUNT),
                styles.cell(page.milestones_open, COUNT),
                styles.cell(page.milestones_overdue, COUNT),
                styles.cell(page.period),
                styles.cell(page.achievements),
                styles.cell(page.challenges),
                styles.cell(page.next_steps),
            ]
        )


def render_xlsx(report: DonorReport, stream: IO[bytes]) -> None:
    book = Workbook(write_only=True)
    _summary(book, report)
    if not report.is_empty:
        _funding(book, "Funding by country", "Country", report.countries, chart=True)
        _funding(book, "Funding by theme", "Theme", report.themes, chart=False)
        _indicators(book, report)
        _outcomes(book, report)
        _milestones(book, report)
        _projects(book, report)
    book.save(stream)
