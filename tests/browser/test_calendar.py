"""The reporting calendar in a browser: an officer reads the month, narrows it to a country, switches to the
list and opens an item; a grantee sees only their own organisation's due dates.

Today is frozen on 18 June 2025 (the fixtures of tests/indicators/test_calendar_views.py; the live server runs
in this process, so it sees the same today)."""

from __future__ import annotations

import os
import re

from playwright.sync_api import expect

from tests.indicators import test_calendar_views as calendar_tests

today = calendar_tests.today
items = calendar_tests.items

# Screenshots for a look at the layout; set CALENDAR_SCREENSHOTS=/tmp/somewhere to keep them.
SHOTS = os.environ.get("CALENDAR_SCREENSHOTS", "")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_officer_reads_the_month_filters_by_country_and_opens_an_item_from_the_list(
    logged_in_page, live_server, world, items, officer
):
    page = logged_in_page(officer)
    page.goto(f"{live_server.url}/calendar/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Reporting calendar")
    expect(page.get_by_test_id("calendar-month")).to_have_text("June 2025")
    grid = page.get_by_test_id("calendar-grid")
    overdue = grid.locator('td[data-date="2025-06-10"]').get_by_role("link")
    expect(overdue).to_contain_text("Overdue")
    expect(overdue).to_contain_text("Site visit Quetzaltenango")
    expect(grid.get_by_text("Kenya site visit")).to_be_visible()
    shot(page, "month-1280")

    page.get_by_label("Country", exact=True).select_option(label="Guatemala")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/calendar/\?.*country=GT"))
    expect(grid.get_by_text("Kenya site visit")).to_have_count(0)
    expect(page.get_by_test_id("state-counts")).to_contain_text("Overdue: 2")

    page.get_by_role("navigation", name="Calendar view").get_by_role("link", name="List").click()
    expect(page).to_have_url(re.compile(r"view=list.*country=GT|country=GT.*view=list"))
    row = page.locator(f'tr[data-key="milestone:{items.overdue.pk}"]')
    expect(row).to_contain_text("8 days late")
    expect(page.locator("tbody tr").filter(has_text="Kenya")).to_have_count(0)
    shot(page, "list-1280")

    row.get_by_role("link", name="Site visit Quetzaltenango").click()
    expect(page).to_have_url(re.compile(rf"/milestones/{items.overdue.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Site visit Quetzaltenango")


def test_grantee_sees_only_their_organisations_due_dates_on_a_phone(
    logged_in_page, live_server, world, items, grantee_b
):
    page = logged_in_page(grantee_b)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/calendar/")

    kenya = page.locator('td[data-date="2025-06-11"]').get_by_role("link")
    expect(kenya).to_contain_text("Kenya site visit")
    expect(kenya).to_be_visible()
    expect(page.get_by_text("Site visit Quetzaltenango")).to_have_count(0)
    expect(page.get_by_label("Grantee", exact=True)).to_have_count(0)
    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "month-390")

    page.goto(f"{live_server.url}/calendar/?view=list&start=2025-01-01&end=2025-12-31")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody")).not_to_contain_text("Guatemala")
    shot(page, "list-390")


def test_officer_subscribes_to_a_filtered_calendar_reads_it_and_revokes_it(
    logged_in_page, live_server, world, items, officer, settings
):
    settings.SITE_URL = live_server.url
    page = logged_in_page(officer)
    page.goto(f"{live_server.url}/calendar/?country=KE&state=overdue")
    page.get_by_role("button", name="Subscribe").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar subscriptions")
    expect(page.get_by_test_id("new-feed")).to_contain_text("Subscription made: All items (overdue) · Kenya")
    address = page.get_by_label(re.compile("Copy this address")).input_value()
    assert address.startswith(f"{live_server.url}/calendar/feed/")
    shot(page, "subscriptions-1280")
    # What a calendar app reads there: a browser context of its own, without the officer's session.
    app = page.context.browser.new_context()
    feed = app.request.get(address)
    assert feed.status == 200 and "Kenya site visit" in feed.text() and "Quetzaltenango" not in feed.text()

    page.reload()
    expect(page.get_by_test_id("new-feed")).to_have_count(0)  # shown only once
    # On a phone nothing is wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "subscriptions-390")
    page.get_by_role("button", name="Revoke All items (overdue) · Kenya").click()
    expect(page.get_by_role("alert").or_(page.locator(".alert"))).to_contain_text("Revoked")
    expect(page.get_by_test_id("no-feeds")).to_be_visible()
    assert app.request.get(address).status == 404
    app.close()
