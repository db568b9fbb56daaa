"""An annotated copy of an uploaded workbook: each problem marked on its cell, and a first sheet listing them all.

The uploader gets their own file back with the cells to fix filled red and a comment on each saying what is
wrong, so they can correct it where they typed it and upload again. The file has passed ``preflight`` (and the
reader), so it is safe to open in openpyxl's normal mode; external links are dropped.

Every piece of text written here comes from the problems, which quote what the uploader typed, so it is
written as a plain string that no spreadsheet program will evaluate as a formula.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink

from indicators.workbook.preflight import FileRefused

PROBLEMS_SHEET = "Problems"
PROBLEM_FILL = PatternFill(fill_type="solid", fgColor="FFC7CE")
PROBLEM_FONT = Font(color="9C0006")
COMMENT_AUTHOR = "Upload check"
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384
# Excel's limit on the characters in one cell.
MAX_TEXT = 32_767


def _plain(text: Any) -> str:
    """Text safe to store in a cell or comment: no characters XML cannot hold, within Excel's length limit."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(text if text is not None else ""))[:MAX_TEXT]


def _put_text(cell: Any, text: Any) -> None:
    """Store text as a string even when it starts with "=" (openpyxl would otherwise write it as a formula)."""
    cell.value = _plain(text)
    cell.data_type = "s"


def _target(workbook: openpyxl.Workbook, problem: dict) -> Any | None:
    """The cell a problem points at (the row's first cell when it names no column), or None when it points at
    no cell of this workbook."""
    sheet_name, row, column = problem.get("sheet") or "", problem.get("row"), problem.get("column") or ""
    if not sheet_name or sheet_name not in workbook.sheetnames or not isinstance(row, int):
        return None
    try:
        index = column_index_from_string(column) if column else 1
    except ValueError:
        index = 1
    if not (1 <= row <= MAX_ROW and 1 <= index <= MAX_COLUMN):
        return None
    sheet = workbook[sheet_name]
    cell = sheet.cell(row, index)
    if isinstance(cell, MergedCell):
        # Only the top-left cell of a merged range can hold a comment.
        for merged in sheet.merged_cells.ranges:
            if cell.coordinate in merged:
                return sheet.cell(merged.min_row, merged.min_col)
    return cell


def _unique_title(workbook: openpyxl.Workbook) -> str:
    title, number = PROBLEMS_SHEET, 1
    while title in workbook.sheetnames:
        number += 1
        title = f"{PROBLEMS_SHEET} ({number})"
    return title


def annotate_workbook(data: bytes, problems: list[dict]) -> bytes:
    """Return ``data`` as xlsx bytes with every problem marked on its cell and listed on a first "Problems"
    sheet. A problem is ``{"sheet", "row" (int or None), "column" (a letter, or "" for the whole row),
    "message"}``; those naming no sheet or row are listed first and marked nowhere. Raises ``FileRefused``
    when the file cannot be opened at all.

    The whole workbook is loaded (about 35 s and 300 MB for a 50,000-row template), so call it for a file the
    reader read, whose problems point at cells, and for a large one in the worker: a file the reader refused
    (a sheet running on for a million formatted rows, say) may cost far more to open in full."""
    with warnings.catch_warnings():
        # openpyxl warns about parts it drops (extensions, unsupported features); the copy does not need them.
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), keep_links=False)
        except Exception as error:
            # openpyxl fails in many ways on a broken part (defusedxml's refusals are ValueErrors, a bad
            # checksum a BadZipFile, a missing part a KeyError); all mean the same here.
            raise FileRefused(
                "The copy with the problems marked could not be made: the workbook could not be opened."
            ) from error

    general = [p for p in problems if not p.get("sheet") or p.get("row") is None]
    located = [p for p in problems if p.get("sheet") and p.get("row") is not None]

    # Several problems on one cell share one comment.
    by_cell: dict[tuple[str, str], tuple[Any, list[str]]] = {}
    targets: list[Any | None] = []
    for problem in located:
        cell = _target(workbook, problem)
        targets.append(cell)
        if cell is None:
            continue
        key = (cell.parent.title, cell.coordinate)
        by_cell.setdefault(key, (cell, []))[1].append(_plain(problem.get("message")))
    for cell, messages in by_cell.values():
        cell.fill = PROBLEM_FILL
        text = "\n\n".join(messages)
        if cell.comment is not None and cell.comment.author != COMMENT_AUTHOR:
            # Keep what the uploader wrote there, below the problems.
            text = f"{text}\n\n(Earlier comment) {cell.comment.text}"
        comment = Comment(_plain(text), COMMENT_AUTHOR)
        comment.width, comment.height = 320, min(80 + 40 * len(messages), 400)
        cell.comment = comment

    listing = workbook.create_sheet(_unique_title(workbook), 0)
    for index, heading in enumerate(("Sheet", "Row", "Column", "Problem"), start=1):
        cell = listing.cell(1, index)
        _put_text(cell, heading)
        cell.font = Font(bold=True)
    row = 2
    for problem in general:
        _put_text(listing.cell(row, 1), problem.get("sheet") or "Whole file")
        _put_text(listing.cell(row, 4), problem.get("message"))
        row += 1
    for problem, target in zip(located, targets, strict=True):
        _put_text(listing.cell(row, 1), problem.get("sheet"))
        listing.cell(row, 2).value = int(problem["row"])
        _put_text(listing.cell(row, 3), problem.get("column") or "")
        message = listing.cell(row, 4)
        _put_text(message, problem.get("message"))
        if target is not None:
            link = listing.cell(row, 1)
            link.hyperlink = Hyperlink(
                ref=link.coordinate,
                location=f"{quote_sheetname(target.parent.title)}!{target.coordinate}",
                tooltip="Go to the cell",
            )
            link.font = Font(color="0563C1", underline="single")
        row += 1
    if row == 2:
        _put_text(listing.cell(2, 4), "No problems were found.")
    listing.column_dimensions["A"].width = 22
    listing.column_dimensions["B"].width = 8
    listing.column_dimensions["C"].width = 8
    listing.column_dimensions["D"].width = 100
    listing.freeze_panes = "A2"

    # Open on the list of problems.
    for sheet in workbook.worksheets:
        sheet.sheet_view.tabSelected = False
    listing.sheet_view.tabSelected = True
    workbook.active = 0
    for view in workbook.views:
        view.firstSheet = 0

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
