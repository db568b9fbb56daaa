"""The officer sets up a results framework in Chromium: results, an adopted indicator with its baseline, period
targets and a revision; the grantee then reads the same framework without any way to change it."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from playwright.sync_api import expect

from indicators import services
from indicators.models import NodeLevel, ProjectIndicator, Target, TargetRevision
from tests.indicator_factories import library


def test_officer_builds_the_framework_and_the_grantee_reads_it(
    logged_in_page, login_through_form, live_server, world, officer, grantee_a
):
    services.reporting_periods_generate(grant=world.grant_a, actor=officer)
    services.result_node_create(
        country_project=world.project_a,
        level=NodeLevel.GOAL,
        code="1",
        statement="Child labour reduced",
        actor=officer,
    )
    first, second = world.grant_a.reporting_periods.order_by("start_date")[:2]
    framework_url = live_server.url + reverse(
        "indicators:project_framework", kwargs={"pk": world.project_a.pk}
    )

    page = logged_in_page(officer)
    page.goto(framework_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Results framework")

    page.get_by_role("link", name="Add outcome under 1").click()
    page.get_by_label("Code").fill("1.1")
    page.get_by_label("Statement").fill("Migrant children attend school")
    page.get_by_role("button", name="Add result").click()
    expect(page.get_by_text("Outcome 1.1 added.")).to_be_visible()

    page.get_by_role("link", name="Add output under 1.1").click()
    expect(page.get_by_label("Level")).to_have_value("output")
    page.get_by_label("Code").fill("1.1.1")
    page.get_by_label("Statement").fill("Children receive remedial classes")
    page.get_by_role("button", name="Add result").click()
    expect(page.get_by_text("Output 1.1.1 added.")).to_be_visible()

    page.get_by_role("link", name="Adopt indicator for 1.1.1").click()
    page.get_by_label("Indicator").select_option(value=str(library("E5").pk))
    page.get_by_label("Baseline value").fill("12")
    page.get_by_label("Baseline date").fill("2024-01-15")
    page.get_by_label("Baseline source").fill("School registers")
    page.get_by_label("Life-of-project target").fill("400")
    page.get_by_role("button", name="Adopt indicator").click()

    # The adopt form leads straight to the new indicator's targets.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Targets of E5")
    page.get_by_label(f"{first.label}, Total").fill("100")
    page.get_by_label(f"{second.label}, Total").fill("150")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Targets saved: 2 set, 0 revised.")).to_be_visible()

    # A revision without a reason is refused, and what was typed stays.
    page.get_by_label(f"{first.label}, Total").fill("120")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Say why the target changes; the reason stays on record.")).to_be_visible()
    expect(page.get_by_label(f"{first.label}, Total")).to_have_value("120")
    page.get_by_label("Reason for the revision").fill("Two more schools joined")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Targets saved: 0 set, 1 revised.")).to_be_visible()
    expect(page.get_by_label(f"{first.label}, Total")).to_have_value("120")
    expect(page.get_by_test_id(f"target-{first.pk}-total")).to_contain_text("originally 100")
    history = page.get_by_test_id("revisions")
    expect(history).to_contain_text("Two more schools joined")
    expect(history).to_contain_text("100")
    expect(history).to_contain_text("Olivia Officer")

    pi = ProjectIndicator.objects.get(country_project=world.project_a, indicator__code="E5")
    assert (pi.result_node.code, pi.baseline_value, pi.lop_target) == ("1.1.1", Decimal(12), Decimal(400))
    target = Target.objects.get(project_indicator=pi, period=first)
    assert (target.original_value, target.value) == (Decimal(100), Decimal(120))
    assert TargetRevision.objects.get().reason == "Two more schools joined"

    # The framework shows the indicator under its output; back there through the page's own link.
    page.get_by_role("link", name="Back to the results framework").click()
    row = page.get_by_test_id("project-indicator")
    expect(row).to_contain_text("E5")
    expect(row).to_contain_text("School registers")

    # The grantee reads the same framework and targets, with no way to change them.
    page.get_by_role("button", name="Sign out").click()
    page = login_through_form(grantee_a.username)
    page.goto(framework_url)
    expect(page.get_by_text("Children receive remedial classes")).to_be_visible()
    expect(page.get_by_test_id("project-indicator")).to_contain_text("E5")
    expect(page.get_by_role("link", name="Add goal")).to_have_count(0)
    expect(page.get_by_role("link", name="Adopt indicator")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete")).to_have_count(0)
    page.get_by_role("link", name="Targets of E5").click()
    expect(page.get_by_test_id(f"target-{first.pk}-total")).to_contain_text("120")
    expect(page.get_by_test_id(f"target-{first.pk}-total")).to_contain_text("originally 100")
    expect(page.get_by_role("button", name="Save targets")).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_count(0)
