"""Read a filled indicator-data template into plain rows. No models: the service decides what the rows mean.

The file has passed ``preflight`` first. openpyxl opens it read-only with defusedxml (an XML bomb or an
external entity is refused by the parser) and without external links; the declared sheet dimensions are
ignored (a file may under-declare them to hide rows) and every row is read by column heading position, which
the header row must match exactly.

What stops the whole file is a ``FileRefused``: not our template, an older template version, a sheet renamed
or deleted, columns moved, rows running past the template's size. What concerns one row or cell is a
``Problem`` with its sheet, row and column, so the preview can list it and the annotated copy can mark it.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.reader.excel import ExcelReader
from openpyxl.utils import column_index_from_string, coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import FORMULA_TAG, INLINE_STRING, WorkSheetParser

from indicators.cells import TOTAL, parse_key
from indicators.workbook.layout import (
    DATA_COLUMNS,
    DATA_SHEET,
    MAX_DATA_ROWS,
    META_KEYS,
    META_SHEET,
    REPORT_COLUMNS,
    REPORT_SHEET,
    ROW_MARGIN,
    TEMPLATE_FORMAT,
    TEMPLATE_VERSION,
    YES,
    Column,
)
from indicators.workbook.preflight import FileRefused

if not openpyxl.DEFUSEDXML:  # pragma: no cover - defusedxml is a declared dependency
    raise ImportError("defusedxml must be installed: openpyxl would parse uploaded XML without it.")

NOT_OURS = (
    "This workbook is not an indicator data template from this system, or its hidden “Template” sheet was "
    "removed. Download the template from the report's page and fill that in."
)
# How often (in rows) the progress callback is told how far the reader got.
PROGRESS_EVERY = 2_000
UNREADABLE = (
    "The workbook could not be read: it is damaged, or holds content that is not allowed (such as XML "
    "entities). Save it again as an Excel workbook (.xlsx) and upload it."
)
DAMAGED = (
    "The workbook could not be read: part of it is damaged. Save it again as an Excel workbook (.xlsx) and "
    "upload it."
)


class _Sheet(ReadOnlyWorksheet):
    """A read-only sheet that does not look for its declared size when opened.

    openpyxl looks for a sheet's <dimension> element as it opens the workbook, and when there is none it parses
    the whole sheet to find out, every sheet, before the first row is read: a file of a million formatted
    empty rows without one costs half a minute and hundreds of MB. The size is not trusted anyway (the reader
    resets it and reads what is there), so it is not looked for."""

    # Columns whose cells are read below the header row (None: all). The data sheet's reference columns
    # (names, labels, targets) are for the grantee's eyes; their inline strings are the most expensive part
    # of the XML to parse, so they are skipped (see _LeanParser).
    wanted_columns: frozenset[int] | None = None

    def _get_size(self) -> None:
        self._min_column = self._min_row = 1
        self._max_column = self._max_row = None

    def _cells_by_row(
        self, min_col: int, min_row: int, max_col: int, max_row: int | None, values_only: bool = False
    ) -> Iterator[tuple[Any, ...]]:
        """openpyxl's ReadOnlyWorksheet._cells_by_row (3.1) for values, with _LeanParser. Missing rows
        come back as empty rows, as in openpyxl."""
        if not values_only or max_col is None:
            yield from super()._cells_by_row(min_col, min_row, max_col, max_row, values_only)
            return
        empty_row = (None,) * (max_col + 1 - min_col)
        counter = min_row
        with self._get_source() as src:
            parser = _LeanParser(
                src,
                self._shared_strings,
                data_only=self.parent.data_only,
                epoch=self.parent.epoch,
                date_formats=self.parent._date_formats,
                timedelta_formats=self.parent._timedelta_formats,
            )
            parser.wanted = self.wanted_columns
            for idx, row in parser.parse():
                if max_row is not None and idx > max_row:
                    break
                for _ in range(counter, idx):
                    counter += 1
                    yield empty_row
                if counter <= idx:
                    counter += 1
                    yield self._get_row(row, min_col, max_col, values_only)


# The columns that identify a row (besides the input columns, every column a row is read from).
KEY_COLUMNS = ("project", "indicator", "cell")
_INLINE_TEXT = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}t"
_INLINE_RUN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}r"


class _LeanParser(WorkSheetParser):
    """openpyxl's sheet parser, except that cells outside ``wanted`` columns (below the header) come back
    empty without being parsed, and inline strings are read without building openpyxl's rich-text objects.
    What a kept cell reads as is unchanged: the text of an inline string is its plain part followed by its
    runs' texts, as openpyxl's Text.content gives it."""

    wanted: frozenset[int] | None = None

    def parse_cell(self, element: Any) -> dict[str, Any]:
        wanted = self.wanted
        if wanted is not None and self.row_counter > 1:
            coordinate = element.get("r")
            column = (
                column_index_from_string(coordinate.rstrip("0123456789"))
                if coordinate
                else self.col_counter + 1
            )
            if column not in wanted:
                self.col_counter = column
                return {
                    "row": self.row_counter,
                    "column": column,
                    "value": None,
                    "data_type": "n",
                    "style_id": 0,
                }
        if element.get("t") == "inlineStr" and (self.data_only or element.find(FORMULA_TAG) is None):
            return self._inline_string(element)
        return super().parse_cell(element)

    def _inline_string(self, element: Any) -> dict[str, Any]:
        """WorkSheetParser.parse_cell for an inline string, reading its text directly."""
        style = element.get("s", 0)
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        child = element.find(INLINE_STRING)
        if child is None:
            return {
                "row": row,
                "column": column,
                "value": None,
                "data_type": "inlineStr",
                "style_id": int(style or 0),
            }
        parts = [child.findtext(_INLINE_TEXT) or ""]
        parts += [run.findtext(_INLINE_TEXT) or "" for run in child.iterfind(_INLINE_RUN)]
        return {
            "row": row,
            "column": column,
            "value": "".join(parts),
            "data_type": "s",
            "style_id": int(style or 0),
        }


class _Reader(ExcelReader):
    """openpyxl's reader in read-only mode, opening sheets as ``_Sheet``; chart sheets are not read."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def _open(data: bytes, *, data_only: bool) -> Any:
    """The workbook, read-only, without external links; sheets are parsed only as their rows are read."""
    reader = _Reader(io.BytesIO(data), read_only=True, data_only=data_only, keep_links=False)
    reader.read()
    return reader.wb


def _unreadable(error: Exception) -> FileRefused:
    """What to tell the uploader when parsing fails: a refused XML construct, or anything else broken."""
    if isinstance(error, DefusedXmlException) or isinstance(error.__cause__, DefusedXmlException):
        return FileRefused(UNREADABLE)
    return FileRefused(DAMAGED)


@dataclass(frozen=True)
class Location:
    sheet: str
    row: int | None = None
    column: str = ""  # a letter, or "" for the whole row

    def __str__(self) -> str:
        if self.row is None:
            return self.sheet
        return f"{self.sheet}, row {self.row}" + (f", column {self.column}" if self.column else "")


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str


@dataclass(frozen=True)
class TemplateMeta:
    version: int
    grant_id: int
    period_id: int
    project_ids: tuple[int, ...]
    report_versions: dict[int, int]
    rows: int
    generated_at: datetime.datetime | None


@dataclass(frozen=True)
class DataRow:
    row: int
    project_id: int
    indicator_code: str
    cell_key: str  # canonical; "" for the total
    value: Any
    numerator: Any
    denominator: Any
    nothing_to_report: bool
    explanation: str


@dataclass(frozen=True)
class ReportRow:
    row: int
    project_id: int
    expenditure: Any
    narrative: dict[str, str]


@dataclass
class ParsedWorkbook:
    meta: TemplateMeta
    data_rows: list[DataRow] = field(default_factory=list)
    report_rows: list[ReportRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _int(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and raw.strip().isdigit():
        return int(raw.strip())
    return None


def _read_meta(workbook: Any) -> TemplateMeta:
    if META_SHEET not in workbook.sheetnames:
        raise FileRefused(NOT_OURS)
    sheet = workbook[META_SHEET]
    sheet.reset_dimensions()
    pairs: dict[str, Any] = {}
    for row in sheet.iter_rows(min_row=1, max_row=len(META_KEYS) + 5, max_col=2, values_only=True):
        if row and isinstance(row[0], str):
            pairs[row[0].strip()] = row[1]
    if pairs.get("format") != TEMPLATE_FORMAT:
        raise FileRefused(NOT_OURS)
    version = _int(pairs.get("version"))
    if version is None:
        raise FileRefused(NOT_OURS)
    if version != TEMPLATE_VERSION:
        raise FileRefused(
            f"This file was made from template version {version}; the current version is {TEMPLATE_VERSION}, "
            "and its columns differ. Download a fresh template from the report's page, copy your figures into "
            "it and upload that."
        )
    try:
        grant_id, period_id, rows = (_int(pairs.get(key)) for key in ("grant", "period", "rows"))
        project_ids = tuple(int(part) for part in _text(pairs.get("projects")).split(",") if part)
        versions = {}
        for pair in _text(pairs.get("report_versions")).split(","):
            if pair:
                project, _, number = pair.partition(":")
                versions[int(project)] = int(number)
        generated = pairs.get("generated_at")
        generated_at = datetime.datetime.fromisoformat(generated) if isinstance(generated, str) else None
    except ValueError:
        raise FileRefused(NOT_OURS) from None
    if grant_id is None or period_id is None or rows is None or not project_ids:
        raise FileRefused(NOT_OURS)
    if rows > MAX_DATA_ROWS:
        raise FileRefused(
            f"This template has {rows:,} rows; an upload takes at most {MAX_DATA_ROWS:,}. Download the "
            "templates of the country projects one by one (from each project's Reporting page) and upload "
            "those."
        )
    return TemplateMeta(
        version=version,
        grant_id=grant_id,
        period_id=period_id,
        project_ids=project_ids,
        report_versions=versions,
        rows=rows,
        generated_at=generated_at,
    )


def _sheet(workbook: Any, name: str) -> Any:
    if name not in workbook.sheetnames:
        found = ", ".join(f"“{n}”" for n in workbook.sheetnames if n != META_SHEET) or "none"
        raise FileRefused(
            f"The workbook has no sheet named “{name}” (its sheets: {found}). Sheets must keep the names the "
            "template gave them: rename the sheet back, or start again from a fresh template."
        )
    sheet = workbook[name]
    # The declared size may be wrong (or made to hide rows): read what is there.
    sheet.reset_dimensions()
    return sheet


def _check_header(name: str, header: tuple[Any, ...] | None, columns: tuple[Column, ...]) -> list[str]:
    """Refuse moved, renamed or missing columns; return the headings of extra columns to the right."""
    header = header or ()
    for column in columns:
        found = _text(header[column.index - 1]) if column.index <= len(header) else ""
        if found != column.header:
            elsewhere = next((c for c in columns if c.header == found), None)
            detail = (
                f"found “{found}”, which belongs in column {elsewhere.letter}"
                if elsewhere
                else (f"found “{found}”" if found else "found nothing")
            )
            raise FileRefused(
                f"On the “{name}” sheet, column {column.letter} should be “{column.header}”; {detail}. "
                "Columns must stay where the template put them: undo the change, or copy your figures into a "
                "fresh template."
            )
    return [
        f"{get_column_letter(index)} (“{_text(value)}”)"
        for index, value in enumerate(header[len(columns) :], start=len(columns) + 1)
        if _text(value)
    ]


_MARKUP = re.compile(rb"<(?:\w+:)?(f|mergeCell)[\s>/]")
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def _scan_markup(archive: zipfile.ZipFile, path: str) -> tuple[bool, list[str]]:
    """Whether a sheet's XML holds formulas, and its merged ranges. A byte scan of the part, far cheaper than a
    second parse; only a sheet with formulas is parsed again (see _formula_cells)."""
    formulas = False
    merges: set[str] = set()
    tail = b""
    with archive.open(path) as part:
        while chunk := part.read(1 << 20):
            # Each window overlaps the last by 200 bytes so a tag cut between two reads is still seen.
            window = tail + chunk
            # The plain searches are many times faster than the patterns and rule out most windows.
            if not formulas and (b"<f" in window or b":f" in window):
                formulas = any(m.group(1) == b"f" for m in _MARKUP.finditer(window))
            if b"mergeCell" in window:
                merges.update(m.group(1).decode() for m in _MERGE_REF.finditer(window))
            tail = window[-200:]
    return formulas, sorted(merges)


def _formula_cells(
    workbook_bytes: bytes, sheet_name: str, columns: tuple[Column, ...], max_row: int
) -> set[tuple[int, int]]:
    """(row, column) of every formula in a sheet's input columns: read once more with formulas as text."""
    inputs = [c.index for c in columns if c.input]
    low, high = min(inputs), max(inputs)
    formulas = _open(workbook_bytes, data_only=False)
    try:
        sheet = formulas[sheet_name]
        sheet.reset_dimensions()
        found = set()
        for number, row in enumerate(
            sheet.iter_rows(min_row=2, max_row=max_row, min_col=low, max_col=high, values_only=True), start=2
        ):
            for offset, value in enumerate(row):
                if isinstance(value, str) and value.startswith("="):
                    found.add((number, low + offset))
        return found
    finally:
        formulas.close()


@dataclass
class _SheetRead:
    rows: list[tuple[int, tuple[Any, ...]]]
    problems: list[Problem]
    notes: list[str]


def _read_rows(
    workbook: Any,
    workbook_bytes: bytes,
    name: str,
    columns: tuple[Column, ...],
    expected_rows: int,
    progress: Callable[[int, int], None] | None = None,
) -> _SheetRead:
    sheet = _sheet(workbook, name)
    # Only the columns the reader uses; the reference columns of the data sheet are skipped unparsed.
    sheet.wanted_columns = frozenset(c.index for c in columns if c.input or c.key in KEY_COLUMNS)
    problems: list[Problem] = []
    notes: list[str] = []
    path = sheet._worksheet_path  # openpyxl keeps the part's name on read-only sheets
    has_formulas, merges = _scan_markup(workbook._archive, path)
    limit = 1 + expected_rows + ROW_MARGIN
    for ref in merges:
        min_col, min_row, _, _ = range_boundaries(ref)
        if min_row and min_row >= 1:
            problems.append(
                Problem(
                    Location(name, min_row, get_column_letter(min_col or 1)),
                    f"Cells {ref} are merged; unmerge them so each figure has its own cell.",
                )
            )
    formula_cells = _formula_cells(workbook_bytes, name, columns, limit) if has_formulas else set()
    width = len(columns)
    rows_iter: Iterator[tuple[Any, ...]] = sheet.iter_rows(min_row=1, max_col=width + 10, values_only=True)
    header = next(rows_iter, None)
    extra = _check_header(name, header, columns)
    if extra:
        notes.append(
            f"On the “{name}” sheet, column{'s' if len(extra) > 1 else ''} {', '.join(extra)} "
            f"{'are' if len(extra) > 1 else 'is'} not part of the template and {'were' if len(extra) > 1 else 'was'} not read."
        )
    rows: list[tuple[int, tuple[Any, ...]]] = []
    blank_after = 0
    for number, row in enumerate(rows_iter, start=2):
        values = row[:width]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            if number > limit:
                blank_after += 1
                if blank_after > ROW_MARGIN * 10:
                    raise FileRefused(
                        f"The “{name}” sheet runs on past row {number:,} with empty rows (formatting copied far "
                        f"down the sheet). The template has {expected_rows:,} rows: delete the rows below your "
                        "data and upload again."
                    )
            continue
        if number > limit:
            raise FileRefused(
                f"The “{name}” sheet has data in row {number:,}, but the template has {expected_rows:,} rows. "
                "Rows cannot be added to a template: move the figures into the template's own rows."
            )
        for column in columns:
            if not column.input or (number, column.index) not in formula_cells:
                continue
            result = values[column.index - 1]
            if result is None:
                problems.append(
                    Problem(
                        Location(name, number, column.letter),
                        "This cell holds a formula with no saved result. Type the figure, or open the file in "
                        "Excel or LibreOffice and save it so the result is stored with it.",
                    )
                )
            elif isinstance(result, str) and result in ERROR_CODES:
                problems.append(
                    Problem(
                        Location(name, number, column.letter),
                        f"This cell's formula gives an error ({result}). Correct the formula, or type the "
                        "figure or text instead.",
                    )
                )
                # The error code is no figure or text the grantee wrote: read the cell as empty, so it is not
                # stored or reported a second time as "not a number".
                values = (*values[: column.index - 1], None, *values[column.index :])
        rows.append((number, values))
        if progress is not None and number % PROGRESS_EVERY == 0:
            progress(number - 1, expected_rows)
    return _SheetRead(rows=rows, problems=problems, notes=notes)


def _flag(raw: Any) -> bool | None:
    """The "Nothing to report" cell: Yes, or empty. None for anything else."""
    if raw is None or raw is False or (isinstance(raw, str) and raw.strip().lower() in ("", "no")):
        return False
    if raw is True or (isinstance(raw, str) and raw.strip().lower() == YES.lower()):
        return True
    return None


def _cell_key(raw: Any) -> str | None:
    text = _text(raw)
    if text.lower() == "total":
        return TOTAL
    try:
        parse_key(text)
    except ValueError:
        return None
    return text


def _data_rows(read: _SheetRead, meta: TemplateMeta) -> tuple[list[DataRow], list[Problem]]:
    col = {c.key: c.index - 1 for c in DATA_COLUMNS}
    letters = {c.key: c.letter for c in DATA_COLUMNS}
    projects = set(meta.project_ids)
    rows: list[DataRow] = []
    problems: list[Problem] = []
    seen: dict[tuple[int, str, str], int] = {}
    for number, values in read.rows:
        project_id = _int(values[col["project"]])
        code = _text(values[col["indicator"]])
        cell_key = _cell_key(values[col["cell"]])
        where = Location(DATA_SHEET, number)
        if project_id is None or project_id not in projects or not code or cell_key is None:
            problems.append(
                Problem(
                    where,
                    "This row is not one of the template's rows (its Project ID, Indicator and Cell code do not "
                    "match the template). Rows cannot be added or changed: put the figures in the template's own "
                    "row for that indicator and group, and delete this one.",
                )
            )
            continue
        key = (project_id, code, cell_key)
        if key in seen:
            problems.append(
                Problem(
                    where,
                    f"This row repeats row {seen[key]} ({code}, cell {cell_key or 'total'}, "
                    f"project {project_id}). Keep one of them.",
                )
            )
            continue
        seen[key] = number
        flag = _flag(values[col["nothing_to_report"]])
        if flag is None:
            problems.append(
                Problem(
                    Location(DATA_SHEET, number, letters["nothing_to_report"]),
                    f"Write “{YES}” here when there is nothing to report, or leave the cell empty.",
                )
            )
            flag = False
        rows.append(
            DataRow(
                row=number,
                project_id=project_id,
                indicator_code=code,
                cell_key=cell_key,
                value=values[col["value"]],
                numerator=values[col["numerator"]],
                denominator=values[col["denominator"]],
                nothing_to_report=flag,
                explanation=_text(values[col["explanation"]]),
            )
        )
    return rows, problems


def _report_rows(read: _SheetRead, meta: TemplateMeta) -> tuple[list[ReportRow], list[Problem]]:
    col = {c.key: c.index - 1 for c in REPORT_COLUMNS}
    projects = set(meta.project_ids)
    rows: list[ReportRow] = []
    problems: list[Problem] = []
    seen: dict[int, int] = {}
    for number, values in read.rows:
        project_id = _int(values[col["project"]])
        where = Location(REPORT_SHEET, number)
        if project_id is None or project_id not in projects:
            problems.append(
                Problem(
                    where,
                    "This row is not one of the template's rows (its Project ID is not in the template).",
                )
            )
            continue
        if project_id in seen:
            problems.append(
                Problem(where, f"This row repeats row {seen[project_id]} (project {project_id}).")
            )
            continue
        seen[project_id] = number
        rows.append(
            ReportRow(
                row=number,
                project_id=project_id,
                expenditure=values[col["expenditure"]],
                narrative={
                    key: _text(values[col[key]]) for key in ("achievements", "challenges", "next_steps")
                },
            )
        )
    return rows, problems


def read_workbook(data: bytes, *, progress: Callable[[int, int], None] | None = None) -> ParsedWorkbook:
    """Read a template that passed preflight. Raises FileRefused for a file that cannot be read as one.
    ``progress(rows read, rows in the template)`` is called every few thousand rows."""
    try:
        workbook = _open(data, data_only=True)
    except Exception:
        # defusedxml's refusals (entities, DTDs), broken XML, missing relationships: none of it is readable.
        raise FileRefused(UNREADABLE) from None
    try:
        meta = _read_meta(workbook)
        data_read = _read_rows(workbook, data, DATA_SHEET, DATA_COLUMNS, meta.rows, progress)
        report_read = _read_rows(workbook, data, REPORT_SHEET, REPORT_COLUMNS, len(meta.project_ids))
    except FileRefused:
        raise
    except Exception as error:
        # Sheets are parsed as they are read, so an entity or a broken part in one is found here.
        raise _unreadable(error) from None
    finally:
        with contextlib.suppress(Exception):
            workbook.close()
    parsed = ParsedWorkbook(meta=meta)
    parsed.problems += data_read.problems + report_read.problems
    parsed.notes += data_read.notes + report_read.notes
    parsed.data_rows, problems = _data_rows(data_read, meta)
    parsed.problems += problems
    parsed.report_rows, problems = _report_rows(report_read, meta)
    parsed.problems += problems
    return parsed
