"""The annotated copy of an upload: problem cells marked red with a comment, and a first "Problems" sheet."""

from __future__ import annotations

import io

import openpyxl
import pytest

from indicators.workbook.annotate import COMMENT_AUTHOR, PROBLEM_FILL, annotate_workbook
from indicators.workbook.layout import DATA, DATA_SHEET, META_SHEET, REPORT_SHEET
from indicators.workbook.preflight import FileRefused
from tests.indicators.uploads.helpers import fill, rows_by_key, template_bytes
from tests.indicators.uploads.test_bad_files import BILLION_LAUGHS, rezip, sheet_part

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(world, framework) -> bytes:
    return template_bytes(world.project_a, framework.first)


def _read(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _is_marked(cell) -> bool:
    return cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith(PROBLEM_FILL.fgColor.rgb[-6:])


def test_problem_cells_are_marked_and_listed_first(template, framework):
    row = rows_by_key(_read(template)[DATA_SHEET])[(framework.reached.indicator.code, "total")]
    value = DATA["value"].letter
    problems = [
        {"sheet": DATA_SHEET, "row": row, "column": value, "message": "Type a whole number."},
        {"sheet": DATA_SHEET, "row": row, "column": value, "message": "The total must equal its parts."},
        {"sheet": REPORT_SHEET, "row": 2, "column": "", "message": "This row repeats row 3."},
        {"sheet": "", "row": None, "column": "", "message": "Some figures were not read."},
    ]

    workbook = _read(annotate_workbook(template, problems))

    assert workbook.sheetnames[0] == "Problems"
    assert workbook.active.title == "Problems"
    listing = [tuple(r) for r in workbook["Problems"].iter_rows(values_only=True)]
    assert listing == [
        ("Sheet", "Row", "Column", "Problem"),
        ("Whole file", None, None, "Some figures were not read."),
        (DATA_SHEET, row, value, "Type a whole number."),
        (DATA_SHEET, row, value, "The total must equal its parts."),
        (REPORT_SHEET, 2, None, "This row repeats row 3."),
    ]
    links = [workbook["Problems"].cell(r, 1).hyperlink for r in range(2, 6)]
    assert links[0] is None  # nothing to point at
    assert links[1].location == f"'{DATA_SHEET}'!{value}{row}"
    assert links[3].location == f"'{REPORT_SHEET}'!A2"

    cell = workbook[DATA_SHEET][f"{value}{row}"]
    assert _is_marked(cell)
    assert cell.comment.author == COMMENT_AUTHOR
    assert cell.comment.text == "Type a whole number.\n\nThe total must equal its parts."
    first = workbook[REPORT_SHEET]["A2"]
    assert _is_marked(first) and first.comment.text == "This row repeats row 3."
    # Unmarked cells stay as they were, and so do the template's sheets, hidden one included.
    assert not _is_marked(workbook[DATA_SHEET][f"{value}{row + 1}"])
    assert workbook[DATA_SHEET][f"{value}{row + 1}"].comment is None
    assert workbook[META_SHEET].sheet_state == "hidden"
    assert workbook[DATA_SHEET].protection.sheet


def test_text_that_looks_like_a_formula_stays_text(template):
    hostile = '=HYPERLINK("http://evil.example","click")'
    problems = [
        {"sheet": DATA_SHEET, "row": 2, "column": "J", "message": f"“{hostile}” is not a number."},
        {"sheet": hostile, "row": 3, "column": "", "message": hostile},
        {"sheet": "", "row": None, "column": "", "message": "+1+2\x07"},
    ]

    data = annotate_workbook(template, problems)

    listing = _read(data)["Problems"]
    texts = [listing.cell(r, c) for r in range(2, 5) for c in (1, 4)]
    assert all(cell.data_type == "s" for cell in texts)
    assert listing["A2"].value == "Whole file" and listing["D2"].value == "+1+2"
    assert listing["D4"].value == hostile and listing["A4"].value == hostile
    # No formula anywhere in the sheet's XML.
    with openpyxl.reader.excel.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_a_merged_cell_is_marked_on_its_first_cell(template):
    def merge(workbook):
        workbook[DATA_SHEET].protection.sheet = False
        workbook[DATA_SHEET].merge_cells("J2:K2")

    merged = fill(template, edit=merge)
    problems = [{"sheet": DATA_SHEET, "row": 2, "column": "K", "message": "Cells J2:K2 are merged."}]

    workbook = _read(annotate_workbook(merged, problems))

    assert workbook[DATA_SHEET]["J2"].comment.text == "Cells J2:K2 are merged."
    assert workbook["Problems"]["A2"].hyperlink.location == f"'{DATA_SHEET}'!J2"


def test_a_sheet_already_named_problems_is_kept(template):
    def add(workbook):
        workbook.create_sheet("Problems")["A1"] = "mine"

    workbook = _read(annotate_workbook(fill(template, edit=add), []))

    assert workbook.sheetnames[0] == "Problems (2)"
    assert workbook["Problems (2)"]["D2"].value == "No problems were found."
    assert workbook["Problems"]["A1"].value == "mine"


def test_a_workbook_that_cannot_be_opened_is_refused(template):
    part = sheet_part(template, DATA_SHEET)
    broken = rezip(template, {part: lambda xml: BILLION_LAUGHS + xml})

    with pytest.raises(FileRefused) as refused:
        annotate_workbook(broken, [{"sheet": "", "row": None, "column": "", "message": "Unreadable."}])

    assert refused.value.message == (
        "The copy with the problems marked could not be made: the workbook could not be opened."
    )
