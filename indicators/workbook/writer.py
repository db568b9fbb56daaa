"""Write the indicator-data template: plain data in (``TemplateData``), an .xlsx out. No models, no request.

Every sheet is protected without a password: the protection keeps a grantee from moving columns or typing into
reference cells by accident, not from a determined user, so the reader checks everything again. Input cells
are unlocked, tinted and carry data validation (whole numbers for counts, numerators and denominators,
amounts for money, "Yes" for nothing to report) so Excel and LibreOffice stop a wrong entry as it is typed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.workbook.layout import (
    DATA,
    DATA_COLUMNS,
    DATA_SHEET,
    INSTRUCTIONS_SHEET,
    META_SHEET,
    REPORT,
    REPORT_COLUMNS,
    REPORT_SHEET,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    YES,
    Column,
)

MEASURE_LABELS = {"count": "Count", "percentage": "Numerator / denominator", "money": "Amount (USD)"}


@dataclass(frozen=True)
class TemplateRow:
    """One indicator cell of one country project: a row of the data sheet."""

    project_id: int
    project_name: str
    indicator_code: str
    indicator_name: str
    cell_key: str  # "" for the total
    cell_label: str
    measure: str  # count, percentage, money
    target: Decimal | None
    previous: str
    # The report's current figures: a number, or the text a draft kept because it was not one.
    value: Decimal | str | None = None
    numerator: Decimal | str | None = None
    denominator: Decimal | str | None = None
    nothing_to_report: bool = False
    explanation: str = ""
    editable: bool = True

    @property
    def is_total(self) -> bool:
        return self.cell_key == ""


@dataclass(frozen=True)
class TemplateReport:
    """One country project's report for the period: a row of the report sheet."""

    project_id: int
    project_name: str
    status: str  # as shown: "Not started", "Draft", "Approved" ...
    version: int  # the report's version when the template was made; 0 when there is no report yet
    editable: bool
    expenditure: Decimal | str | None = None
    achievements: str = ""
    challenges: str = ""
    next_steps: str = ""


@dataclass(frozen=True)
class TemplateData:
    grant_id: int
    grant_label: str
    organisation: str
    period_id: int
    period_label: str
    period_start: datetime.date
    period_end: datetime.date
    due_date: datetime.date
    reports: tuple[TemplateReport, ...]
    rows: tuple[TemplateRow, ...]
    generated_at: datetime.datetime
    change_warning_percent: int


# Fills: inputs a grantee types into, and locked inputs of reports that are submitted or approved.
INPUT_FILL = PatternFill("solid", start_color="FFF8DC")
LOCKED_FILL = PatternFill("solid", start_color="E9ECEF")
HEADER_FILL = PatternFill("solid", start_color="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
TOTAL_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
UNLOCKED = Protection(locked=False)

# Characters a line of the instructions column holds (its width is 72, a portrait page), a little under.
WRAP_CHARS = 64
NUMBER_FORMATS = {"count": "#,##0", "percentage": "#,##0", "money": "#,##0.00"}


class _Styles:
    """Prototype cells whose style arrays are shared by every cell of the same look. Assigning a font or fill
    to each of hundreds of thousands of cells looks the style up in the workbook every time; copying the
    prototype's array is a plain attribute copy."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self._cache: dict[tuple, Any] = {}

    def cell(
        self, value: Any, *, fmt: str | None = None, kind: str = "plain", bold: bool = False
    ) -> WriteOnlyCell:
        key = (fmt, kind, bold)
        proto = self._cache.get(key)
        if proto is None:
            proto = WriteOnlyCell(self.sheet)
            if fmt:
                proto.number_format = fmt
            if kind == "input":
                proto.fill, proto.protection = INPUT_FILL, UNLOCKED
            elif kind == "text-input":
                proto.fill, proto.protection, proto.alignment = INPUT_FILL, UNLOCKED, WRAP
            elif kind == "locked":
                proto.fill = LOCKED_FILL
            elif kind == "header":
                proto.fill, proto.font, proto.alignment = HEADER_FILL, HEADER_FONT, WRAP
            if bold and kind != "header":
                proto.font = TOTAL_FONT
            self._cache[key] = proto
        cell = WriteOnlyCell(self.sheet, value=value)
        # Shared, never changed afterwards (see the class docstring).
        cell._style = proto._style
        if isinstance(value, str):
            # Typed as a string: openpyxl would otherwise write "=..." as a live formula.
            cell.data_type = "s"
        return cell


class _Validations:
    """Data validation over runs of rows: one range per run of consecutive rows with the same rule, so a
    50,000-row sheet carries a handful of ranges rather than one per cell."""

    RULES = {
        "whole": {
            "type": "whole",
            "operator": "greaterThanOrEqual",
            "formula1": "0",
            "error": "Enter a whole number, 0 or more (no commas).",
        },
        "decimal": {
            "type": "decimal",
            "operator": "greaterThanOrEqual",
            "formula1": "0",
            "error": "Enter an amount, 0 or more, with a point for cents (no commas).",
        },
        "yes": {"type": "list", "formula1": f'"{YES}"', "error": f"Choose {YES}, or leave the cell empty."},
    }

    def __init__(self) -> None:
        self.runs: dict[tuple[str, str], list[list[int]]] = {}

    def add(self, column: Column, rule: str, row: int) -> None:
        runs = self.runs.setdefault((column.letter, rule), [])
        if runs and runs[-1][1] == row - 1:
            runs[-1][1] = row
        else:
            runs.append([row, row])

    def attach(self, sheet: Any) -> None:
        by_rule: dict[str, list[str]] = {}
        for (letter, rule), runs in self.runs.items():
            by_rule.setdefault(rule, []).extend(f"{letter}{a}:{letter}{b}" for a, b in runs)
        for rule, ranges in by_rule.items():
            validation = DataValidation(
                allow_blank=True, showErrorMessage=True, errorTitle="Not accepted", **self.RULES[rule]
            )
            validation.sqref = " ".join(ranges)  # type: ignore[assignment]
            sheet.data_validations.append(validation)


def _print_wide(sheet: Any, landscape: bool = True) -> None:
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _setup(sheet: Any, columns: Iterable[Column]) -> _Styles:
    styles = _Styles(sheet)
    for column in columns:
        sheet.column_dimensions[column.letter].width = column.width
    sheet.freeze_panes = "C2"
    # Headers wrap over two lines; printed, the sheet is one page wide with the header on every page.
    sheet.row_dimensions[1].height = 32
    _print_wide(sheet)
    sheet.print_title_rows = "1:1"
    sheet.protection.sheet = True
    # Sorting, filtering and resizing stay allowed; inserting or deleting rows and columns does not.
    sheet.protection.autoFilter = False
    sheet.protection.sort = False
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    return styles


def _data_sheet(workbook: Workbook, data: TemplateData) -> None:
    sheet = workbook.create_sheet(DATA_SHEET)
    styles = _setup(sheet, DATA_COLUMNS)
    sheet.append([styles.cell(column.header, kind="header") for column in DATA_COLUMNS])
    validations = _Validations()
    number_inputs = {
        "count": (("value", "whole"),),
        "money": (("value", "decimal"),),
        "percentage": (("numerator", "whole"), ("denominator", "whole")),
    }
    for index, row in enumerate(data.rows, start=2):
        bold = row.is_total
        fmt = NUMBER_FORMATS[row.measure]
        inputs = dict(number_inputs[row.measure])
        cells = {
            "project": styles.cell(row.project_id, bold=bold),
            "project_name": styles.cell(row.project_name, bold=bold),
            "indicator": styles.cell(row.indicator_code, bold=bold),
            "indicator_name": styles.cell(row.indicator_name, bold=bold),
            "cell": styles.cell(row.cell_key or "total", bold=bold),
            "cell_label": styles.cell(row.cell_label, bold=bold),
            "measure": styles.cell(MEASURE_LABELS[row.measure], bold=bold),
            "target": styles.cell(row.target, fmt="#,##0.##", bold=bold),
            "previous": styles.cell(row.previous, bold=bold),
        }
        for key in ("value", "numerator", "denominator"):
            value = getattr(row, key)
            if key not in inputs:
                cells[key] = styles.cell(None, kind="locked")
            elif not row.editable:
                cells[key] = styles.cell(value, fmt=fmt, kind="locked", bold=bold)
            else:
                cells[key] = styles.cell(value, fmt=fmt, kind="input", bold=bold)
                validations.add(DATA[key], inputs[key], index)
        flag = YES if row.nothing_to_report else None
        if row.editable:
            cells["nothing_to_report"] = styles.cell(flag, kind="input")
            validations.add(DATA["nothing_to_report"], "yes", index)
        else:
            cells["nothing_to_report"] = styles.cell(flag, kind="locked")
        explain = row.editable and row.is_total
        cells["explanation"] = styles.cell(
            row.explanation or None, kind="text-input" if explain else "locked"
        )
        sheet.append([cells[column.key] for column in DATA_COLUMNS])
    last = len(data.rows) + 1
    sheet.auto_filter.ref = f"A1:{DATA_COLUMNS[-1].letter}{last}"
    validations.attach(sheet)


def _report_sheet(workbook: Workbook, data: TemplateData) -> None:
    sheet = workbook.create_sheet(REPORT_SHEET)
    styles = _setup(sheet, REPORT_COLUMNS)
    sheet.append([styles.cell(column.header, kind="header") for column in REPORT_COLUMNS])
    validations = _Validations()
    for index, report in enumerate(data.reports, start=2):
        text_kind = "text-input" if report.editable else "locked"
        sheet.append(
            [
                styles.cell(report.project_id),
                styles.cell(report.project_name),
                styles.cell(
                    report.expenditure, fmt="#,##0.00", kind="input" if report.editable else "locked"
                ),
                styles.cell(report.achievements or None, kind=text_kind),
                styles.cell(report.challenges or None, kind=text_kind),
                styles.cell(report.next_steps or None, kind=text_kind),
            ]
        )
        if report.editable:
            validations.add(REPORT["expenditure"], "decimal", index)
    validations.attach(sheet)


def _instructions(workbook: Workbook, data: TemplateData) -> None:
    sheet = workbook.create_sheet(INSTRUCTIONS_SHEET)
    sheet.column_dimensions["A"].width = 72
    _print_wide(sheet, landscape=False)
    sheet.protection.sheet = True
    title = Font(bold=True, size=14)
    heading = Font(bold=True)

    row = 0

    def line(text: str = "", font: Font | None = None) -> None:
        nonlocal row
        row += 1
        # Wrapped text gets the height of its lines: LibreOffice does not grow rows of a generated file.
        lines = max(1, -(-len(text) // WRAP_CHARS))
        if lines > 1:
            sheet.row_dimensions[row].height = 15 * lines + 2
        # Own cells, not _Styles prototypes: setting a font here would change every cell sharing the style.
        cell = WriteOnlyCell(sheet, value=text or None)
        cell.data_type = "s" if text else "n"
        if font is not None:
            cell.font = font
        cell.alignment = WRAP
        sheet.append([cell])

    locked = [r for r in data.reports if not r.editable]
    line("Indicator data template", title)
    line(f"Grant: {data.grant_label} ({data.organisation})")
    line(
        f"Reporting period: {data.period_label}, {data.period_start:%d %b %Y} to {data.period_end:%d %b %Y}; "
        f"report due {data.due_date:%d %b %Y}."
    )
    line(f"Country projects: {', '.join(r.project_name for r in data.reports)}.")
    line()
    line("How to fill it in", heading)
    for text in (
        f"1. On the “{DATA_SHEET}” sheet, type each figure in the tinted cells. One row is one indicator for one "
        "group (sex, age band, migration status) of one country project; the bold row of each indicator is its "
        "total.",
        "2. Counts are whole numbers. Percentages are reported as a numerator and a denominator (for example 45 "
        "of 60 children), never as a percentage. Amounts are in US dollars with a point for cents. Do not type "
        "thousands separators: 1250, not 1,250.",
        "3. Where an indicator's groups cover everyone (for example female and male), the groups must add up to "
        "the total.",
        f"4. Choose “{YES}” under “Nothing to report” when there was nothing to report for an indicator or a "
        "group; leave a cell empty only when the figure is not known yet.",
        f"5. When a total moves more than {data.change_warning_percent}% from the previous period, write why in "
        "“Explanation of change”; the report cannot be submitted without it.",
        f"6. On the “{REPORT_SHEET}” sheet, fill in the cumulative expenditure to date and the narrative: "
        "achievements, challenges and next steps.",
        "7. Upload the file on the report's page. You will see what would change, and any problem with its "
        "sheet, row and column, before anything is saved. The upload fills the report's draft; submit it "
        "for review on the web as usual.",
    ):
        line(text)
    line()
    line("Please keep", heading)
    for text in (
        "• the sheets, their names and the order of their columns: the file is read by column heading;",
        "• the rows as they are: do not add rows, and do not copy rows from another template;",
        "• cells unmerged, and figures typed or calculated in place (a formula is read by the result Excel or "
        "LibreOffice saved with it).",
        "Save the file as an Excel workbook (.xlsx), without a password.",
    ):
        line(text)
    if locked:
        line()
        line("Locked reports", heading)
        line(
            "These reports are submitted or approved, so their figures are locked (grey) and an upload cannot "
            "change them: " + ", ".join(f"{r.project_name} ({r.status.lower()})" for r in locked) + "."
        )
    line()
    line(f"Template version {TEMPLATE_VERSION}, made {data.generated_at:%d %b %Y %H:%M} UTC.")


def _meta(workbook: Workbook, data: TemplateData) -> None:
    sheet = workbook.create_sheet(META_SHEET)
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
    pairs: list[tuple[str, Any]] = [
        ("format", TEMPLATE_FORMAT),
        ("version", TEMPLATE_VERSION),
        ("grant", data.grant_id),
        ("period", data.period_id),
        ("projects", ",".join(str(r.project_id) for r in data.reports)),
        ("report_versions", ",".join(f"{r.project_id}:{r.version}" for r in data.reports)),
        ("rows", len(data.rows)),
        ("generated_at", data.generated_at.isoformat(timespec="seconds")),
    ]
    for key, value in pairs:
        sheet.append([key, value])


def write_template(data: TemplateData, stream: IO[bytes]) -> None:
    """Write the template for ``data`` to ``stream``."""
    workbook = Workbook(write_only=True)
    _instructions(workbook, data)
    _data_sheet(workbook, data)
    _report_sheet(workbook, data)
    _meta(workbook, data)
    workbook.save(stream)
