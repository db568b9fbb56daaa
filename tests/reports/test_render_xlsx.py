"""The shared Excel helpers: text never becomes a formula, headers, widths, frozen panes, filters and formats."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook, load_workbook

from reports.render.xlsx import (
    DATE,
    MONEY,
    PERCENT,
    Column,
    Styles,
    set_text,
    start_table,
    text_cell,
)

DANGEROUS = ["=1+1", '=HYPERLINK("http://example.com","x")', "+SUM(A1:A2)", "-5 schools", "@cmd", "=="]


def reopen(workbook: Workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return load_workbook(buffer)


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_cell_keeps_formula_like_text_as_text_in_write_only_mode(text):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("S")
    sheet.append([text_cell(sheet, text)])
    cell = reopen(workbook)["S"]["A1"]
    assert (cell.value, cell.data_type) == (text, "s")


@pytest.mark.parametrize("text", DANGEROUS)
def test_set_text_keeps_formula_like_text_as_text_in_normal_mode(text):
    workbook = Workbook()
    set_text(workbook.active["B2"], text)
    cell = reopen(workbook).active["B2"]
    assert (cell.value, cell.data_type) == (text, "s")


def test_plain_append_would_write_a_formula_which_is_why_the_helpers_exist():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("S")
    sheet.append(["=1+1"])
    assert reopen(workbook)["S"]["A1"].data_type == "f"


@pytest.mark.parametrize("text", DANGEROUS)
def test_styles_cell_and_safe_write_text_as_text(text):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("S")
    styles = Styles(sheet)
    safe = styles.safe(text)
    assert not isinstance(safe, str)  # routed through a text cell
    sheet.append([styles.cell(text, bold=True), safe, styles.safe("Plain name")])
    row = reopen(workbook)["S"][1]
    assert [(c.value, c.data_type) for c in row] == [(text, "s"), (text, "s"), ("Plain name", "s")]
    assert row[0].font.b and row[1].number_format == "@"


def test_start_table_writes_a_styled_header_with_widths_frozen_header_and_filter():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    columns = [Column("name", 30), Column("when", 12, DATE), Column("amount", 14, MONEY)]
    styles = start_table(sheet, columns, freeze_columns=1, rows=2)
    sheet.append(
        [styles.cell("Perú"), styles.cell(datetime.date(2025, 3, 31), DATE), styles.cell(D("12.5"), MONEY)]
    )
    sheet.append([styles.cell("Côte d'Ivoire"), None, styles.cell(D("1000"), MONEY)])
    read = reopen(workbook)["Data"]
    assert [c.value for c in read[1]] == ["name", "when", "amount"]
    assert read["A1"].font.b and read["A1"].fill.fgColor.rgb.endswith("1F4E79")
    assert (read.freeze_panes, read.auto_filter.ref) == ("B2", "A1:C3")
    assert [read.column_dimensions[c].width for c in "ABC"] == [30, 12, 14]
    assert read["B2"].value == datetime.datetime(2025, 3, 31) and read["B2"].number_format == DATE
    assert (read["C2"].value, read["C2"].number_format) == (12.5, MONEY)
    assert read["A3"].value == "Côte d'Ivoire" and read["B3"].value is None


def test_reusable_cell_carries_each_rows_value_with_its_format():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("S")
    styles = Styles(sheet)
    percent = styles.reusable(PERCENT)
    for value in (D("12.5"), None, D("100.0")):
        percent.value = value
        sheet.append(["x", percent if value is not None else None, 7])
    read = reopen(workbook)["S"]
    assert [(r[0].value, r[1].value, r[2].value) for r in read.iter_rows()] == [
        ("x", 12.5, 7),
        ("x", None, 7),
        ("x", 100, 7),
    ]
    assert read["B1"].number_format == PERCENT and read["C1"].number_format == "General"


def test_formatted_makes_cells_of_one_number_format():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("S")
    money = Styles(sheet).formatted(MONEY)
    sheet.append([money(D("1500.00")), money(D("2.5"))])
    read = reopen(workbook)["S"]
    assert [(c.value, c.number_format) for c in read[1]] == [(1500, MONEY), (2.5, MONEY)]
