"""A manager builds the portfolio donor report in Chromium: two countries and a period range, Excel and PDF;
the run page shows its progress and then the files, which the test opens and checks against the database.

Set PORTFOLIO_SHOTS_DIR to keep screenshots of the builder and the run page.
"""

from __future__ import annotations

import io
import os
import subprocess
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.db.models import Sum
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from indicators.models import Submission
from reports import tasks
from reports.models import ReportRun, RunStatus
from tests.reports.test_donor import two_countries  # noqa: F401 - a fixture: Peru and Ghana with reports


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("PORTFOLIO_SHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"reports-{name}.png"), full_page=True)


def test_manager_builds_the_donor_report_and_downloads_both_files(  # type: ignore[no-untyped-def]
    logged_in_page,
    live_server,
    manager,
    world,
    two_countries,  # noqa: F811
    monkeypatch,
):
    # The worker is played by the test: the run waits in the queue until the test builds it, so the page's
    # progress bar (polling status.json) is seen before the files.
    queued: list[int] = []
    worker = tasks.build_report_run
    monkeypatch.setattr(tasks, "build_report_run", SimpleNamespace(enqueue=queued.append))
    page = logged_in_page(manager)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Build a report")).to_be_visible()

    form = page.get_by_test_id("builder-form")
    form.get_by_label("Portfolio donor report").check()
    form.get_by_label("Countries").select_option(["GH", "PE"])
    form.get_by_label("Periods starting from").fill("2024-01-01")
    form.get_by_label("Periods starting until").fill("2024-12-31")
    form.get_by_label("Title").fill("Donor report 2024")
    _shot(page, "builder")
    form.get_by_role("button", name="Build the files").click()

    # The run page: a progress bar while the run waits for the worker, then, without a reload by the test,
    # its files once built.
    expect(page.get_by_test_id("run-status")).to_have_text("Waiting for the worker")
    expect(page.get_by_role("progressbar")).to_be_visible()
    _shot(page, "run-waiting")
    (run_id,) = queued
    worker.func(run_id)
    expect(page.get_by_test_id("run-status")).to_have_text("Ready", timeout=15_000)
    _shot(page, "run")
    run = ReportRun.objects.get()
    assert run.status == RunStatus.DONE and run.requested_by == manager
    assert sorted(run.project_ids) == sorted(p.pk for p in two_countries)

    with page.expect_download() as xlsx_info:
        page.get_by_test_id("download-xlsx").click()
    with page.expect_download() as pdf_info:
        page.get_by_test_id("download-pdf").click()
    assert xlsx_info.value.suggested_filename.startswith("donor-report-2024-")

    # The expenditure in the files is each project's latest approved report, read here from the database.
    expected = Decimal(0)
    for project in two_countries:
        latest = Submission.objects.approved().filter(country_project=project).order_by("-period__start_date")
        expected += latest.first().cumulative_expenditure
    assert (
        expected
        == Submission.objects.filter(status="approved", period__label="P2").aggregate(
            total=Sum("cumulative_expenditure")
        )["total"]
    )
    workbook = load_workbook(io.BytesIO(Path(xlsx_info.value.path()).read_bytes()), read_only=True)
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert Decimal(str(summary["Expenditure to date (USD)"])) == expected
    assert {row[0] for row in workbook["Projects"].iter_rows(min_row=2, values_only=True)} >= {
        "Ghana",
        "Peru",
    }

    text = subprocess.run(
        ["pdftotext", "-layout", pdf_info.value.path(), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Donor report 2024" in text and "Peru" in text and "Ghana" in text
    assert f"{expected:,.0f}" in text
