"""The IPTT workbook: "About" (what the report covers), "IPTT" (wide, for reading) and "Data" (tidy, for analysis).

Every sheet is written in write-only mode, so memory stays flat whatever the portfolio's size. The tidy sheet
is the big one (a row per figure: half a million rows for a whole portfolio); openpyxl sets it up and its
data rows are written as XML here (see ``write_tidy_sheet``), with the same cells openpyxl would write: text
as inline strings (never a formula), real numbers, dates with a date format, percentages with a percent format.

The report's projects are read in ONE pass (a builder's report folds them from the database as they are
read): everything written before the first data row comes from the report's outline, and each project's
wide rows and tidy rows are written as it arrives (each write-only sheet has its own temporary file, so the
two sheets fill side by side).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from math import isinf, isnan
from typing import IO, Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.compat.numbers import NUMERIC_TYPES
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.utils.exceptions import IllegalCharacterError

from reports.render.xlsx import (
    COUNT,
    DATE,
    FORMULA_STARTS,
    MONEY,
    PERCENT,
    TEXT,
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
    Period,
    Project,
)
from reports.types.iptt.data import (
    PERCENT as PERCENT_AT,
)

FORMATS = {"count": COUNT, "money": MONEY, "percentage": PERCENT}
TIDY_WIDTHS = (18, 12, 10, 14, 22, 36, 12, 12, 14, 14, 12, 12, 13, 12, 16, 11)
# XML parsers read a raw carriage return as a line feed: written as a reference it stays what it was.
_CARRIAGE_RETURN = {"\r": "&#13;"}
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
    wide = _WideSheet(workbook, report)
    with _tidy_sheet(workbook, report.row_count) as write_tidy:
        for project in report.projects:  # the one pass
            wide.append(project)
            write_tidy(project.tidy_rows())
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
        ("Country projects", styles.cell(report.outline.projects, left=True)),
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


def _period_columns(periods: Iterable[Period]) -> list[str]:
    """The wide sheet's period groups: periods line up across grants by their name (a partial first or last
    period, "FY2025 Q1 (1 Nov-31 Dec 2024)", joins the full period of the same name), in time order."""
    first_start: dict[str, datetime.date] = {}
    for period in periods:
        name = period.label.split(" (")[0]
        if name not in first_start or period.start < first_start[name]:
            first_start[name] = period.start
    return sorted(first_start, key=lambda name: (first_start[name], name))


class _WideSheet:
    """The "IPTT" sheet: set up from the report's outline (its period columns and row count), then a
    project's rows at a time."""

    def __init__(self, workbook: Workbook, report: IpttReport) -> None:
        outline = report.outline
        sheet = self.sheet = workbook.create_sheet("IPTT")
        names = _period_columns(outline.periods)
        self.group = {name: len(LEADING) + 3 * i for i, name in enumerate(names)}
        widths = [c.width for c in LEADING] + [11] * (3 * len(names))
        self.width = len(widths)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = f"{get_column_letter(4)}3"
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(widths))}{outline.lines + 2}"
        styles = self.styles = Styles(sheet)
        top = [styles.cell("", header=True) for _ in LEADING]
        for name in names:
            top += [
                styles.cell(name, header=True),
                styles.cell("", header=True),
                styles.cell("", header=True),
            ]
        sheet.append(top)
        second = [styles.cell(c.header, header=True) for c in LEADING]
        for _ in names:
            second += [styles.cell(h, header=True) for h in ("Target", "Actual", "% of target")]
        sheet.append(second)

    def append(self, project: Project) -> None:
        sheet, styles = self.sheet, self.styles
        label = project.label
        slots = [self.group[p.label.split(" (")[0]] for p in project.periods]
        for indicator in project.indicators:
            fmt = FORMATS.get(indicator.measure_type)
            for line in indicator.lines:
                bold, indent = line.is_total, 0 if line.is_total else 2
                row: list[Any] = [None] * self.width
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


def write_tidy_sheet(workbook: Workbook, report: Any) -> None:
    """The long "Data" sheet alone: one row per figure of ``report.tidy_rows()`` (``report.row_count`` of
    them, for the autofilter), streamed. ``render_xlsx`` writes it project by project instead."""
    with _tidy_sheet(workbook, report.row_count) as write:
        write(report.tidy_rows())


@contextmanager
def _tidy_sheet(workbook: Workbook, rows: int) -> Iterator[Any]:
    """The long "Data" sheet, open for rows: yields ``write(rows)``, to be called as often as needed with
    ``IpttReport.tidy_rows``-shaped tuples (``rows`` in all, for the autofilter); the sheet is complete
    when the block ends.

    openpyxl sets the sheet up (widths, frozen header, autofilter, the styled header row and every cell
    style, registered in the workbook's stylesheet) and writes it to its temporary file; the data rows are
    then spliced into that file's ``<sheetData>`` as XML written here. openpyxl's per-cell writing (a cell
    object, a style lookup and an lxml element per value) was nearly all of the sheet's time; here each
    distinct text, date and figure is turned into XML once and a row is one string join. The cells are the
    ones openpyxl writes: inline strings, numbers, dates as serial numbers with a date format."""
    sheet = workbook.create_sheet("Data")
    columns = [Column(header, width) for header, width in zip(TIDY_HEADERS, TIDY_WIDTHS, strict=True)]
    styles = start_table(sheet, columns, freeze_columns=0, rows=rows)
    cells = _TidyCells(
        date=styles.cell(None, DATE).style_id,
        percent=styles.cell(None, PERCENT).style_id,
        text=styles.cell(None, TEXT).style_id,
        epoch=workbook.epoch,
    )
    sheet.close()  # the header, then the autofilter after an (as yet) one-row sheetData
    path = sheet._writer.out
    with open(path, "rb") as written:
        head, closing, tail = written.read().partition(b"</sheetData>")
    if not closing:
        raise RuntimeError("openpyxl wrote the Data sheet without a header row; it cannot be filled in.")
    next_row = [2]  # the header is row 1

    with open(path, "wb") as out:
        out.write(head)

        def write(rows: Iterable[tuple]) -> None:
            next_row[0] = _write_tidy_rows(out, rows, cells, next_row[0])

        yield write
        out.write(closing + tail)


def _write_tidy_rows(out: IO[bytes], rows: Iterable[tuple], cells: _TidyCells, first: int) -> int:
    """Write ``rows`` numbered from ``first``; returns the next row's number."""
    text, date, number, percent = cells.text_xml, cells.date_xml, cells.number_xml, cells.percent_xml
    chunk: list[str] = []
    index = first - 1
    for index, row in enumerate(rows, start=first):
        award, country, pid, code, key, period, start, end, *figures, pct, status = row
        r = f'{index}"'
        parts = [
            f'<row r="{index}">',
            text("A", award, r),
            text("B", country, r),
            number("C", pid, r),
            text("D", code, r),
            text("E", key or "total", r),
            text("F", period, r),
            date("G", start, r),
            date("H", end, r),
        ]
        for column, figure in zip("IJKLMN", figures, strict=True):
            if figure is not None:
                parts.append(number(column, figure, r))
        parts.append(percent("O", pct, r))
        parts.append(text("P", status, r))
        parts.append("</row>")
        chunk.append("".join(parts))
        if len(chunk) == 2000:
            out.write("".join(chunk).encode())
            chunk.clear()
    out.write("".join(chunk).encode())
    return index + 1


class _TidyCells:
    """The XML of one cell of the tidy sheet, given its column letter, value and ``r`` (the row number and
    closing quote). Each distinct value is converted once: the rest of the cell only needs the column and
    row. ``None`` is no cell at all."""

    def __init__(self, *, date: int, percent: int, text: int, epoch: datetime.datetime) -> None:
        self._date_style, self._percent_style, self._text_style = date, percent, text
        self._epoch = epoch
        self._texts: dict[str, str] = {}
        self._dates: dict[datetime.date, str] = {}
        self._numbers: dict[object, str] = {}
        self._percents: dict[object, str] = {}

    def text_xml(self, column: str, value: str | None, r: str) -> str:
        if not value:  # None or "": no cell, so it reads back empty (None), as openpyxl writes it
            return ""
        known = self._texts.get(value)
        if known is None:
            if ILLEGAL_CHARACTERS_RE.search(value):
                raise IllegalCharacterError(f"{value} cannot be used in worksheets.")
            # Always an inline string, so never a formula; text a spreadsheet might still read as one
            # (= + - @) also gets the text format, so it stays text wherever it is opened or exported.
            style = f' s="{self._text_style}"' if value[:1] in FORMULA_STARTS else ""
            space = ' xml:space="preserve"' if value != value.strip() else ""
            known = self._texts[value] = (
                f'{style} t="inlineStr"><is><t{space}>{escape(value, _CARRIAGE_RETURN)}</t></is></c>'
            )
        return f'<c r="{column}{r}{known}'

    def date_xml(self, column: str, value: datetime.date | None, r: str) -> str:
        if value is None:
            return ""
        known = self._dates.get(value)
        if known is None:
            known = self._dates[value] = (
                f' s="{self._date_style}" t="n"><v>{_number(to_excel(value, self._epoch))}</v></c>'
            )
        return f'<c r="{column}{r}{known}'

    def number_xml(self, column: str, value: object, r: str) -> str:
        known = self._numbers.get(value)
        if known is None:
            known = self._numbers[value] = f' t="n"><v>{_number(value)}</v></c>'
        return f'<c r="{column}{r}{known}'

    def percent_xml(self, column: str, value: object, r: str) -> str:
        if value is None:
            return ""
        known = self._percents.get(value)
        if known is None:
            known = self._percents[value] = f' s="{self._percent_style}" t="n"><v>{_number(value)}</v></c>'
        return f'<c r="{column}{r}{known}'


def _number(value: object) -> str:
    """A figure as openpyxl writes it (``%.16g``); a figure that is not a number is a bug upstream."""
    if isinstance(value, bool) or not isinstance(value, NUMERIC_TYPES):
        raise TypeError(f"The tidy sheet takes numbers for its figures, not {value!r}.")
    if isnan(value) or isinf(value):
        raise ValueError(f"The tidy sheet cannot hold {value} as a figure.")
    return f"{float(value):.16g}"
