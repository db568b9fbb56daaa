"""A manager reads indicator performance: the portfolio, filtered by country, then a grant and a project."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal as D

from playwright.sync_api import expect

from indicators.cells import TOTAL
from indicators.models import ActualValue, Target
from tests.factories import CountryProjectFactory
from tests.indicator_factories import (
    ProjectIndicatorFactory,
    SubmissionFactory,
    library,
)


def _reported(project, figures: list[int], lop: int) -> None:
    """E1 adopted by ``project`` with a target of 100 per half-year and approved reports of ``figures``."""
    pi = ProjectIndicatorFactory(country_project=project, indicator=library("E1"), lop_target=D(lop))
    for k, figure in enumerate(figures):
        start = datetime.date(2024 + (k + 1) // 2, 4 if k % 2 == 0 else 10, 1)
        end = datetime.date(start.year, 9, 30) if start.month == 4 else datetime.date(start.year + 1, 3, 31)
        period, _ = project.grant.reporting_periods.get_or_create(
            start_date=start,
            defaults={
                "end_date": end,
                "due_date": end + datetime.timedelta(days=30),
                "label": f"Half {k + 1}",
            },
        )
        Target.objects.create(project_indicator=pi, period=period, value=D(100), original_value=D(100))
        submission = SubmissionFactory(country_project=project, period=period, status="approved")
        ActualValue.objects.create(
            submission=submission, project_indicator=pi, cell_key=TOTAL, value=D(figure)
        )


def test_manager_filters_portfolio_performance_and_drills_down(logged_in_page, live_server, world, manager):
    _reported(world.project_a, [90, 110], lop=800)  # Guatemala: 200 of 200 by the second period
    _reported(world.project_b, [7, 5], lop=800)  # Kenya: far behind
    honduras = CountryProjectFactory(grant=world.grant_a, country="HN")
    _reported(honduras, [40], lop=400)

    page = logged_in_page(manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicator performance")
    e1 = page.get_by_test_id("indicator-card").filter(has_text="E1")
    expect(e1.get_by_test_id("to-date")).to_have_text("252")  # 200 + 12 + 40 across three projects

    page.get_by_label("Country", exact=True).select_option(label="Guatemala")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"/performance/\?.*country=GT"))
    expect(e1.get_by_test_id("to-date")).to_have_text("200")
    expect(e1.get_by_text("Kenya")).to_have_count(0)

    # The grant's page: both of its projects, added up.
    e1.locator("summary", has_text="By country project").click()
    e1.get_by_role("link", name=world.grant_a.award_number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicator performance")
    expect(page.get_by_text(world.grant_a.title)).to_be_visible()
    grant_e1 = page.get_by_test_id("indicator-card").filter(has_text="E1")
    expect(grant_e1.get_by_test_id("to-date")).to_have_text("240")
    expect(grant_e1.locator("svg.perf-chart")).to_be_visible()

    # Then Guatemala's own page: its chart and status badges.
    grant_e1.get_by_role("link", name="Guatemala").click()
    expect(page.get_by_role("navigation", name="breadcrumb")).to_contain_text("Guatemala")
    project_e1 = page.get_by_test_id("indicator-card").filter(has_text="E1")
    expect(project_e1.get_by_test_id("to-date")).to_have_text("200")
    expect(project_e1.locator("svg.perf-chart")).to_be_visible()
    expect(project_e1.locator("svg.perf-chart title")).to_have_text(
        "E1: target and approved actual to date, per period"
    )
    badges = project_e1.get_by_test_id("track-badge")
    expect(badges.first).to_be_visible()
    # Every period on target, the second one exactly: two period badges say "On track".
    expect(project_e1.locator("tbody [data-track='on_track']")).to_have_count(2)
