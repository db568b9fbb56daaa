"""The full reporting cycle in Chromium: the grantee fills a draft, is stopped at a cell, fixes it and submits;
the officer finds it in the review queue, asks about a cell and returns it; the grantee answers, corrects and
resubmits; the officer approves; the grantee sees the figures locked."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from indicators.cells import TOTAL, field_name, make_key
from indicators.models import ReviewComment, SubmissionEvidence, SubmissionStatus
from tests.factories import PASSWORD
from tests.indicators import conftest as indicator_fixtures
from tests.indicators.conftest import AGES, complete_values

# The indicators tests' fixtures (a results framework on the shared world, and a draft report), used here too.
framework = indicator_fixtures.framework
draft = indicator_fixtures.draft


def _sign_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("current-user")).to_be_visible()


def _fill_report(page: Page, fw, *, total: str) -> None:
    """Type every figure of the report as a person would, with ``total`` as E1's total."""
    for (pk, key), parts in complete_values(fw).items():
        for part, text in parts.items():
            if (pk, key, part) == (fw.reached.pk, TOTAL, "value"):
                text = total
            page.locator(f'[name="{field_name(pk, key, part)}"]').fill(text)
    page.get_by_label("Cumulative federal expenditure to date (USD)").fill("125000.00")
    page.get_by_label("Achievements").fill("Remedial classes opened in 4 schools.")


def test_report_goes_round_the_review_cycle(
    page,
    browser,
    live_server,
    world,
    framework,
    draft,
    grantee_a,
    officer,
    tmp_path: Path,
):
    fw = framework
    entry_url = f"{live_server.url}/submissions/{draft.pk}/"
    total_cell = page.get_by_test_id(f"cell-id_{field_name(fw.reached.pk, TOTAL)}")

    # The grantee opens the draft from the reporting overview and types figures that do not add up.
    _sign_in(page, live_server, grantee_a.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reporting").click()
    page.goto(entry_url)
    _fill_report(page, fw, total="9")
    page.get_by_role("button", name="Submit for review").click()
    expect(total_cell).to_contain_text("add up to 8, but the total is 9")
    expect(page.get_by_test_id("submission-status")).to_contain_text("Draft")

    # Fixed at the cell, with evidence attached, it goes through.
    page.locator(f'[name="{field_name(fw.reached.pk, TOTAL)}"]').fill("8")
    page.get_by_role("button", name="Save draft").click()
    evidence = tmp_path / "Registro de asistencia.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("File").set_input_files(str(evidence))
    page.get_by_label("Description").fill("Attendance registers, 4 schools")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_test_id("evidence")).to_contain_text("Registro de asistencia.pdf")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("submission-status")).to_contain_text("Submitted for review")
    expect(total_cell).to_contain_text("8")

    # The officer finds it in the queue, asks about one cell and returns the report.
    officer_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    review = officer_context.new_page()
    review.set_default_timeout(10_000)
    _sign_in(review, live_server, officer.username)
    review.goto(f"{live_server.url}/review/")
    expect(review.get_by_test_id("result-count")).to_contain_text("1 report")
    review.get_by_role("link", name=re.compile(rf"^Review {world.grant_a.award_number}")).click()
    expect(review.get_by_role("heading", level=1)).to_contain_text("Review of the report")
    expect(review.get_by_test_id("reported-E1-total")).to_have_text("8")
    expect(review.get_by_test_id("evidence")).to_contain_text("Registro de asistencia.pdf")
    thread = review.locator(f"#indicator-{fw.reached.pk}")
    girls = make_key({"sex": "female", "age": AGES[1]})
    thread.locator("summary").click()
    thread.get_by_label("About").select_option(value=girls)
    thread.get_by_label("Add a comment on E1").fill("Only one girl aged 12-14? Please check the registers.")
    thread.get_by_role("button", name="Post comment on E1").click()
    expect(review.get_by_text("Comment added.")).to_be_visible()
    review.get_by_role("button", name="Return to the grantee").click()
    expect(review.get_by_test_id("error-comment")).to_have_text("Say what the grantee should correct.")
    review.locator("#id_return-comment").fill("Please check E1 against the attendance registers.")
    review.get_by_role("button", name="Return to the grantee").click()
    expect(review.get_by_text("The report was returned to the grantee with your comment.")).to_be_visible()
    expect(review.get_by_test_id("submission-status")).to_contain_text("Returned with comments")

    # The grantee sees the return comment on top and the question at E1, answers, corrects and resubmits.
    page.goto(entry_url)
    expect(page.get_by_test_id("return-comment")).to_contain_text("Please check E1 against the attendance")
    question = page.locator(f"#indicator-{fw.reached.pk}")
    expect(question).to_contain_text("Only one girl aged 12-14?")
    question.locator("summary").click()
    question.get_by_label("Reply on E1").fill("Checked: one girl of 12-14 enrolled this period.")
    question.get_by_role("button", name="Post comment on E1").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    page.get_by_label("Achievements").fill("Remedial classes opened in 4 schools; registers checked.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("submission-status")).to_contain_text("Submitted for review")

    # The officer sees the answer and approves.
    review.reload()
    expect(review.locator(f"#indicator-{fw.reached.pk}")).to_contain_text("Checked: one girl of 12-14")
    review.get_by_role("button", name="Approve").click()
    expect(review.get_by_text("The report was approved; its figures are now locked.")).to_be_visible()
    officer_context.close()

    # The grantee sees the figures locked: no inputs, no upload, "approved and locked".
    page.goto(entry_url)
    expect(page.get_by_test_id("read-only")).to_contain_text("approved and locked")
    expect(page.locator("input.figure")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    expect(page.get_by_role("button", name="Upload")).to_have_count(0)

    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.APPROVED
    assert [t.to_status for t in draft.transitions.order_by("at", "pk")] == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert ReviewComment.objects.filter(submission=draft, project_indicator=fw.reached).count() == 2
    assert SubmissionEvidence.objects.get(submission=draft).uploaded_by == grantee_a
