"""In Chromium: an officer works with the indicator library, then closes a reporting period with a note."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from indicators import services
from indicators.models import Indicator, ReportingPeriodChange


def test_officer_uses_the_library_and_closes_a_period(logged_in_page, live_server, world, officer):
    page = logged_in_page(officer)
    page.goto(f"{live_server.url}/indicators/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicator library")

    # Filter: percentage indicators about school attendance.
    page.get_by_label("Search").fill("attending")
    page.get_by_label("Measure type").select_option(label="Percentage (numerator and denominator)")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("result-count")).to_have_text("1 indicator")
    page.get_by_role("link", name="E3", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Percentage of participating children attending school regularly"
    )
    expect(page.get_by_text("Percentages are never averaged", exact=False)).to_be_visible()

    # A new indicator with two disaggregations; the duplicate code is refused first, at its field.
    page.get_by_role("link", name="Indicator library").click()
    page.get_by_role("link", name="New indicator").click()
    page.get_by_label("Code").fill("E1")
    page.get_by_label("Name").fill("Girls enrolled in secondary school")
    page.get_by_label("Definition").fill(
        "Girls aged 12-17 enrolled in secondary school at the end of the period."
    )
    page.get_by_label("Domain").select_option(label="Education")
    page.get_by_label("Level").select_option(label="Outcome")
    page.get_by_label("Unit of measure").fill("girls")
    page.get_by_label("How values combine over time").select_option(label="Latest value (a stock)")
    page.get_by_label("Age band (5-11, 12-14, 15-17, 18 and over)").check()
    page.get_by_label("Migration status (Migrant, Returnee, Host community)").check()
    page.get_by_role("button", name="Add indicator").click()
    expect(page.get_by_test_id("error-code")).to_have_text("Another indicator already has this code.")
    assert not Indicator.objects.filter(name="Girls enrolled in secondary school").exists()
    # What was typed and ticked is still there; only the code needs changing.
    expect(page.get_by_label("Age band (5-11, 12-14, 15-17, 18 and over)")).to_be_checked()
    page.get_by_label("Code").fill("E9")
    page.get_by_role("button", name="Add indicator").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Girls enrolled in secondary school")
    expect(page.get_by_role("alert")).to_contain_text("Indicator E9 added to the library.")
    expect(page.get_by_role("heading", name="Age band")).to_be_visible()
    expect(page.get_by_role("heading", name="Migration status")).to_be_visible()
    created = Indicator.objects.get(code="E9")
    assert {c.code for c in created.categories.all()} == {"age", "migration"}

    # The grant's reporting periods: close the first one with a note, and find the note in the log.
    services.reporting_periods_generate(grant=world.grant_a, actor=officer)
    first = world.grant_a.reporting_periods.order_by("start_date").first()
    page.goto(f"{live_server.url}/grants/{world.grant_a.pk}/periods/")
    row = page.get_by_test_id(f"period-{first.pk}")
    row.get_by_text("Close…").click()
    row.get_by_label("Note for the log (optional)").fill("All country reports approved.")
    row.get_by_role("button", name=f"Close {first.label}").click()

    expect(page.get_by_role("alert")).to_contain_text(f"{first.label} is closed")
    expect(page.get_by_test_id(f"period-{first.pk}").get_by_test_id("period-status")).to_have_text("Closed")
    log = page.get_by_test_id("period-log")
    expect(log.locator("li").first).to_contain_text("All country reports approved.")
    expect(log.locator("li").first).to_contain_text(re.compile(r"open\s*→\s*(to )?closed"))
    change = ReportingPeriodChange.objects.filter(period=first).first()
    assert (change.to_status, change.note, change.actor) == (
        "closed",
        "All country reports approved.",
        officer,
    )
