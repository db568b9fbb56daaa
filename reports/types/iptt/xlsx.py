"""The IPTT workbook: "About" (what the report covers), "IPTT" (wide, for reading) and "Data" (tidy, for analysis).

Every sheet is written in write-only mode, so memory stays flat whatever the portfolio's size. The tidy sheet's
rows go to openpyxl as plain values wherever possible (that is the fast path): dates get openpyxl's date
format by themselves, figures are Decimals, and only the percent column and text that could be read as a
formula pass styled cells.
"""

from __future__ import annotations

from typing import IO

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from reports.render.xlsx import (
    COUNT,
    DATE,
    MONEY,
    PERCENT,
    Column,
    Styles,
    start_table,
    text_cell,
)
from reports.types.iptt.data import (
    ACTUAL,
    STATUS_LABELS,
    TARGET,
    TIDY_HEADERS,
    IpttReport,
)
from reports.types.iptt.data import (
    PERCENT as PERCENT_AT,
)

FORMATS = {"count": COUNT, "money": MONEY, "percentage": PERCENT}
TIDY_WIDTHS = (18, 12, 10, 14, 22, 36, 12, 12, 14, 14, 12, 12, 13, 12, 16, 11)
LEADING = (
    Column("Project", 24),
    Column("Indicator", 11),
    Column("Indicator or cell", 44),
    Column("Unit", 12),
    Column("LOP target", 12),
    Column("LOP original target", 12),
    Column("Actual to date", 12),
    Column("% of LOP target", 11),
    Column("Status", 11),
)


def render_xlsx(report: IpttReport, stream: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    _about(workbook, report)
    _wide(workbook, report)
    write_tidy_sheet(workbook, report)
    workbook.save(stream)


def _about(workbook: Workbook, report: IpttReport) -> None:
    sheet = workbook.create_sheet("About")
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 90
    styles = Styles(sheet)
    rows = [
        ("Report", styles.cell(report.title, bold=True)),
        ("Figures as of", styles.cell(report.as_of, DATE, left=True)),
        (
            "Periods from",
            styles.cell(report.period_from, DATE, left=True) if report.period_from else "the first",
        ),
        (
            "Periods to",
            styles.cell(report.period_to, DATE, left=True) if report.period_to else "the latest started",
        ),
        ("Country projects", styles.cell(len(report.projects), left=True)),
        (
            "On track",
            f"Within {report.band_percent.normalize():f}% of the value expected by the latest approved period.",
        ),
        ("Actuals", "Approved reports only; reports awaiting review are not counted."),
        (
            "Sheets",
            "IPTT: one row per indicator and cell, periods across. Data: one row per figure, for analysis.",
        ),
    ]
    if report.is_empty:
        rows.insert(0, ("Nothing to report", report.message))
    for label, value in rows:
        sheet.append(
            [styles.cell(label, bold=True), text_cell(sheet, value) if isinstance(value, str) else value]
        )


def _period_columns(report: IpttReport) -> list[str]:
    """The wide sheet's period groups: periods line up across grants by their name (a partial first or last
    period, "FY2025 Q1 (1 Nov-31 Dec 2024)", joins the full period of the same name), in time order."""
    first_start: dict[str, object] = {}
    for project in report.projects:
        for period in project.periods:
            name = period.label.split(" (")[0]
            if name not in first_start or period.start < first_start[name]:
                first_start[name] = period.start
    return sorted(first_start, key=lambda name: (first_start[name], name))


def _wide(workbook: Workbook, report: IpttReport) -> None:
    sheet = workbook.create_sheet("IPTT")
    names = _period_columns(report)
    group = {name: len(LEADING) + 3 * i for i, name in enumerate(names)}
    widths = [c.width for c in LEADING] + [11] * (3 * len(names))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"{get_column_letter(4)}3"
    sheet.auto_filter.ref = f"A2:{get_column_letter(len(widths))}{report_lines(report) + 2}"
    styles = Styles(sheet)
    top = [styles.cell("", header=True) for _ in LEADING]
    for name in names:
        top += [styles.cell(name, header=True), styles.cell("", header=True), styles.cell("", header=True)]
    sheet.append(top)
    second = [styles.cell(c.header, header=True) for c in LEADING]
    for _ in names:
        second += [styles.cell(h, header=True) for h in ("Target", "Actual", "% of target")]
    sheet.append(second)
    for project in report.projects:
        label = project.label
        slots = [group[p.label.split(" (")[0]] for p in project.periods]
        for indicator in project.indicators:
            fmt = FORMATS.get(indicator.measure_type)
            for line in indicator.lines:
                bold, indent = line.is_total, 0 if line.is_total else 2
                row = [None] * len(widths)
                row[0] = styles.cell(label, bold=bold)
                row[1] = styles.cell(indicator.code, bold=bold)
                row[2] = styles.cell(
                    indicator.name if line.is_total else line.label, bold=bold, indent=indent
                )
                row[3] = styles.cell(indicator.unit)
                row[4] = styles.cell(line.lop_target, fmt) if line.lop_target is not None else None
                row[5] = (
                    styles.cell(line.original_lop_target, fmt)
                    if line.original_lop_target is not None
                    else None
                )
                row[6] = styles.cell(line.to_date, fmt, bold=bold) if line.to_date is not None else None
                row[7] = (
                    styles.cell(line.percent_achieved, PERCENT) if line.percent_achieved is not None else None
                )
                row[8] = styles.cell(STATUS_LABELS[line.status])
                for slot, figures in zip(slots, line.periods, strict=True):
                    for offset, at, number_format in (
                        (0, TARGET, fmt),
                        (1, ACTUAL, fmt),
                        (2, PERCENT_AT, PERCENT),
                    ):
                        if figures[at] is not None:
                            row[slot + offset] = styles.cell(figures[at], number_format)
                sheet.append(row)


def report_lines(report: IpttReport) -> int:
    return sum(len(indicator.lines) for project in report.projects for indicator in project.indicators)


def write_tidy_sheet(workbook: Workbook, report: IpttReport) -> None:
    """The long "Data" sheet: one row per figure (``IpttReport.tidy_rows``), streamed."""
    sheet = workbook.create_sheet("Data")
    columns = [Column(header, width) for header, width in zip(TIDY_HEADERS, TIDY_WIDTHS, strict=True)]
    styles = start_table(sheet, columns, freeze_columns=0, rows=report.row_count)
    percent = styles.reusable(PERCENT)
    safe = styles.safe
    append = sheet.append
    # Text repeats row after row: each distinct string is checked once, not once per row.
    texts: dict[str, object] = {}

    def text(value: str) -> object:
        known = texts.get(value)
        if known is None:
            known = texts[value] = safe(value)
        return known

    for award, country, pid, code, key, period, start, end, *figures, pct, status in report.tidy_rows():
        if pct is not None:
            percent.value = pct
            pct = percent
        append(
            (
                text(award),
                text(country),
                pid,
                text(code),
                text(key or "total"),
                text(period),
                start,
                end,
                *figures,
                pct,
                status,
            )
        )
