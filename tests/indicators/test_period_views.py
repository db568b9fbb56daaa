"""A grant's reporting periods page: who may see and act, the report states, generation and open/close."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import Grant
from indicators import services
from indicators.forms.periods import NOT_THIS_GRANT
from indicators.models import PeriodStatus, ReportingPeriod, ReportingPeriodChange, SubmissionStatus
from tests.factories import CountryProjectFactory
from tests.indicator_factories import SubmissionFactory

pytestmark = pytest.mark.django_db

# What each persona gets on organisation A's grant (assigned officer: `officer`): read, then write.
MATRIX = {
    "officer": (200, 302),
    "admin_user": (200, 302),
    "other_officer": (200, 403),
    "manager": (200, 403),
    "grantee_a": (200, 403),
    "grantee_b": (404, 404),
}


def _page(grant: Grant) -> str:
    return reverse("indicators:grant_periods", args=[grant.pk])


def _generate(grant: Grant) -> str:
    return reverse("indicators:grant_periods_generate", args=[grant.pk])


def _status(grant: Grant) -> str:
    return reverse("indicators:period_set_status", args=[grant.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _follow_messages(client, response) -> list[str]:
    assert response.status_code == 302, response.status_code
    return _messages(client.get(response["Location"]))


# --- permission matrix --------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, world, framework):
    for response in (
        client.get(_page(world.grant_a)),
        client.post(_generate(world.grant_a)),
        client.post(_status(world.grant_a), {"period": framework.first.pk, "status": "closed"}),
    ):
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    framework.first.refresh_from_db()
    assert framework.first.is_open


@pytest.mark.parametrize("persona", MATRIX)
def test_access_matrix(request, client_for, world, framework, persona):
    read, write = MATRIX[persona]
    client = client_for(request.getfixturevalue(persona))
    response = client.get(_page(world.grant_a))
    assert response.status_code == read
    if read == 200:
        assert response.context["can_change"] is (write == 302)
        has_buttons = _generate(world.grant_a) in response.content.decode()
        assert has_buttons is (write == 302)
    changes = ReportingPeriodChange.objects.count()
    response = client.post(
        _status(world.grant_a), {"period": framework.first.pk, "status": "closed", "note": "Late data"}
    )
    assert response.status_code == write
    framework.first.refresh_from_db()
    assert framework.first.status == ("closed" if write == 302 else "open")
    assert ReportingPeriodChange.objects.count() == changes + (1 if write == 302 else 0)
    assert client.post(_generate(world.grant_a)).status_code == write


def test_actions_are_post_only(client_for, officer, world):
    client = client_for(officer)
    assert client.get(_generate(world.grant_a)).status_code == 405
    assert client.get(_status(world.grant_a)).status_code == 405


def test_unknown_grant_is_404(client_for, admin_user):
    client = client_for(admin_user)
    assert client.get(reverse("indicators:grant_periods", args=[999999])).status_code == 404
    assert client.post(reverse("indicators:grant_periods_generate", args=[999999])).status_code == 404


# --- what the page shows ----------------------------------------------------------------------------------------


def test_page_shows_periods_report_states_frequency_and_log(
    client_for, grantee_a, officer, world, framework, draft
):
    project_2 = CountryProjectFactory(grant=world.grant_a, country="HN")
    SubmissionFactory(
        country_project=project_2,
        period=framework.second,
        status=SubmissionStatus.RETURNED,
        created_by=officer,
    )
    response = client_for(grantee_a).get(_page(world.grant_a))
    overview = response.context["overview"]
    assert [p.country.code for p in overview.projects] == ["GT", "HN"]
    states = {
        row.period.pk: [report.status if report else "none" for report in row.reports]
        for row in overview.rows
    }
    assert states[framework.first.pk] == ["draft", "none"]
    assert states[framework.second.pk] == ["none", "returned"]
    assert len(overview.rows) == world.grant_a.reporting_periods.count() == 9
    assert overview.in_sync
    page = response.content.decode()
    assert "Semi-annual (US fiscal half-years)" in page
    assert reverse("indicators:submission_entry", args=[draft.pk]) in page
    assert len(overview.changes) == 9 and all(c.note == "Generated" for c in overview.changes)


def test_generate_reports_created_then_nothing_then_updated(client_for, officer, world):
    client = client_for(officer)
    page = client.get(_page(world.grant_a))
    assert not page.context["overview"].in_sync  # no periods yet
    assert _follow_messages(client, client.post(_generate(world.grant_a))) == [
        "Periods updated from the grant's dates: 9 created, 0 updated, 0 removed, 0 kept."
    ]
    assert _follow_messages(client, client.post(_generate(world.grant_a))) == [
        "The periods already match the grant's dates and reporting frequency; nothing changed."
    ]
    Grant.objects.filter(pk=world.grant_a.pk).update(end_date=datetime.date(2028, 1, 31))
    assert not client.get(_page(world.grant_a)).context["overview"].in_sync
    assert _follow_messages(client, client.post(_generate(world.grant_a))) == [
        "Periods updated from the grant's dates: 0 created, 1 updated, 0 removed, 0 kept."
    ]


def test_generate_keeps_periods_with_reports_and_says_which(client_for, officer, world, framework):
    last = world.grant_a.reporting_periods.order_by("start_date").last()
    SubmissionFactory(country_project=world.project_a, period=last, created_by=officer)
    Grant.objects.filter(pk=world.grant_a.pk).update(end_date=datetime.date(2027, 3, 31))
    client = client_for(officer)
    messages = _follow_messages(client, client.post(_generate(world.grant_a)))
    assert messages == [
        "Periods updated from the grant's dates: 0 created, 0 updated, 1 removed, 1 kept. Kept although "
        f"outside the grant's dates, because reports or targets refer to them: {last.label}."
    ]
    assert ReportingPeriod.objects.filter(pk=last.pk).exists()


def test_close_and_reopen_with_notes_in_the_log(client_for, officer, world, framework):
    client = client_for(officer)
    response = client.post(
        _status(world.grant_a), {"period": framework.first.pk, "status": "closed", "note": "Report approved."}
    )
    assert _follow_messages(client, response) == [
        f"{framework.first.label} is closed: reports for it can no longer be started or edited."
    ]
    change = ReportingPeriodChange.objects.filter(period=framework.first).first()
    assert (change.from_status, change.to_status, change.note, change.actor) == (
        "open",
        "closed",
        "Report approved.",
        officer,
    )
    page = client.get(_page(world.grant_a)).content.decode()
    assert "Report approved." in page
    client.post(_status(world.grant_a), {"period": framework.first.pk, "status": "open"})
    framework.first.refresh_from_db()
    assert framework.first.status == PeriodStatus.OPEN


# --- bad input --------------------------------------------------------------------------------------------------


def test_closing_a_closed_period_is_refused(client_for, officer, world, framework):
    services.reporting_period_set_status(period=framework.first, status="closed", actor=officer)
    changes = ReportingPeriodChange.objects.count()
    client = client_for(officer)
    response = client.post(_status(world.grant_a), {"period": framework.first.pk, "status": "closed"})
    assert _follow_messages(client, response) == ["Nothing was changed. The period is already closed."]
    assert ReportingPeriodChange.objects.count() == changes


def test_a_period_of_another_grant_is_refused(client_for, admin_user, world, framework):
    client = client_for(admin_user)
    changes = ReportingPeriodChange.objects.count()
    response = client.post(_status(world.grant_a), {"period": framework.first_b.pk, "status": "closed"})
    assert _follow_messages(client, response) == [f"Nothing was changed. {NOT_THIS_GRANT}"]
    framework.first_b.refresh_from_db()
    assert framework.first_b.is_open
    assert ReportingPeriodChange.objects.count() == changes


def test_officer_cannot_post_another_grants_period_through_own_grant(client_for, officer, world, framework):
    # The officer owns grant A only; grant B's period through grant A's URL is refused like any stranger's.
    client = client_for(officer)
    response = client.post(_status(world.grant_a), {"period": framework.first_b.pk, "status": "closed"})
    assert _follow_messages(client, response) == [f"Nothing was changed. {NOT_THIS_GRANT}"]
    assert (
        client.post(_status(world.grant_b), {"period": framework.first_b.pk, "status": "closed"}).status_code
        == 403
    )
    framework.first_b.refresh_from_db()
    assert framework.first_b.is_open


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "closed"}, "Nothing was changed. Choose a period."),
        ({"period": "FIRST", "status": "frozen"}, "Nothing was changed. Choose open or closed."),
        ({"period": "abc", "status": "closed"}, f"Nothing was changed. {NOT_THIS_GRANT}"),
    ],
)
def test_malformed_status_posts_change_nothing(client_for, officer, world, framework, data, message):
    if data.get("period") == "FIRST":
        data = {**data, "period": framework.first.pk}
    client = client_for(officer)
    changes = ReportingPeriodChange.objects.count()
    assert _follow_messages(client, client.post(_status(world.grant_a), data)) == [message]
    assert ReportingPeriodChange.objects.count() == changes
    framework.first.refresh_from_db()
    assert framework.first.is_open


# --- query counts -----------------------------------------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_page_query_count_is_constant(
    client_for, grantee_a, officer, world, framework, django_assert_max_num_queries
):
    client = client_for(grantee_a)
    url = _page(world.grant_a)
    small = _queries(client, url)
    # Quarterly over seven years, ten more country projects, and a report for most cells.
    Grant.objects.filter(pk=world.grant_a.pk).update(
        reporting_frequency="quarterly", end_date=datetime.date(2030, 12, 31)
    )
    world.grant_a.refresh_from_db()
    services.reporting_periods_generate(grant=world.grant_a, actor=officer)
    projects = [CountryProjectFactory(grant=world.grant_a, country=c) for c in ("HN", "SV", "MX", "CO", "PE")]
    periods = list(world.grant_a.reporting_periods.all())
    for project in projects:
        for period in periods[:20]:
            SubmissionFactory(country_project=project, period=period, created_by=officer)
    for period in periods[:10]:
        services.reporting_period_set_status(period=period, status="closed", actor=officer, note="Done")
    # session, user, organisation (the nav); grant with grantee and officer; periods; projects; reports;
    # the change log with periods and actors.
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(response.context["overview"].rows) > 25
    assert len(response.context["overview"].projects) == 6
    assert _queries(client, url) == small
