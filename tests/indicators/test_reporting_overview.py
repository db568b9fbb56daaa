"""The reporting overview at portfolio scale: scoped per role, filtered, paged in the database."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from grants.models import CountryProject
from indicators.models import PeriodStatus, ReportingPeriod, SubmissionStatus
from indicators.selectors.entry import project_reporting_page
from tests.factories import CountryProjectFactory, GrantFactory, UserFactory
from tests.indicator_factories import ReportingPeriodFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

URL = reverse("indicators:reporting_overview")
TODAY = datetime.date(2025, 6, 15)


def _projects(response) -> list[CountryProject]:
    return [r.project for r in response.context["overview"]]


def _portfolio(n: int, *, officer, grantee) -> list[CountryProject]:
    """n country projects, one grant each, with two open periods and a draft report for the first."""
    projects = []
    for _ in range(n):
        grant = GrantFactory(grantee=grantee, program_officer=officer)
        project = CountryProjectFactory(grant=grant, country="GT")
        first = ReportingPeriodFactory(grant=grant, start_date=datetime.date(2024, 4, 1))
        ReportingPeriodFactory(grant=grant)
        SubmissionFactory(country_project=project, period=first)
        projects.append(project)
    return projects


@pytest.fixture
def periods(world):
    """Grant A's and grant B's periods of FY2025 H1 (open, report overdue) and FY2025 H2 (open)."""
    made = {}
    for key, grant in (("a", world.grant_a), ("b", world.grant_b)):
        made[key] = ReportingPeriodFactory(grant=grant)
        made[f"{key}2"] = ReportingPeriodFactory(
            grant=grant, start_date=datetime.date(2025, 4, 1), end_date=datetime.date(2025, 9, 30)
        )
    return made


# --- who sees what ----------------------------------------------------------------------------------------


def test_officer_opens_on_own_grants_and_can_widen_to_anyone(client_for, officer, world, periods):
    client = client_for(officer)
    assert _projects(client.get(URL)) == [world.project_a]
    anyone = _projects(client.get(URL, {"officer": ""}))
    assert world.project_a in anyone and world.project_b in anyone


def test_officer_without_grants_opens_on_everyone(client_for, world, periods):
    newcomer = UserFactory(role="officer")
    assert newcomer.is_program_officer
    projects = _projects(client_for(newcomer).get(URL))
    assert world.project_a in projects and world.project_b in projects


@pytest.mark.parametrize("persona", ["manager", "admin_user"])
def test_managers_and_admins_see_every_project(request, persona, client_for, world, periods):
    projects = _projects(client_for(request.getfixturevalue(persona)).get(URL))
    assert world.project_a in projects and world.project_b in projects


def test_grantee_sees_own_projects_with_start_buttons(client_for, grantee_a, world, periods):
    response = client_for(grantee_a).get(URL)
    assert _projects(response) == [world.project_a]
    body = response.content.decode()
    assert reverse("indicators:submission_start", args=[world.project_a.pk, periods["a"].pk]) in body
    assert world.grant_b.award_number not in body


def test_grantee_cannot_reach_other_organisations_grant_through_the_filter(
    client_for, grantee_b, world, periods
):
    # Grant A is not among grantee B's choices: the filter is invalid, and nothing of A's appears.
    response = client_for(grantee_b).get(URL, {"grant": world.grant_a.pk})
    assert response.status_code == 200
    assert _projects(response) == []
    body = response.content.decode()
    assert world.grant_a.award_number not in body
    assert "Select a valid choice" in body


def test_staff_get_no_start_buttons(client_for, manager, world, periods):
    body = client_for(manager).get(URL).content.decode()
    assert "/start/" not in body
    assert "Officer:" in body


# --- which projects and periods -----------------------------------------------------------------------------


def test_closed_periods_and_projects_outside_their_dates_are_left_out(client_for, manager, world, periods):
    periods["b"].status = PeriodStatus.CLOSED
    periods["b"].save()
    periods["b2"].status = PeriodStatus.CLOSED
    periods["b2"].save()
    # A project that ended before any open period of its grant has nothing to report now.
    ended = CountryProjectFactory(
        grant=world.grant_a,
        country="HN",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 6, 30),
    )
    response = client_for(manager).get(URL)
    assert _projects(response) == [world.project_a]
    assert ended not in _projects(response)
    assert response.context["page_obj"].paginator.count == 1


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("not_started", {"a2", "b", "b2"}),
        (SubmissionStatus.DRAFT, {"a"}),
        (SubmissionStatus.SUBMITTED, set()),
        (SubmissionStatus.RETURNED, set()),
        (SubmissionStatus.APPROVED, set()),
    ],
)
def test_report_state_filter_narrows_projects_and_their_periods(
    client_for, manager, world, periods, state, expected
):
    SubmissionFactory(country_project=world.project_a, period=periods["a"], status=SubmissionStatus.DRAFT)
    response = client_for(manager).get(URL, {"state": state})
    shown = {row.period.pk for r in response.context["overview"] for row in r.periods}
    assert shown == {periods[key].pk for key in expected}
    if not expected:
        assert "No country project matches these filters." in response.content.decode()


def test_each_submission_state_is_found(client_for, manager, world, periods):
    for status in (SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED, SubmissionStatus.APPROVED):
        project = CountryProjectFactory(
            grant=world.grant_b, country={"submitted": "MX", "returned": "PE"}.get(status, "CO")
        )
        SubmissionFactory(country_project=project, period=periods["b"], status=status)
        response = client_for(manager).get(URL, {"state": status})
        assert _projects(response) == [project], status


def test_grant_country_and_officer_filters(client_for, manager, other_officer, world, periods):
    client = client_for(manager)
    assert _projects(client.get(URL, {"grant": world.grant_b.pk})) == [world.project_b]
    assert _projects(client.get(URL, {"country": "GT"})) == [world.project_a]
    assert _projects(client.get(URL, {"officer": other_officer.pk})) == [world.project_b]


def test_overdue_reports_are_marked(client_for, manager, world, periods):
    # FY2025 H1 was due on 30 April 2025, long before the test clock's today; FY2025 H2 too.
    SubmissionFactory(country_project=world.project_a, period=periods["a"], status=SubmissionStatus.APPROVED)
    body = client_for(manager).get(URL).content.decode()
    assert f"overdue-{world.project_a.pk}-{periods['a'].pk}" not in body  # approved: handed in
    assert f"overdue-{world.project_a.pk}-{periods['a2'].pk}" in body  # none yet


def test_periods_not_yet_begun_are_left_out_and_the_next_one_is_named(
    client_for, manager, officer, org_a, world, periods, monkeypatch
):
    # The clock on 15 June 2025: FY2025 H2 (from 1 April) has begun, FY2026 H1 (from 1 October) has not.
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    fy26 = ReportingPeriodFactory(
        grant=world.grant_a, start_date=datetime.date(2025, 10, 1), end_date=datetime.date(2026, 3, 31)
    )
    ReportingPeriodFactory(
        grant=world.grant_a, start_date=datetime.date(2026, 4, 1), end_date=datetime.date(2026, 9, 30)
    )
    # A grant whose periods have all yet to begin has nothing to report now, not even a "not started".
    future = GrantFactory(grantee=org_a, program_officer=officer)
    waiting = CountryProjectFactory(grant=future, country="SV")
    ReportingPeriodFactory(
        grant=future, start_date=datetime.date(2025, 10, 1), end_date=datetime.date(2026, 3, 31)
    )
    client = client_for(manager)

    response = client.get(URL)
    (project_a,) = [r for r in response.context["overview"] if r.project == world.project_a]
    assert [row.period for row in project_a.periods] == [periods["a"], periods["a2"]]
    assert project_a.next_period == fy26
    body = response.content.decode()
    assert (
        f'data-testid="next-period-{world.project_a.pk}">Next period: Oct 2025 - Mar 2026, from 1 Oct 2025, '
        "due 30 Apr 2026.</p>"
    ) in body
    assert waiting not in _projects(response)
    not_started = client.get(URL, {"state": "not_started"})
    assert waiting not in _projects(not_started)
    assert fy26.pk not in {row.period.pk for r in not_started.context["overview"] for row in r.periods}


# --- paging -------------------------------------------------------------------------------------------------


def test_projects_come_a_page_at_a_time_keeping_the_filters(client_for, manager, officer, org_a, world):
    _portfolio(30, officer=officer, grantee=org_a)
    client = client_for(manager)
    first = client.get(URL, {"country": "GT"})
    assert len(first.context["overview"]) == 25
    assert first.context["page_obj"].paginator.count == 30
    body = first.content.decode()
    assert "30 country projects · page 1 of 2" in body
    assert 'href="?country=GT&amp;page=2"' in body
    second = client.get(URL, {"country": "GT", "page": 2})
    assert len(second.context["overview"]) == 5
    assert not set(_projects(first)) & set(_projects(second))
    # A page out of range or not a number shows the last or the first page rather than an error.
    assert client.get(URL, {"country": "GT", "page": 99}).context["page_obj"].number == 2
    assert client.get(URL, {"country": "GT", "page": "x"}).context["page_obj"].number == 1


def test_grantee_list_is_paged_too(client_for, grantee_a, officer, org_a, world):
    _portfolio(27, officer=officer, grantee=org_a)
    response = client_for(grantee_a).get(URL)
    assert len(response.context["overview"]) == 25
    assert response.context["page_obj"].paginator.count == 27


@pytest.mark.parametrize("size", [3, 30])
def test_query_count_does_not_grow_with_the_portfolio(
    size, client_for, manager, grantee_a, officer, org_a, world, django_assert_num_queries
):
    _portfolio(size, officer=officer, grantee=org_a)
    staff, grantee = client_for(manager), client_for(grantee_a)
    # session, user (2); filter choices: countries, grants, officers (3); count, the page's projects with grant,
    # grantee and officer, their grants' open periods, their reports (4).
    with django_assert_num_queries(9):
        response = staff.get(URL)
    assert len(response.context["overview"]) == min(size, 25)
    # A grantee's page costs one more: the user's organisation for the navigation.
    with django_assert_num_queries(10):
        grantee.get(URL)


def test_selector_pages_in_the_database(world, officer, org_a, django_assert_num_queries):
    _portfolio(12, officer=officer, grantee=org_a)
    # count, page of projects, open periods, reports
    with django_assert_num_queries(4):
        page = project_reporting_page(CountryProject.objects.all(), today=TODAY, page=2, per_page=5)
    assert page.page.paginator.count == 12
    assert [len(r.periods) for r in page.projects] == [2] * 5
    assert ReportingPeriod.objects.count() == 24  # the world's projects have no periods, so are not listed
