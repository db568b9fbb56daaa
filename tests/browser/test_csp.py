"""Under the real Content Security Policy every role's main pages run without a single refused script or style.

The live server sends the same headers as production (portfolio/settings.py); Chromium reports what the policy
refuses as `securitypolicyviolation` events and console errors. Both are collected on every page and must be
empty, together with any other console message or uncaught error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Error, Page, expect

from tests.indicator_factories import SubmissionFactory
from tests.indicators.conftest import framework  # noqa: F401  (the fixture)
from tests.indicators.test_performance_views import reported  # noqa: F401  (the fixture)

# Injected by the browser before any page script, so it is not itself subject to the page's policy.
LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " refused " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


@dataclass
class Watch:
    """What went wrong on the pages visited: policy violations, console messages and uncaught errors."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        assert "'unsafe-inline'" not in response.headers["content-security-policy"]
        self.page.wait_for_load_state("load")
        for violation in self.page.evaluate("window.__cspViolations"):
            self.problems.append(f"{url}: {violation}")


def watch(page: Page) -> Watch:
    watcher = Watch(page)
    page.add_init_script(LISTEN_FOR_VIOLATIONS)

    def on_console(message: ConsoleMessage) -> None:
        watcher.problems.append(f"{page.url}: console {message.type}: {message.text}")

    def on_error(error: Error) -> None:
        watcher.problems.append(f"{page.url}: uncaught {error}")

    page.on("console", on_console)
    page.on("pageerror", on_error)
    return watcher


@pytest.fixture
def pages(world, reported):  # noqa: F811
    """Reports in every state the main pages show: a draft of grantee A's to enter, one submitted to review."""
    draft = SubmissionFactory(country_project=world.project_a, period=reported.second, status="draft")
    submitted = world.project_b.submissions.get(status="submitted")
    return {
        "dashboard": reverse("dashboard"),
        "grants": reverse("grants:grant_list"),
        "grant_a": reverse("grants:grant_detail", args=[world.grant_a.pk]),
        "grant_b": reverse("grants:grant_detail", args=[world.grant_b.pk]),
        "calendar": reverse("indicators:calendar") + "?view=month&month=2024-09",
        "reporting": reverse("indicators:reporting_overview"),
        "entry": reverse("indicators:submission_entry", args=[draft.pk]),
        "review_queue": reverse("indicators:review_queue"),
        "review": reverse("indicators:submission_review", args=[submitted.pk]),
        "portfolio_performance": reverse("indicators:portfolio_performance"),
        "grant_performance": reverse("indicators:grant_performance", args=[world.grant_a.pk]),
        "project_performance": reverse("indicators:project_performance", args=[world.project_a.pk]),
        "builder": reverse("reports:builder"),
        "preview": reverse("reports:preview") + "?report_type=iptt&formats=xlsx",
        "notifications": reverse("grants:notification_list"),
        "admin": reverse("admin:index"),
        "admin_grant": reverse("admin:grants_grant_change", args=[world.grant_a.pk]),
    }


ROLE_PAGES = {
    "grantee_a": [
        "dashboard",
        "grants",
        "grant_a",
        "calendar",
        "reporting",
        "entry",
        "project_performance",
        "builder",
        "preview",
        "notifications",
    ],
    "other_officer": [
        "dashboard",
        "grants",
        "grant_b",
        "calendar",
        "review_queue",
        "review",
        "grant_performance",
        "builder",
        "preview",
        "notifications",
    ],
    "manager": [
        "dashboard",
        "grants",
        "grant_a",
        "calendar",
        "review_queue",
        "portfolio_performance",
        "grant_performance",
        "project_performance",
        "builder",
        "preview",
        "notifications",
    ],
    "admin_user": ["dashboard", "admin", "admin_grant"],
}


@pytest.mark.parametrize("persona", list(ROLE_PAGES))
def test_main_pages_run_under_the_policy_without_violations(
    request, logged_in_page, live_server, pages, persona
):
    page = logged_in_page(request.getfixturevalue(persona))
    watcher = watch(page)
    for name in ROLE_PAGES[persona]:
        watcher.visit(live_server.url + pages[name])
    assert watcher.problems == []


def test_the_policy_catches_an_inline_script(logged_in_page, live_server, manager):
    """The watch is not blind: an inline script added to a page is refused and reported."""
    page = logged_in_page(manager)
    watcher = watch(page)
    watcher.visit(live_server.url + reverse("dashboard"))
    page.evaluate(
        "() => { const s = document.createElement('div');"
        " s.innerHTML = '<img src=x onerror=\"window.ran = true\">'; document.body.append(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.ran") is None  # the handler never ran
    violations = page.evaluate("window.__cspViolations")
    assert any(v.startswith("script-src") for v in violations), violations


def test_charts_look_the_same_under_the_policy(logged_in_page, live_server, pages, manager, tmp_path):
    """The chart's colours, type and size come from attributes and portfolio.css, which the policy allows."""
    page = logged_in_page(manager)
    watcher = watch(page)
    watcher.visit(live_server.url + pages["project_performance"])
    chart = page.locator("svg.perf-chart").first
    expect(chart).to_be_visible()
    looks = chart.evaluate(
        """svg => {
          const style = getComputedStyle(svg);
          const bars = [...svg.querySelectorAll("rect[fill]")].map(r => getComputedStyle(r).fill);
          const label = getComputedStyle(svg.querySelector("text"));
          return {maxWidth: style.maxWidth, height: svg.getBoundingClientRect().height,
                  width: svg.getBoundingClientRect().width, bars: bars,
                  font: label.fontFamily, size: label.fontSize, clip: getComputedStyle(svg.querySelector("g")).clipPath};
        }"""
    )
    assert looks["maxWidth"] == "420px"
    assert looks["width"] <= 420 and looks["height"] == pytest.approx(looks["width"] * 150 / 360, abs=1)
    # Bootstrap primary and gray-500 as reportlab rounds them (percentages): the same before the policy.
    assert set(looks["bars"]) == {"rgb(13, 110, 252)", "rgb(171, 179, 189)"}
    assert looks["font"] == "Helvetica" and looks["size"] == "8px"
    assert looks["clip"].startswith("url(")
    page.screenshot(path=str(tmp_path / "project_performance.png"), full_page=True)
    assert watcher.problems == []
