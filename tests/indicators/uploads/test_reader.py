"""The workbook reader on the ways other programs write the same cells: shared and inline strings, booleans,
formulas with and without results, wrong dimension tags, blank and formatted rows."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from indicators.workbook.layout import DATA, DATA_SHEET, ROW_MARGIN
from indicators.workbook.preflight import FileRefused
from indicators.workbook.reader import DAMAGED, read_workbook
from tests.indicators.uploads.helpers import fill, rows_by_key, template_bytes
from tests.indicators.uploads.test_bad_files import rezip, sheet_part, with_shared_strings

pytestmark = pytest.mark.django_db

VALUE, NOTHING = DATA["value"].letter, DATA["nothing_to_report"].letter
NO_SAVED_RESULT = (
    "This cell holds a formula with no saved result. Type the figure, or open the file in Excel or LibreOffice "
    "and save it so the result is stored with it."
)


@pytest.fixture
def template(world, framework) -> bytes:
    return template_bytes(world.project_a, framework.first)


@pytest.fixture
def total_row(template) -> int:
    return rows_by_key(openpyxl.load_workbook(io.BytesIO(template))[DATA_SHEET])[("E1", "total")]


def set_cells(data: bytes, cells: dict[str, str]) -> bytes:
    """Replace data-sheet cells (by reference) with raw XML, as another program might write them."""
    part = sheet_part(data, DATA_SHEET)

    def edit(xml: bytes) -> bytes:
        text = xml.decode()
        for ref, cell in cells.items():
            text, count = re.subn(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', cell, text, count=1)
            assert count == 1, f"no cell {ref}"
        return text.encode()

    return rezip(data, {part: edit})


def _part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def row_of(parsed, number: int):
    return next(row for row in parsed.data_rows if row.row == number)


def problems(parsed) -> dict[tuple[str, int | None, str], str]:
    return {(p.location.sheet, p.location.row, p.location.column): p.message for p in parsed.problems}


def test_shared_inline_and_numeric_cells_read_alike(template, total_row):
    strings = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
        b'<si><t xml:space="preserve"> 12 </t></si><si><t>Yes</t></si></sst>'
    )
    data = with_shared_strings(
        set_cells(
            template,
            {
                f"{VALUE}{total_row}": f'<c r="{VALUE}{total_row}" t="s"><v>0</v></c>',
                f"{NOTHING}{total_row + 1}": f'<c r="{NOTHING}{total_row + 1}" t="s"><v>1</v></c>',
                f"{VALUE}{total_row + 2}": f'<c r="{VALUE}{total_row + 2}" t="inlineStr"><is><t>3</t></is></c>',
                f"{VALUE}{total_row + 3}": f'<c r="{VALUE}{total_row + 3}"><v>4.0E0</v></c>',
            },
        ),
        strings,
    )

    parsed = read_workbook(data)

    assert parsed.problems == []
    assert row_of(parsed, total_row).value == " 12 "  # the service strips and parses it
    assert row_of(parsed, total_row + 1).nothing_to_report is True
    assert row_of(parsed, total_row + 2).value == "3"
    assert row_of(parsed, total_row + 3).value == 4


@pytest.mark.parametrize(("stored", "flag"), [("1", True), ("0", False)])
def test_a_boolean_in_nothing_to_report_reads_as_the_flag(template, total_row, stored, flag):
    ref = f"{NOTHING}{total_row}"
    parsed = read_workbook(set_cells(template, {ref: f'<c r="{ref}" t="b"><v>{stored}</v></c>'}))

    assert parsed.problems == []
    assert row_of(parsed, total_row).nothing_to_report is flag


def test_a_wrong_dimension_tag_does_not_hide_rows(template, total_row):
    part = sheet_part(template, DATA_SHEET)
    data = rezip(
        fill(template, {("L5", "total"): {"value": 99}}),
        {part: lambda xml: xml.replace(b"<sheetData>", b'<dimension ref="A1:B2"/><sheetData>', 1)},
    )

    parsed = read_workbook(data)

    assert any(row.indicator_code == "L5" and row.value == 99 for row in parsed.data_rows)
    assert len(parsed.data_rows) == parsed.meta.rows


def test_shared_formulas_without_results_are_each_located(template, total_row):
    first, second = f"{VALUE}{total_row + 1}", f"{VALUE}{total_row + 2}"
    data = set_cells(
        template,
        {
            first: f'<c r="{first}"><f t="shared" ref="{first}:{second}" si="0">1+1</f></c>',
            second: f'<c r="{second}"><f t="shared" si="0"/></c>',
        },
    )

    found = problems(read_workbook(data))

    assert found == {
        (DATA_SHEET, total_row + 1, VALUE): NO_SAVED_RESULT,
        (DATA_SHEET, total_row + 2, VALUE): NO_SAVED_RESULT,
    }


def test_a_formula_error_is_located_and_not_read_as_text(template, total_row):
    ref = f"{VALUE}{total_row}"
    parsed = read_workbook(set_cells(template, {ref: f'<c r="{ref}" t="e"><f>1/0</f><v>#DIV/0!</v></c>'}))

    assert problems(parsed) == {
        (DATA_SHEET, total_row, VALUE): (
            "This cell's formula gives an error (#DIV/0!). Correct the formula, or type the figure or text "
            "instead."
        )
    }
    assert row_of(parsed, total_row).value is None


def test_an_error_code_typed_as_text_is_read_as_text(template, total_row):
    parsed = read_workbook(fill(template, {("E1", "total"): {"value": "#DIV/0!"}}))

    assert parsed.problems == []
    assert row_of(parsed, total_row).value == "#DIV/0!"  # the service says it is not a number


def test_formatted_empty_rows_within_the_margin_are_skipped(template):
    part = sheet_part(template, DATA_SHEET)
    last = max(int(n) for n in re.findall(rb'<row r="(\d+)"', _part(template, part)))

    def run_on(xml: bytes) -> bytes:
        styled = b"".join(
            b'<row r="%d" s="3" customFormat="1"><c r="J%d" s="3"/></row>' % (n, n)
            for n in range(last + 1, last + 5 * ROW_MARGIN)
        )
        return xml.replace(b"</sheetData>", styled + b"</sheetData>")

    parsed = read_workbook(rezip(template, {part: run_on}))

    assert parsed.problems == []
    assert len(parsed.data_rows) == parsed.meta.rows


def test_a_figure_far_below_the_template_is_refused(template):
    part = sheet_part(template, DATA_SHEET)
    far = 2 * ROW_MARGIN + 50

    def add(xml: bytes) -> bytes:
        return xml.replace(
            b"</sheetData>", b'<row r="%d"><c r="J%d"><v>5</v></c></row></sheetData>' % (far, far)
        )

    with pytest.raises(FileRefused) as refused:
        read_workbook(rezip(template, {part: add}))

    assert refused.value.message.startswith(
        f"The “{DATA_SHEET}” sheet has data in row {far:,}, but the template"
    )


def test_broken_sheet_xml_is_refused_as_damaged(template):
    part = sheet_part(template, DATA_SHEET)
    with pytest.raises(FileRefused) as refused:
        read_workbook(rezip(template, {part: lambda xml: xml[: len(xml) // 2]}))
    assert refused.value.message == DAMAGED


def test_extra_columns_are_noted_not_read(template):
    def extra(workbook):
        workbook[DATA_SHEET].cell(1, len(DATA) + 2).value = "My notes"

    parsed = read_workbook(fill(template, edit=extra))

    assert parsed.notes == [
        f"On the “{DATA_SHEET}” sheet, column P (“My notes”) is not part of the template and was not read."
    ]
