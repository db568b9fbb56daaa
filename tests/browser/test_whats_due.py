"""Each role signs in and finds its "what's due" on the home page; a manager follows a count to the calendar."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grants.models import MilestoneCategory
from indicators.models import SubmissionStatus, SubmissionTransition
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory
from tests.indicator_factories import ReportingPeriodFactory, SubmissionFactory

TODAY = timezone.localdate()


def _d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def seeded(org_a, org_b, officer, other_officer, grantee_a) -> None:
    a = GrantFactory(
        award_number="IL-A", grantee=org_a, program_officer=officer, start_date=_d(-400), end_date=_d(600)
    )
    gt = CountryProjectFactory(grant=a, country="GT")
    hn = CountryProjectFactory(grant=a, country="HN")
    late = ReportingPeriodFactory(
        grant=a, start_date=_d(-200), end_date=_d(-40), due_date=_d(-12), label="Late half"
    )
    SubmissionFactory(country_project=hn, period=late, created_by=grantee_a, status=SubmissionStatus.DRAFT)
    waiting = SubmissionFactory(
        country_project=gt,
        period=late,
        created_by=grantee_a,
        status=SubmissionStatus.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=4),
    )
    SubmissionTransition.objects.create(
        submission=waiting, from_status="draft", to_status="submitted", actor=grantee_a
    )
    MilestoneFactory(
        country_project=gt, title="Baseline study", category=MilestoneCategory.BASELINE, due_date=_d(6)
    )
    MilestoneFactory(country_project=gt, title="Teacher training", due_date=_d(-3))
    b = GrantFactory(award_number="IL-B", grantee=org_b, program_officer=other_officer)
    ke = CountryProjectFactory(grant=b, country="KE")
    MilestoneFactory(country_project=ke, title="Kenya CMEP", category=MilestoneCategory.CMEP, due_date=_d(-8))


def _panel(page):
    panel = page.get_by_test_id("whats-due")
    expect(panel).to_be_visible()
    return panel


def test_grantee_sees_its_open_report_and_deliverables(logged_in_page, seeded, grantee_a):
    page = logged_in_page(grantee_a)
    panel = _panel(page)
    reports = panel.get_by_test_id("due-reports")
    expect(reports).to_contain_text("Report for Late half")
    expect(reports).to_contain_text("12 days late")
    expect(reports).to_contain_text("Draft")
    upcoming = panel.get_by_test_id("due-upcoming")
    expect(upcoming).to_contain_text("Baseline study")
    expect(upcoming).to_contain_text("6 days left")
    expect(upcoming).to_contain_text("Teacher training")
    expect(page.locator("body")).not_to_contain_text("Kenya CMEP")
    expect(page.get_by_test_id("timeliness-card")).to_contain_text("Reports on time")
    page.screenshot(path="/tmp/whats_due_grantee.png", full_page=True)


def test_officer_sees_late_items_and_the_report_waiting(logged_in_page, seeded, officer):
    page = logged_in_page(officer)
    panel = _panel(page)
    late = panel.get_by_test_id("due-late")
    expect(late).to_contain_text("Report for Late half")
    expect(late).to_contain_text("Teacher training")
    expect(late).not_to_contain_text("Kenya CMEP")
    expect(panel.get_by_test_id("due-reviews")).to_contain_text("waiting 4 days")
    page.screenshot(path="/tmp/whats_due_officer.png", full_page=True)


def test_manager_follows_a_country_count_to_the_calendar(logged_in_page, live_server, seeded, manager):
    page = logged_in_page(manager)
    panel = _panel(page)
    kenya = panel.get_by_test_id("due-by-country").locator("tr[data-key='KE']")
    expect(kenya).to_contain_text("Kenya")
    page.screenshot(path="/tmp/whats_due_manager.png", full_page=True)
    kenya.get_by_role("link", name="1").first.click()
    # The calendar may not exist yet: the link's address is what this test owns.
    expect(page).to_have_url(re.compile(r"/calendar/\?view=list&country=KE&state=overdue$"))


def test_manager_opens_timeliness_by_grant_from_the_card(logged_in_page, seeded, manager):
    page = logged_in_page(manager)
    page.get_by_test_id("timeliness-card").get_by_role("link", name="Timeliness by grant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Timeliness")
    expect(page.get_by_test_id("timeliness-IL-A")).to_contain_text("0 of 2 (0.0%)")
    expect(page.get_by_test_id("timeliness-IL-B")).to_be_visible()
    page.get_by_label("Country").select_option("KE")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("timeliness-IL-A")).to_have_count(0)
    expect(page.get_by_test_id("timeliness-IL-B")).to_be_visible()
    page.screenshot(path="/tmp/timeliness_manager.png", full_page=True)
