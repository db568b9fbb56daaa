"""The template: what a grantee downloads, read back with openpyxl as Excel would show it."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from indicators import services
from indicators.cells import TOTAL
from indicators.workbook.layout import (
    DATA,
    DATA_COLUMNS,
    DATA_SHEET,
    META_SHEET,
    REPORT_SHEET,
    TEMPLATE_VERSION,
)
from tests.indicators.conftest import complete_values
from tests.indicators.uploads.helpers import rows_by_key, template_bytes

pytestmark = pytest.mark.django_db


def open_template(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_template_lists_every_indicator_cell_with_its_reference_figures(world, framework, officer):
    services.target_set(
        project_indicator=framework.reached, period=framework.first, value=Decimal(400), actor=officer
    )
    workbook = open_template(template_bytes(world.project_a, framework.first))

    assert workbook.sheetnames == ["Instructions", DATA_SHEET, REPORT_SHEET, META_SHEET]
    sheet = workbook[DATA_SHEET]
    assert [c.value for c in sheet[1]] == [column.header for column in DATA_COLUMNS]
    rows = rows_by_key(sheet)
    assert len(rows) == 9 + 3 + 1  # E1 total and 8 cells, E3 total and 2, L5 total
    total = rows[("E1", "total")]
    assert sheet.cell(total, DATA["target"].index).value == 400
    assert sheet.cell(total, DATA["measure"].index).value == "Count"
    assert sheet.cell(rows[("E3", "sex=female")], DATA["cell_label"].index).value == "Female"
    assert sheet.freeze_panes == "C2"
    report = workbook[REPORT_SHEET]
    assert report.cell(2, 1).value == world.project_a.pk


def test_only_input_cells_are_unlocked_and_they_carry_data_validation(world, framework):
    workbook = open_template(template_bytes(world.project_a, framework.first))
    sheet = workbook[DATA_SHEET]
    rows = rows_by_key(sheet)
    assert sheet.protection.sheet is True
    count_row, pct_row = rows[("E1", "total")], rows[("E3", "total")]
    assert sheet.cell(count_row, DATA["value"].index).protection.locked is False
    assert sheet.cell(count_row, DATA["numerator"].index).protection.locked is True
    assert sheet.cell(pct_row, DATA["numerator"].index).protection.locked is False
    assert sheet.cell(pct_row, DATA["value"].index).protection.locked is True
    assert sheet.cell(count_row, DATA["indicator"].index).protection.locked is True
    # Explanations belong to totals only.
    assert (
        sheet.cell(rows[("E1", "age=5-11;sex=female")], DATA["explanation"].index).protection.locked is True
    )
    rules = {(v.type, str(v.sqref)) for v in sheet.data_validations.dataValidation}
    value = DATA["value"].letter
    assert ("whole", f"{value}2:{value}10") in {(t, r.split(" ")[0]) for t, r in rules if t == "whole"}
    assert any(t == "decimal" for t, _ in rules) and any(t == "list" for t, _ in rules)


def test_the_hidden_sheet_identifies_project_period_and_version(world, framework):
    workbook = open_template(template_bytes(world.project_a, framework.first))
    meta = workbook[META_SHEET]
    assert meta.sheet_state == "hidden"
    pairs = {row[0].value: row[1].value for row in meta.iter_rows()}
    assert pairs["version"] == TEMPLATE_VERSION
    assert pairs["period"] == framework.first.pk
    assert pairs["projects"] == str(world.project_a.pk)
    assert pairs["report_versions"] == f"{world.project_a.pk}:0"


def test_a_draft_fills_the_template_and_a_locked_report_is_locked(
    world, framework, grantee_a, officer, draft
):
    values = complete_values(framework)
    values[(framework.capital.pk, TOTAL)] = {"value": "12,5"}  # a draft keeps what was typed
    services.submission_save_draft(
        submission=draft, expected_version=draft.version, actor=grantee_a, values=values
    )
    sheet = open_template(template_bytes(world.project_a, framework.first))[DATA_SHEET]
    rows = rows_by_key(sheet)
    assert sheet.cell(rows[("E1", "total")], DATA["value"].index).value == 8
    assert sheet.cell(rows[("L5", "total")], DATA["value"].index).value == "12,5"

    services.submission_save_draft(
        submission=draft,
        expected_version=draft.version + 1,
        actor=grantee_a,
        values={(framework.capital.pk, TOTAL): {"value": "12.5"}},
        achievements="Done.",
        expenditure="10",
    )
    draft.refresh_from_db()
    services.submission_submit(submission=draft, actor=grantee_a)
    workbook = open_template(template_bytes(world.project_a, framework.first))
    sheet = workbook[DATA_SHEET]
    assert sheet.cell(rows[("E1", "total")], DATA["value"].index).protection.locked is True
    instructions = " ".join(str(c.value) for c in workbook["Instructions"]["A"] if c.value)
    assert "(submitted for review)" in instructions


def test_text_from_the_database_is_never_written_as_a_formula(world, framework):
    world.project_a.title = '=HYPERLINK("http://evil.example","click")'
    world.project_a.save()
    sheet = open_template(template_bytes(world.project_a, framework.first))[DATA_SHEET]
    cell = sheet.cell(2, DATA["project_name"].index)
    assert cell.data_type == "s"  # openpyxl reads a formula as data type "f"
    assert cell.value.endswith('=HYPERLINK("http://evil.example","click")')
