"""The dashboard's reporting panel, against hand-counted cases.

Both grants of `world` run 1 Jan 2024 - 31 Dec 2027 with half-yearly periods; on 1 May 2025 four periods have
started (Jan-Mar 2024, Apr-Sep 2024, Oct 2024-Mar 2025, Apr-Sep 2025), so each project owes four reports.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from indicators import services
from indicators.selectors.dashboard import reporting_summary
from tests.indicators.conftest import fill

TODAY = datetime.date(2025, 5, 1)


def test_nothing_started_yet(framework, grantee_a):
    summary = reporting_summary(user=grantee_a, today=TODAY)
    assert (summary.to_start, summary.drafts, summary.awaiting_review, summary.approved) == (4, 0, 0, 0)
    assert summary.oldest_waiting_days is None


def test_each_role_counts_its_own_scope(framework, draft, grantee_a, officer, other_officer, manager):
    fill(draft, framework, grantee_a)
    draft.refresh_from_db()
    services.submission_submit(submission=draft, actor=grantee_a, expected_version=draft.version)
    mine = reporting_summary(user=grantee_a, today=TODAY)
    assert (mine.to_start, mine.drafts, mine.awaiting_review) == (3, 0, 1)
    assert mine.scope == "Your organisation's projects"
    assert reporting_summary(user=officer, today=TODAY).awaiting_review == 1
    # The other officer reviews grant B only, where nothing was submitted.
    theirs = reporting_summary(user=other_officer, today=TODAY)
    assert (theirs.to_start, theirs.awaiting_review) == (4, 0)
    everything = reporting_summary(user=manager, today=TODAY)
    assert (everything.to_start, everything.awaiting_review) == (7, 1)


def test_waiting_days_and_returned(framework, draft, grantee_a, officer):
    fill(draft, framework, grantee_a)
    draft.refresh_from_db()
    services.submission_submit(submission=draft, actor=grantee_a, expected_version=draft.version)
    later = datetime.date.today() + datetime.timedelta(days=6)
    assert reporting_summary(user=officer, today=later).oldest_waiting_days == 6
    draft.refresh_from_db()
    services.submission_return(
        submission=draft, actor=officer, comment="Check the ages.", expected_version=draft.version
    )
    summary = reporting_summary(user=grantee_a, today=TODAY)
    assert (summary.returned, summary.awaiting_review, summary.oldest_waiting_days) == (1, 0, None)


def test_closed_periods_are_not_owed(framework, officer, grantee_a):
    services.reporting_period_set_status(period=framework.first, status="closed", actor=officer)
    assert reporting_summary(user=grantee_a, today=TODAY).to_start == 3


@pytest.mark.parametrize("persona", ["grantee_a", "officer", "manager"])
def test_panel_is_on_the_dashboard(request, client_for, framework, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("dashboard"))
    assert response.status_code == 200
    assert b'data-testid="reporting-panel"' in response.content
    assert response.context["reporting"].to_start >= 1
