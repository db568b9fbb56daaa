"""User journeys in Chromium: an officer logs a milestone with evidence; a grantee sees only its own grants."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from playwright.sync_api import expect

from grants.models import Milestone, MilestoneEvidence, MilestoneStatus


def test_officer_logs_a_completed_milestone_with_evidence(
    logged_in_page, live_server, world, officer, tmp_path: Path
):
    page = logged_in_page(officer)
    # From the grant list to the grant, its country project and the "Log milestone" form, as a person would.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Grants").click()
    page.get_by_role("link", name=world.grant_a.award_number).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.grant_a.title)
    page.get_by_role("link", name="Guatemala").first.click()
    page.get_by_role("link", name="Log milestone").click()

    evidence = tmp_path / "Informe de línea de base.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    page.get_by_label("Title").fill("Baseline study report, Huehuetenango")
    page.get_by_label("Category").select_option(label="Baseline study")
    page.get_by_label("Due date").fill(yesterday.isoformat())
    page.get_by_label("Status").select_option(label="Completed")
    page.get_by_label("Completed on").fill(yesterday.isoformat())
    page.get_by_label("Evidence file").set_input_files(str(evidence))
    page.get_by_label("Evidence description").fill("Final baseline report")
    page.get_by_role("button", name="Log milestone").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Baseline study report, Huehuetenango")
    expect(page.get_by_text("Informe de línea de base.pdf")).to_be_visible()
    milestone = Milestone.objects.get(title="Baseline study report, Huehuetenango")
    assert milestone.status == MilestoneStatus.COMPLETED
    assert milestone.completed_on == yesterday
    stored = MilestoneEvidence.objects.get(milestone=milestone)
    assert stored.uploaded_by == officer

    # The file comes back through the permission-checked download, byte for byte.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Informe de línea de base.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "Informe de línea de base.pdf"
    assert Path(download.path()).read_bytes() == evidence.read_bytes()


def test_grantee_sees_only_its_own_grants(logged_in_page, live_server, world, grantee_a):
    page = logged_in_page(grantee_a)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Grants").click()
    expect(page.get_by_role("link", name=world.grant_a.award_number).first).to_be_visible()
    expect(page.get_by_text(world.grant_b.award_number)).to_have_count(0)

    page.goto(f"{live_server.url}/milestones/?timing=all")
    expect(page.get_by_text(world.milestone_a.title)).to_be_visible()
    expect(page.get_by_text(world.milestone_b.title)).to_have_count(0)

    # Another organisation's grant, even by its exact address, does not exist for this grantee.
    response = page.goto(f"{live_server.url}{world.grant_b.get_absolute_url()}")
    assert response is not None and response.status == 404
    expect(page.get_by_text(world.grant_b.title)).to_have_count(0)
    response = page.goto(f"{live_server.url}{world.milestone_b.get_absolute_url()}")
    assert response is not None and response.status == 404
    assert re.search(r"/milestones/\d+/$", page.url)


def test_manager_spots_a_grant_spending_behind_time_and_opens_it(logged_in_page, live_server, world, manager):
    # Grant A (1 Jan 2024 - 31 Dec 2027, 5,000,000) has reported no approved expenditure at all.
    page = logged_in_page(manager)
    page.goto(f"{live_server.url}/")
    card = page.get_by_test_id("spending-card")
    expect(card.get_by_role("heading")).to_contain_text("Spending against time")
    line = card.get_by_test_id("spending-list").locator("li").filter(has_text=world.grant_a.award_number)
    expect(line).to_contain_text("No expenditure reported yet")
    expect(line).to_contain_text("points behind")
    line.get_by_role("link", name=world.grant_a.award_number, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/grants/{world.grant_a.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.grant_a.title)
