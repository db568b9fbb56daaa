"""Build templates and fill them the way a grantee would, for the upload tests."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl

from grants.models import CountryProject
from indicators.cells import make_key
from indicators.models import ReportingPeriod
from indicators.selectors.uploads import template_data
from indicators.workbook.layout import DATA, DATA_SHEET, REPORT, REPORT_SHEET
from indicators.workbook.writer import write_template
from tests.indicators.conftest import AGES


def template_bytes(project: CountryProject | list[CountryProject], period: ReportingPeriod) -> bytes:
    projects = project if isinstance(project, list) else [project]
    data = template_data(
        projects=CountryProject.objects.filter(pk__in=[p.pk for p in projects]), period=period
    )
    buffer = io.BytesIO()
    write_template(data, buffer)
    return buffer.getvalue()


def rows_by_key(sheet: Any) -> dict[tuple[str, str], int]:
    """(indicator code, cell code) -> row number on the data sheet."""
    found = {}
    for number in range(2, sheet.max_row + 1):
        code = sheet.cell(number, DATA["indicator"].index).value
        cell = sheet.cell(number, DATA["cell"].index).value
        if code:
            found[(code, cell)] = number
    return found


def fill(
    data: bytes,
    values: dict[tuple[str, str], dict[str, Any]] | None = None,
    report: dict[str, Any] | None = None,
    edit: Callable[[openpyxl.Workbook], None] | None = None,
) -> bytes:
    """Open the template with openpyxl, set figures by (indicator code, cell code) and column key, and the
    Report sheet's fields of its first row; ``edit`` may change anything else."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook[DATA_SHEET]
    rows = rows_by_key(sheet)
    for key, parts in (values or {}).items():
        for part, value in parts.items():
            sheet.cell(rows[key], DATA[part].index).value = value
    for part, value in (report or {}).items():
        workbook[REPORT_SHEET].cell(2, REPORT[part].index).value = value
    if edit is not None:
        edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def valid_values(*, each: int = 1, capital: object = 1500) -> dict[tuple[str, str], dict[str, Any]]:
    """Every figure of the framework fixture's three indicators (tests/indicators/conftest.py), valid and
    adding up: ``each`` child in every E1 group (8 in all), 10 of 20 attending (E3), ``capital`` USD (L5)."""
    values: dict[tuple[str, str], dict[str, Any]] = {("E1", "total"): {"value": 8 * each}}
    for sex in ("female", "male"):
        for age in AGES:
            values[("E1", make_key({"age": age, "sex": sex}))] = {"value": each}
        values[("E3", f"sex={sex}")] = {"numerator": 5, "denominator": 10}
    values[("E3", "total")] = {"numerator": 10, "denominator": 20}
    values[("L5", "total")] = {"value": capital}
    return values
