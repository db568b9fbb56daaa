"""The three performance pages: who sees what, filters, the numbers on the page, and their query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.urls import reverse

from indicators import services
from indicators.calculations import Track
from indicators.cells import TOTAL
from indicators.models import (
    ActualValue,
    DisaggregationCategory,
    DisaggregationOption,
    ProjectIndicator,
    Submission,
    Target,
)
from indicators.selectors import performance as performance_selectors
from indicators.views import performance_views
from tests.factories import CountryProjectFactory, GrantFactory
from tests.indicator_factories import IndicatorFactory, ReportingPeriodFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def approve(project, period, figures: dict, status: str = "approved"):
    """An approved report of ``project`` for ``period`` with {project indicator: total value}."""
    submission = SubmissionFactory(country_project=project, period=period, status=status)
    for pi, value in figures.items():
        ActualValue.objects.create(
            submission=submission, project_indicator=pi, cell_key=TOTAL, value=D(value)
        )
    return submission


@pytest.fixture
def reported(world, framework):
    """Organisation A reached 8 children in its first period, organisation B 777; B also has 4321 awaiting review."""
    approve(world.project_a, framework.first, {framework.reached: 8, framework.capital: 1500})
    approve(world.project_b, framework.first_b, {framework.reached_b: 777})
    second_b = world.grant_b.reporting_periods.order_by("start_date")[1]
    approve(world.project_b, second_b, {framework.reached_b: 4321}, status="submitted")
    return framework


def urls(world) -> dict[str, str]:
    return {
        "project": reverse("indicators:project_performance", kwargs={"pk": world.project_a.pk}),
        "grant": reverse("indicators:grant_performance", kwargs={"pk": world.grant_a.pk}),
        "portfolio": reverse("indicators:portfolio_performance"),
    }


def e1(response):
    return next(item for item in response.context["table"].indicators if item.code == "E1")


@pytest.mark.parametrize("page_name", ["project", "grant", "portfolio"])
def test_anonymous_users_are_sent_to_sign_in(client, world, page_name):
    response = client.get(urls(world)[page_name])
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "project", "grant", "portfolio"),
    [
        ("grantee_a", 200, 200, 200),
        ("grantee_b", 404, 404, 200),
        ("officer", 200, 200, 200),
        ("other_officer", 200, 200, 200),
        ("manager", 200, 200, 200),
        ("admin_user", 200, 200, 200),
    ],
)
def test_permission_matrix(request, client_for, world, reported, persona, project, grant, portfolio):
    client = client_for(request.getfixturevalue(persona))
    pages = urls(world)
    assert client.get(pages["project"]).status_code == project
    assert client.get(pages["grant"]).status_code == grant
    assert client.get(pages["portfolio"]).status_code == portfolio


def test_pages_refuse_writes(client_for, manager, world):
    # Read-only pages: POST is not a thing here.
    for url in urls(world).values():
        assert client_for(manager).post(url).status_code == 405


def test_grantee_of_another_organisation_gets_404_for_unknown_and_foreign_ids(client_for, grantee_b, world):
    client = client_for(grantee_b)
    assert client.get(reverse("indicators:project_performance", kwargs={"pk": 999999})).status_code == 404
    assert (
        client.get(reverse("indicators:grant_performance", kwargs={"pk": world.grant_a.pk})).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("persona", "e1_to_date", "projects", "absent"),
    [
        # Each grantee sees only its own organisation's figures, never the other's, nor the sum.
        ("grantee_a", D(8), 1, ["777", "IL-22222", "785"]),
        ("grantee_b", D(777), 1, ["IL-11111", "1,500", "785"]),
        ("manager", D(785), 2, []),
    ],
)
def test_portfolio_shows_only_what_the_user_may_see(
    request, client_for, world, reported, persona, e1_to_date, projects, absent
):
    response = client_for(request.getfixturevalue(persona)).get(urls(world)["portfolio"])
    body = response.content.decode()

    item = e1(response)
    assert item.total.to_date_figure == e1_to_date
    assert len(item.projects) == projects
    assert response.context["table"].project_count == projects
    for text in absent:
        assert text not in body
    # grantee_b's own report awaiting review is not counted, only mentioned.
    if persona != "grantee_a":
        assert "4321" not in body and "4,321" not in body
        assert "1 submitted report awaiting review is not counted" in body


def test_grantee_b_filter_choices_do_not_leak_other_organisations(client_for, grantee_b, world, reported):
    response = client_for(grantee_b).get(urls(world)["portfolio"])
    form = response.context["filter"].form
    assert [str(g) for g in form.fields["grant"].queryset] == [str(world.grant_b)]
    assert [code for code, _ in form.fields["country"].choices if code] == ["KE"]
    assert list(form.fields["indicator"].queryset.values_list("code", flat=True)) == ["E1"]


def test_project_page_shows_figures_chart_and_badges(client_for, officer, world, reported):
    response = client_for(officer).get(urls(world)["project"])
    body = response.content.decode()

    item = e1(response)
    assert item.total.to_date_figure == D(8) and item.projects == ()
    assert item.total.lop_target == D(1000)
    assert body.count('<svg class="perf-chart"') == 3  # E1, E3, L5
    assert 'data-testid="track-badge"' in body
    assert "$1,500" in body  # L5 is money
    assert "Show actuals by disaggregation" in body


def test_grant_page_adds_projects_and_filters_by_country(client_for, officer, world, reported):
    other = CountryProjectFactory(grant=world.grant_a, country="HN")
    pi = ProjectIndicator.objects.create(
        country_project=other,
        indicator=reported.reached.indicator,
        lop_target=D(100),
        original_lop_target=D(100),
    )
    approve(other, reported.first, {pi: 12})
    url = urls(world)["grant"]

    everything = e1(client_for(officer).get(url))
    guatemala = e1(client_for(officer).get(url, {"country": "GT"}))

    assert everything.total.to_date_figure == D(20) and len(everything.projects) == 2
    assert everything.total.lop_target == D(1100)
    assert guatemala.total.to_date_figure == D(8) and len(guatemala.projects) == 1


def test_portfolio_filters_by_grant_indicator_domain_and_period(client_for, manager, world, reported):
    url = urls(world)["portfolio"]
    client = client_for(manager)

    by_grant = client.get(url, {"grant": world.grant_b.pk}).context["table"]
    assert [(i.code, i.total.to_date_figure) for i in by_grant.indicators] == [("E1", D(777))]

    by_indicator = client.get(url, {"indicator": reported.capital.indicator_id}).context["table"]
    assert [i.code for i in by_indicator.indicators] == ["L5"]

    by_domain = client.get(url, {"domain": "livelihoods"}).context["table"]
    assert [i.code for i in by_domain.indicators] == ["L5"]

    # As of the first period, A's second report (5 more children) does not count yet; from the second
    # period on, the first is not shown but still counts in the cumulative.
    approve(world.project_a, reported.second, {reported.reached: 5})
    as_of_first = client.get(url, {"period_to": reported.first.end_date.isoformat()})
    assert as_of_first.context["filter"].is_valid()
    first = e1(as_of_first).total
    assert first.to_date_figure == D(785) and [p.end for p in first.periods] == [reported.first.end_date]
    from_second = e1(client.get(url, {"period_from": reported.second.start_date.isoformat()})).total
    assert from_second.to_date_figure == D(790)
    assert from_second.periods[0].end == reported.second.end_date
    assert from_second.periods[0].actual_to_date_figure == D(790)


def test_an_unknown_filter_value_says_so_and_shows_nothing(client_for, manager, world, reported):
    response = client_for(manager).get(urls(world)["portfolio"], {"country": "ZZ", "period_to": "1999-01-01"})
    body = response.content.decode()

    assert response.status_code == 200
    assert "Select a valid choice. ZZ is not one of the available choices." in body
    assert response.context["table"].indicators == ()
    assert "No indicators match these filters." in body


def test_disaggregated_view_lists_cells_of_the_latest_approved_period(client_for, officer, world, reported):
    submission = reported.reached.actuals.get(cell_key=TOTAL).submission
    ActualValue.objects.create(
        submission=submission, project_indicator=reported.reached, cell_key="age=5-11;sex=female", value=D(3)
    )
    response = client_for(officer).get(urls(world)["project"], {"cells": "1"})

    cells = {cell.label: cell.figure for cell in e1(response).cells}
    assert cells["Total"] == D(8)
    assert cells["5-11, Female"] == D(3)
    grid = e1(response).cell_table
    # Laid out as on the entry form: sex across, age bands down.
    assert grid.columns == ("Female", "Male")
    assert [label for label, _ in grid.rows] == ["5-11", "12-14", "15-17", "18 and over"]
    assert [c.figure for c in grid.rows[0][1]] == [D(3), None]
    assert grid.total.figure == D(8)
    assert 'data-testid="cells-table"' in response.content.decode()
    assert "Hide disaggregation" in response.content.decode()


def test_headline_status_against_prorated_lop_target(client_for, officer, world, reported):
    # 8 of 1000 children by the end of March 2024, three months into a four-year grant: behind.
    item = e1(client_for(officer).get(urls(world)["project"]))
    assert item.total.track == Track.BEHIND
    assert item.total.percent_achieved == D("0.8")


# --- query counts at a realistic size ---------------------------------------------------------------------------

INDICATORS = 15
CELLS = 12


def seed(n_projects: int, n_periods: int):
    """A grant with ``n_projects`` projects, each with 15 indicators reported in 12 cells for every period."""
    grant = GrantFactory(start_date=datetime.date(2020, 10, 1), end_date=datetime.date(2027, 9, 30))
    periods = []
    for k in range(n_periods):
        start = datetime.date(2020 + (k + 1) // 2, 10 if k % 2 == 0 else 4, 1)
        end = datetime.date(
            start.year + (1 if start.month == 10 else 0),
            3 if start.month == 10 else 9,
            30 if start.month == 4 else 31,
        )
        periods.append(ReportingPeriodFactory(grant=grant, start_date=start, end_date=end, label=f"P{k}"))
    # One category of 11 options: each indicator has 12 cells (the total and 11).
    category = DisaggregationCategory.objects.create(code="x", name="Test category")
    for n in range(CELLS - 1):
        DisaggregationOption.objects.create(category=category, code=f"c{n}", name=f"Option {n}", sort_order=n)
    indicators = [IndicatorFactory() for _ in range(INDICATORS)]
    for indicator in indicators:
        indicator.categories.add(category)
    countries = ["GT", "HN", "SV", "MX", "KE", "TH", "BD", "PE"]
    targets, values = [], []
    for c in range(n_projects):
        project = CountryProjectFactory(grant=grant, country=countries[c])
        pis = ProjectIndicator.objects.bulk_create(
            ProjectIndicator(
                country_project=project, indicator=i, lop_target=D(1000), original_lop_target=D(1000)
            )
            for i in indicators
        )
        for period in periods:
            submission = SubmissionFactory(country_project=project, period=period, status="approved")
            for pi in pis:
                targets.append(Target(project_indicator=pi, period=period, value=D(60), original_value=D(60)))
                values.append(
                    ActualValue(submission=submission, project_indicator=pi, cell_key=TOTAL, value=D(50))
                )
                values.extend(
                    ActualValue(submission=submission, project_indicator=pi, cell_key=f"x=c{n}", value=D(4))
                    for n in range(CELLS - 1)
                )
    Target.objects.bulk_create(targets)
    ActualValue.objects.bulk_create(values)
    return grant


# Queries per page, whatever the number of projects, periods and indicators:
# session + user (2); the builder: projects, project indicators, periods, targets, reports, values (6);
# project and grant pages look up their object (1). The filter bar adds its choice lists (grant page:
# country choices, indicator choices, periods = 3; portfolio: grant, country, indicator, periods, themes = 5).
# The disaggregated view adds the library's indicators, categories, options and the values (4).
# Grant and portfolio tables are cached: the projects' ids and the results stamp come first, and the reports
# awaiting review are counted on every visit (3).
PAGES = {
    "project": (
        lambda g: reverse("indicators:project_performance", kwargs={"pk": g.country_projects.first().pk}),
        9,
    ),
    "grant": (lambda g: reverse("indicators:grant_performance", kwargs={"pk": g.pk}), 15),
    "portfolio": (lambda g: reverse("indicators:portfolio_performance"), 16),
}


@pytest.mark.parametrize("page_name", sorted(PAGES))
@pytest.mark.parametrize(("n_projects", "n_periods"), [(2, 3), (5, 8)])
def test_query_count_does_not_grow_with_projects_or_periods(
    client_for, manager, django_assert_num_queries, page_name, n_projects, n_periods
):
    grant = seed(n_projects, n_periods)
    make_url, expected = PAGES[page_name]
    client = client_for(manager)
    url = make_url(grant)
    client.get(url)  # warm the session
    cache.clear()  # and measure a visit that builds the table
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    table = response.context["table"]
    assert len(table.indicators) == INDICATORS
    assert table.indicators[0].total.to_date_figure == D(
        50 * n_periods * (1 if page_name == "project" else n_projects)
    )


@pytest.mark.parametrize("page_name", sorted(PAGES))
def test_disaggregated_view_query_count_is_constant(
    client_for, manager, django_assert_num_queries, page_name
):
    grant = seed(3, 4)
    make_url, expected = PAGES[page_name]
    client = client_for(manager)
    url = make_url(grant) + "?cells=1"
    client.get(url)
    cache.clear()
    with django_assert_num_queries(expected + 4):
        assert client.get(url).status_code == 200


# --- the cache of grant and portfolio tables ---------------------------------------------------------------


def test_a_repeat_visit_is_served_from_the_cache(
    client_for, manager, world, reported, django_assert_num_queries
):
    client = client_for(manager)
    url = urls(world)["portfolio"]
    first = client.get(url)
    # The builder's six queries are gone on the second visit: session, user, ids, stamp, reports awaiting review,
    # filter choices (5).
    with django_assert_num_queries(PAGES["portfolio"][1] - 6):
        second = client.get(url)
    assert e1(second).total.to_date_figure == e1(first).total.to_date_figure == D(785)


def test_an_approval_reaches_the_page_at_once(client_for, manager, other_officer, world, reported):
    client = client_for(manager)
    url = urls(world)["portfolio"]
    assert e1(client.get(url)).total.to_date_figure == D(785)
    waiting = Submission.objects.get(country_project=world.project_b, status="submitted")
    services.submission_approve(submission=waiting, actor=other_officer)
    # 8 + 777 + 4321: the workflow step moved the results stamp, so the cached table was not reused.
    assert e1(client.get(url)).total.to_date_figure == D(5106)


@pytest.mark.parametrize("page_name", ["grant", "portfolio"])
def test_the_indicator_cards_are_cached_with_the_table_and_follow_an_approval(
    client_for, manager, other_officer, world, reported, monkeypatch, page_name
):
    client = client_for(manager)
    url = urls(world)[page_name]

    def card(response) -> str:
        return response.content.decode().split('id="indicator-E1"', 1)[1].split("</section>", 1)[0]

    first = card(client.get(url))
    drawn = []
    shown = performance_views._shown
    monkeypatch.setattr(performance_views, "_shown", lambda table: drawn.append(table) or shown(table))
    assert card(client.get(url)) == first and drawn == []  # the cards came from the cache, charts and all
    waiting = Submission.objects.get(country_project=world.project_b, status="submitted")
    services.submission_approve(submission=waiting, actor=other_officer)
    # The results stamp moved: a new table key, so the cards are drawn again (with the approved figure, where
    # the page adds up project B).
    again = card(client.get(url))
    assert len(drawn) == 1
    assert ('data-testid="to-date">5,106' in again) == (page_name == "portfolio")


def test_users_with_different_scopes_never_share_a_cached_table(
    client_for, manager, grantee_b, world, reported
):
    url = urls(world)["portfolio"]
    assert e1(client_for(manager).get(url)).total.to_date_figure == D(785)
    response = client_for(grantee_b).get(url)
    assert e1(response).total.to_date_figure == D(777)
    assert "IL-11111" not in response.content.decode()


def test_many_projects_show_group_figures_without_a_row_each(
    client_for, manager, world, reported, monkeypatch
):
    monkeypatch.setattr(performance_selectors, "PROJECT_ROWS_LIMIT", 1)
    response = client_for(manager).get(urls(world)["portfolio"])
    assert e1(response).total.to_date_figure == D(785)
    assert e1(response).projects == ()
    assert b'data-testid="project-rows-omitted"' in response.content
    # Narrowed to one grant, each project has its row again.
    narrowed = client_for(manager).get(urls(world)["portfolio"], {"grant": world.grant_a.pk})
    assert len(e1(narrowed).projects) == 1


def test_submitting_a_report_keeps_the_cached_table_and_counts_it_as_awaiting_review(
    client_for, manager, grantee_b, world, reported, django_assert_num_queries
):
    client = client_for(manager)
    url = urls(world)["portfolio"]
    client.get(url)
    draft = services.submission_get_or_create_draft(
        country_project=world.project_b,
        period=world.grant_b.reporting_periods.order_by("start_date")[2],
        actor=grantee_b,
    )
    Submission.objects.filter(pk=draft.pk).update(status="submitted")
    with django_assert_num_queries(PAGES["portfolio"][1] - 6):
        response = client.get(url)
    assert response.context["table"].pending_reports == 2
    assert e1(response).total.to_date_figure == D(785)


def test_approving_through_the_review_screen_rebuilds_the_tables_in_the_background(
    client_for,
    manager,
    other_officer,
    world,
    reported,
    django_capture_on_commit_callbacks,
    django_assert_num_queries,
):
    waiting = Submission.objects.get(country_project=world.project_b, status="submitted")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for(other_officer).post(
            reverse("indicators:submission_approve", args=[waiting.pk]),
            {"approve-comment": "", "approve-version": waiting.version},
        )
    assert response.status_code == 302 and len(callbacks) == 1
    # The task (run at once by the test backend) left the portfolio's table in the cache: the first visit is a hit.
    client = client_for(manager)
    with django_assert_num_queries(PAGES["portfolio"][1] - 6):
        response = client.get(urls(world)["portfolio"])
    assert e1(response).total.to_date_figure == D(5106)
    with django_assert_num_queries(PAGES["grant"][1] - 6):
        client.get(reverse("indicators:grant_performance", kwargs={"pk": world.grant_b.pk}))
