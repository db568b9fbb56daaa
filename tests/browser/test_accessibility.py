"""Every main page, as the person who uses it, checked in Chromium with axe-core (Deque's accessibility rules,
the engine behind Lighthouse's audit): WCAG 2.1 A and AA, and best practices, with no violation allowed.

The pages are filled by the indicator tests' world: two organisations' grants, a results framework, a grantee's
draft report and one sent for review, their reporting periods and milestones. A failure prints axe's report: the rule,
the elements and what to change.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from indicators import services
from tests.indicators import conftest as indicator_fixtures
from tests.indicators.conftest import fill

framework = indicator_fixtures.framework
draft = indicator_fixtures.draft

AXE = Axe()
# Every rule axe runs by default; none is switched off.
OPTIONS = {"resultTypes": ["violations"]}


@pytest.fixture
def pages(world, framework, draft, grantee_a, officer):
    """The paths each persona uses, with real objects in them."""
    sent = services.submission_get_or_create_draft(
        country_project=world.project_a, period=framework.second, actor=grantee_a
    )
    fill(sent, framework, grantee_a)
    sent.refresh_from_db()
    services.submission_submit(submission=sent, actor=grantee_a, expected_version=sent.version)
    grant, project, milestone = world.grant_a.pk, world.project_a.pk, world.milestone_a.pk
    return {
        "grantee_a": [
            "/",
            "/reporting/",
            f"/submissions/{draft.pk}/",
            f"/projects/{project}/reporting/",
            "/reporting/upload/",
            "/grants/",
            f"/grants/{grant}/",
            f"/grants/{grant}/performance/",
            "/milestones/?timing=all",
            "/calendar/",
            "/calendar/?view=list",
            "/calendar/subscriptions/",
            "/notifications/",
            "/notifications/preferences/",
            "/account/security/",
        ],
        "officer": [
            "/",
            "/grants/",
            "/grants/new/",
            f"/grants/{grant}/",
            f"/grants/{grant}/edit/",
            f"/grants/{grant}/history/",
            f"/grants/{grant}/periods/",
            f"/projects/{project}/",
            f"/projects/{project}/framework/",
            f"/milestones/{milestone}/",
            "/milestones/?timing=all",
            "/review/",
            f"/submissions/{sent.pk}/review/",
            "/indicators/",
            "/timeliness/",
            f"/projects/{project}/performance/",
        ],
        "manager": [
            "/",
            "/performance/",
            "/calendar/?view=list&state=overdue",
            "/reports/",
            "/reports/preview/?report_type=milestones&formats=xlsx",
            "/reports/preview/?report_type=donor&formats=xlsx",
            "/reports/preview/?report_type=financial&formats=xlsx",
            "/reports/preview/?report_type=iptt&formats=xlsx",
        ],
    }


@pytest.mark.parametrize("persona", ["grantee_a", "officer", "manager"])
@pytest.mark.parametrize("width", [1280, 390])
def test_pages_have_no_accessibility_violations(request, logged_in_page, live_server, pages, persona, width):
    page = logged_in_page(request.getfixturevalue(persona))
    page.set_viewport_size({"width": width, "height": 900})
    reports = []
    for path in pages[persona]:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        results = AXE.run(page, options=OPTIONS)
        if results.violations_count:
            reports.append(f"{path} ({width} px): {results.generate_report()}")
    assert not reports, "\n\n".join(reports)


def test_the_sign_in_page_has_no_accessibility_violations(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    results = AXE.run(page, options=OPTIONS)
    assert results.violations_count == 0, results.generate_report()
