"""Filling a report from Excel in Chromium: the grantee downloads the report's template from its page, fills it
(here with openpyxl) with one mistake, uploads it, sees the error at its sheet, row and column, fixes the file,
uploads it again, applies the changes and finds the figures in the report's draft.

Set PORTFOLIO_SHOTS_DIR to keep screenshots of the upload page (preview with the error, preview ready).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import openpyxl
from playwright.sync_api import Page, expect

from indicators.cells import TOTAL, field_name, make_key
from indicators.models import ActualValue, DataUpload, UploadStatus
from indicators.workbook.layout import DATA, DATA_SHEET
from tests.indicators import conftest as indicator_fixtures
from tests.indicators.uploads.helpers import fill, rows_by_key
from tests.indicators.uploads.test_upload_views import full_values

framework = indicator_fixtures.framework
draft = indicator_fixtures.draft

FEMALE_5_11 = make_key({"sex": "female", "age": "5-11"})


def _shot(page: Page, name: str, *, full_page: bool = True) -> None:
    folder = os.environ.get("PORTFOLIO_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"upload-{name}.png"), full_page=full_page)


def test_report_is_filled_from_an_excel_template(
    logged_in_page, live_server, framework, draft, grantee_a, tmp_path
):  # type: ignore[no-untyped-def]
    fw = framework
    page = logged_in_page(grantee_a)
    page.goto(f"{live_server.url}/submissions/{draft.pk}/")

    # The template comes from the report's Excel panel.
    panel = page.get_by_test_id("excel-panel")
    _shot(page, "entry-panel", full_page=False)
    with page.expect_download() as download_info:
        panel.get_by_role("link", name="Download template").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    template = Path(download.path()).read_bytes()

    # One mistake: a negative count (the cells still add up to the total, so it is the only error).
    values = full_values()
    values[("E1", FEMALE_5_11)] = {"value": -1}
    values[("E1", "total")] = {"value": 6}
    wrong = tmp_path / "Informe FY2024 H1.xlsx"
    wrong.write_bytes(fill(template, values))
    panel.get_by_label("Filled-in template (.xlsx)").set_input_files(str(wrong))
    panel.get_by_role("button", name="Check and preview").click()

    expect(page.get_by_test_id("upload-status")).to_have_text("Has errors")
    errors = page.get_by_test_id("upload-errors")
    expect(errors.locator("tbody tr")).to_have_count(1)
    row = rows_by_key(openpyxl.load_workbook(io.BytesIO(template))[DATA_SHEET])[("E1", FEMALE_5_11)]
    cells = errors.locator("tbody tr").first.locator("td")
    expect(cells.nth(0)).to_have_text(DATA_SHEET)
    expect(cells.nth(1)).to_have_text(str(row))
    expect(cells.nth(2)).to_have_text(DATA["value"].letter)
    expect(errors).to_contain_text("A count cannot be negative.")
    expect(page.get_by_role("button", name="Apply these changes")).to_have_count(0)
    expect(page.get_by_role("link", name="Download the file with the problems marked")).to_be_visible()
    _shot(page, "error")

    # Fixed and uploaded again through "Upload a corrected file".
    right = tmp_path / "Informe FY2024 H1 corregido.xlsx"
    right.write_bytes(fill(template, full_values()))
    page.get_by_role("link", name="Upload a corrected file").click()
    _shot(page, "form", full_page=False)
    page.get_by_label("Filled-in template (.xlsx)").set_input_files(str(right))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_test_id("upload-status")).to_have_text("Checked: ready to apply")
    expect(page.get_by_test_id("upload-changes")).to_contain_text("E1 · Total")
    expect(page.get_by_test_id("upload-errors")).to_have_count(0)
    assert ActualValue.objects.count() == 0
    _shot(page, "ready")

    page.get_by_role("button", name="Apply these changes").click()
    expect(page.get_by_test_id("upload-status")).to_have_text("Applied")
    assert DataUpload.objects.filter(status=UploadStatus.APPLIED).count() == 1
    _shot(page, "applied")

    # The figures are in the draft's inputs, and the upload is in the report's timeline.
    page.get_by_test_id("applied-reports").get_by_role("link").click()
    expect(page.locator(f'[name="{field_name(fw.reached.pk, TOTAL)}"]')).to_have_value("8")
    expect(page.locator(f'[name="{field_name(fw.reached.pk, FEMALE_5_11)}"]')).to_have_value("1")
    expect(page.locator(f'[name="{field_name(fw.capital.pk, TOTAL)}"]')).to_have_value("1500")
    expect(page.get_by_test_id("timeline-upload")).to_contain_text("Informe FY2024 H1 corregido.xlsx")
    expect(page.get_by_test_id("submission-status")).to_contain_text("Draft")
    page.get_by_test_id("timeline").scroll_into_view_if_needed()
    _shot(page, "entry-timeline", full_page=False)
