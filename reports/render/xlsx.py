"""Small helpers every report's Excel renderer shares: safe text cells, styled headers, number formats.

Two rules hold in every workbook a report writes:
- text is always written as text: openpyxl writes any string starting with ``=`` as a live formula (in normal
  and write-only mode), so a project name like ``=HYPERLINK(...)`` or ``-5 schools`` would run or break.
  ``text_cell`` / ``set_text`` type the cell as a string and keep the text exactly as it was;
- numbers and dates are real numbers and dates with a number format, never text.

Big sheets are written in write-only mode; ``Styles`` keeps one prototype cell per look and copies its style
array into each new cell (a plain attribute copy), which is what makes 500,000-row sheets affordable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

# Number formats: counts without decimals, money with two, percentages as the figure itself (12.5 is 12.5%:
# the calculations module gives percentages in percent, not as shares), ISO dates.
COUNT = "#,##0"
DECIMAL = "#,##0.##"
MONEY = "#,##0.00"
PERCENT = '0.0"%"'
DATE = "yyyy-mm-dd"
TEXT = "@"
FORMULA_STARTS = frozenset("=+-@")

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)


def set_text(cell: Any, text: str) -> Any:
    """Put ``text`` in a normal-mode cell as text, never a formula (quote prefix, as Excel does for '=1)."""
    cell.value = text
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


class Styles:
    """Write-only cells from shared style prototypes, keyed by (number format, bold, header, indent, left).

    ``indent`` indents text (a breakdown under its total); ``left`` aligns a number or date left (a figure in
    a list of labelled values, where Excel's right alignment would put it far from its label)."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self._protos: dict[tuple, Any] = {}

    def _proto(self, fmt: str | None, bold: bool, header: bool, indent: int, left: bool = False) -> Any:
        key = (fmt, bold, header, indent, left)
        proto = self._protos.get(key)
        if proto is None:
            proto = WriteOnlyCell(self.sheet)
            if fmt:
                proto.number_format = fmt
            if header:
                proto.font, proto.fill, proto.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
            elif bold:
                proto.font = BOLD
            if indent or left:
                proto.alignment = Alignment(horizontal="left", indent=indent)
            self._protos[key] = proto
        return proto

    def cell(
        self,
        value: Any,
        fmt: str | None = None,
        *,
        bold: bool = False,
        header: bool = False,
        indent: int = 0,
        left: bool = False,
    ) -> WriteOnlyCell:
        """A write-only cell; strings are typed as text whatever they start with."""
        cell = WriteOnlyCell(self.sheet, value=value)
        if fmt or bold or header or indent or left:
            # Shared, never changed afterwards.
            cell._style = self._proto(fmt, bold, header, indent, left)._style
        if isinstance(value, str):
            cell.data_type = "s"
        return cell

    def formatted(self, fmt: str) -> Any:
        """A function making cells of one number format: the fast path for a column of a big sheet."""
        style = self._proto(fmt, False, False, 0)._style
        sheet = self.sheet

        def make(value: Any) -> WriteOnlyCell:
            cell = WriteOnlyCell(sheet, value=value)
            cell._style = style
            return cell

        return make

    def reusable(self, fmt: str) -> WriteOnlyCell:
        """One styled cell to carry a column's value row after row, for the hot loop of a big sheet.

        Safe because a write-only sheet writes each row as it is appended: set ``.value``, append, repeat.
        Append None instead of the cell when there is no value (an empty styled cell would still be
        written). Being styled also keeps openpyxl from reusing the object for the row's next value."""
        cell = WriteOnlyCell(self.sheet)
        cell._style = self._proto(fmt, False, False, 0)._style
        return cell

    def safe(self, value: str) -> str | WriteOnlyCell:
        """``value`` as is when openpyxl will write it as plain text, else a text-formatted text cell:
        the fast path for strings in rows appended as plain values. Anything starting with a character a
        spreadsheet may read as a formula (= + - @) gets the cell, so it stays text wherever it is opened."""
        if value[:1] in FORMULA_STARTS:
            cell = WriteOnlyCell(self.sheet, value=value)
            cell._style = self._proto(TEXT, False, False, 0)._style
            cell.data_type = "s"
            return cell
        return value


def text_cell(sheet: Any, text: str) -> WriteOnlyCell:
    """A write-only cell holding ``text`` as text, never a formula."""
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12
    fmt: str | None = None  # None: text


def start_table(
    sheet: Any, columns: Sequence[Column], *, freeze_columns: int = 0, rows: int | None = None
) -> Styles:
    """Set a write-only sheet up and write its header row: widths, frozen header (and ``freeze_columns``
    leading columns), and an autofilter over the header and ``rows`` data rows (all rows when None: set
    before the first row is written, as write-only sheets require)."""
    styles = Styles(sheet)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = f"{get_column_letter(freeze_columns + 1)}2"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{(rows or 1_048_575) + 1}"
    sheet.append([styles.cell(column.header, header=True) for column in columns])
    return styles
