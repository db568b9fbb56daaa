"""The home dashboard: exact figures per scope (two organisations never mix), and a fixed query count."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import GrantStatus, MilestoneCategory, MilestoneStatus
from indicators.models import SubmissionTransition
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory
from tests.indicator_factories import ReportingPeriodFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def _due(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def portfolio(org_a, org_b, officer, other_officer) -> dict:
    a1 = GrantFactory(
        award_number="IL-A1", grantee=org_a, program_officer=officer, obligated_amount=Decimal("2000000.00")
    )
    a2 = GrantFactory(
        award_number="IL-A2",
        grantee=org_a,
        program_officer=officer,
        status=GrantStatus.SUSPENDED,
        obligated_amount=Decimal("1500000.00"),
        end_date=datetime.date(2026, 12, 31),
    )
    a3 = GrantFactory(
        award_number="IL-A3",
        grantee=org_a,
        program_officer=officer,
        status=GrantStatus.CLOSED,
        obligated_amount=Decimal("900000.00"),
    )
    b1 = GrantFactory(
        award_number="IL-B1",
        grantee=org_b,
        program_officer=other_officer,
        obligated_amount=Decimal("3250000.25"),
    )
    b2 = GrantFactory(
        award_number="IL-B2",
        grantee=org_b,
        program_officer=other_officer,
        status=GrantStatus.PIPELINE,
        obligated_amount=Decimal("1000000.00"),
    )
    a1_gt = CountryProjectFactory(grant=a1, country="GT", budget=Decimal("800000.50"))
    CountryProjectFactory(grant=a1, country="HN", budget=Decimal("700000.00"))
    CountryProjectFactory(grant=a2, country="GT", budget=Decimal("1000000.00"))
    a3_mx = CountryProjectFactory(grant=a3, country="MX", budget=Decimal("500000.00"))
    b1_ke = CountryProjectFactory(grant=b1, country="KE", budget=Decimal("3000000.00"))
    CountryProjectFactory(grant=b1, country="GT", budget=Decimal("200000.00"))
    CountryProjectFactory(grant=b2, country="KE", budget=Decimal("100000.00"))

    def ms(project, title: str, days: int, status: str = MilestoneStatus.PLANNED):
        completed_on = _due(days) if status == MilestoneStatus.COMPLETED else None
        return MilestoneFactory(
            country_project=project,
            title=title,
            due_date=_due(days),
            status=status,
            completed_on=completed_on,
        )

    ms(a1_gt, "A five days late", -5)
    ms(a1_gt, "A two days late", -2, MilestoneStatus.DELAYED)
    ms(a1_gt, "A due in three days", 3, MilestoneStatus.IN_PROGRESS)
    ms(a1_gt, "A due in forty days", 40)
    ms(a1_gt, "A completed", -10, MilestoneStatus.COMPLETED)
    ms(a1_gt, "A cancelled", -10, MilestoneStatus.CANCELLED)
    ms(a3_mx, "A closed grant's forgotten report", -100)
    ms(b1_ke, "B one day late", -1)
    ms(b1_ke, "B due in ten days", 10)
    ms(b1_ke, "B due today", 0)
    return {"a1": a1, "a2": a2, "a3": a3, "b1": b1, "b2": b2}


def _dash(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return response.context["dash"], response.content.decode()


def test_grantee_a_sees_exactly_its_organisations_figures(client_for, grantee_a, portfolio, settings):
    settings.DUE_SOON_DAYS = 30
    dash, page = _dash(client_for(grantee_a))
    k = dash.kpis
    assert (k.active_grants, k.active_obligated, k.countries) == (1, Decimal("2000000.00"), 2)
    assert (k.open_milestones, k.overdue_milestones, k.due_soon_milestones) == (5, 3, 1)
    assert [(r.code, r.amount, r.grants, r.percent_of_total) for r in dash.funding_by_country] == [
        ("GT", Decimal("1800000.50"), 2, Decimal("72.0")),
        ("HN", Decimal("700000.00"), 1, Decimal("28.0")),
    ]
    # Their "What's due" panel lists these milestones: no cards repeat them.
    assert dash.overdue is None and dash.due_soon is None
    assert 'data-testid="overdue-list"' not in page and 'data-testid="due-soon-list"' not in page
    assert "A five days late" in page and "A due in three days" in page
    assert dash.my_grants_title == "Our grants"
    assert [g.award_number for g in dash.my_grants] == [
        "IL-A2",
        "IL-A1",
    ]  # by end date; closed IL-A3 left out
    assert dash.status_counts == []
    # The other organisation leaves no trace on the page.
    for text in ("IL-B1", "IL-B2", "Kenya", "B one day late", "3,250,000"):
        assert text not in page
    assert 'data-testid="kpi-obligated">2,000,000<' in page


def test_grantee_b_sees_exactly_its_organisations_figures(client_for, grantee_b, portfolio, settings):
    settings.DUE_SOON_DAYS = 30
    dash, page = _dash(client_for(grantee_b))
    k = dash.kpis
    assert (k.active_grants, k.active_obligated, k.countries) == (1, Decimal("3250000.25"), 2)
    assert (k.open_milestones, k.overdue_milestones, k.due_soon_milestones) == (3, 1, 2)
    assert [(r.code, r.amount, r.grants) for r in dash.funding_by_country] == [
        ("KE", Decimal("3000000.00"), 1),
        ("GT", Decimal("200000.00"), 1),
    ]
    assert dash.due_soon is None and "B due in ten days" in page
    assert [g.award_number for g in dash.my_grants] == ["IL-B1", "IL-B2"]
    for text in ("IL-A1", "IL-A2", "Honduras", "A five days late", "2,000,000"):
        assert text not in page


def test_manager_sees_the_whole_portfolio_and_status_counts(client_for, manager, portfolio):
    dash, page = _dash(client_for(manager))
    k = dash.kpis
    assert (k.active_grants, k.active_obligated, k.countries) == (2, Decimal("5250000.25"), 3)
    assert (k.open_milestones, k.overdue_milestones) == (8, 4)
    assert [(r.code, r.amount) for r in dash.funding_by_country] == [
        ("KE", Decimal("3000000.00")),
        ("GT", Decimal("2000000.50")),
        ("HN", Decimal("700000.00")),
    ]
    assert dash.funding_max == Decimal("3000000.00")
    assert dash.my_grants_title == "" and dash.my_grants == []
    counts = {s.status: (s.grants, s.amount) for s in dash.status_counts}
    assert counts["active"] == (2, Decimal("5250000.25"))
    assert counts["suspended"] == (1, Decimal("1500000.00"))
    assert counts["terminated"] == (0, Decimal("0.00"))
    assert "Portfolio by status" in page
    assert 'max="3000000.00" value="2000000.50"' in page  # the proportional bar


def test_officer_sees_their_own_grants(client_for, officer, other_officer, portfolio):
    dash, page = _dash(client_for(officer))
    assert dash.my_grants_title == "My grants"
    assert [(g.award_number, g.open_milestones, g.overdue_milestones) for g in dash.my_grants] == [
        ("IL-A2", 0, 0),
        ("IL-A1", 4, 2),
    ]
    assert dash.my_grants_total == 2
    table = page.split('data-testid="my-grants"', 1)[1].split("</table>", 1)[0]
    assert "IL-A1" in table and "IL-A2" in table and "IL-B1" not in table
    dash, _ = _dash(client_for(other_officer))
    assert [g.award_number for g in dash.my_grants] == ["IL-B1", "IL-B2"]


def test_overdue_list_shows_the_ten_most_overdue_and_the_full_count(client_for, manager, world):
    for days in range(1, 16):
        MilestoneFactory(country_project=world.project_a, title=f"late {days}", due_date=_due(-days))
    dash, page = _dash(client_for(manager))
    assert dash.kpis.overdue_milestones == 15 + 2  # the world's two milestones are long overdue too
    assert len(dash.overdue) == 10
    days = [i.days for i in dash.overdue]
    assert days == sorted(days, reverse=True)
    assert "All 17 overdue milestones" in page


def test_empty_portfolio_shows_zeroes(client_for, grantee_a):
    dash, page = _dash(client_for(grantee_a))
    assert (dash.kpis.active_grants, dash.kpis.active_obligated, dash.kpis.countries) == (
        0,
        Decimal("0.00"),
        0,
    )
    assert dash.funding_by_country == [] and "Nothing overdue or due soon." in page


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _count(client) -> int:
    """Queries of the home page with the timeliness card not yet cached (as on its first view of the day)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("dashboard"))
    return len(ctx.captured_queries)


# Queries of the home page per persona, whatever the size of the portfolio. Common to all (8): session, user,
# grants by status, countries, milestone figures, funding by country, reporting: periods due and report figures.
# Then the overdue list (managers only), the due-soon list (not grantees), my grants (not for managers: their
# status table comes from the grants by status). "What's due": the three of due_items (report pairs, their
# submissions, milestones; for the grantee the pairs are of open started periods only), plus the staff's waiting
# reviews (4); the manager's is portfolio-wide and cached briefly (none once cached). The timeliness card (4,
# none once cached): report pairs, submissions, milestones, review trail. Then per persona: the grantee's
# organisation in the header (+1); the officer's own grant ids for the timeliness card (+1, none once cached).
# Office staff's spending card: the active grants and their projects' latest expenditure (2, none once cached).
QUERIES = {"officer": 21, "grantee_a": 17, "manager": 20}
# Served again: the timeliness and spending cards, and the manager's "what's due", come from the cache.
CACHED = {"officer": 7, "grantee_a": 4, "manager": 10}


@pytest.mark.parametrize("persona", ["officer", "grantee_a", "manager"])
def test_query_count_does_not_grow_with_the_portfolio(
    request, client_for, portfolio, org_a, officer, grantee_a, persona, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))

    def seed(i: int) -> None:
        grant = GrantFactory(award_number=f"IL-X{i:03d}", grantee=org_a, program_officer=officer)
        project = CountryProjectFactory(grant=grant, budget=Decimal("1000.00"))
        MilestoneFactory(country_project=project, due_date=_due(-i))
        MilestoneFactory(country_project=project, due_date=_due(i), category=MilestoneCategory.BASELINE)
        period = ReportingPeriodFactory(
            grant=grant, start_date=_due(-200), end_date=_due(-20 + i), due_date=_due(-5 + i)
        )
        if i % 2:
            submission = SubmissionFactory(
                country_project=project, period=period, created_by=grantee_a, status="submitted"
            )
            SubmissionTransition.objects.create(
                submission=submission, from_status="draft", to_status="submitted", actor=grantee_a
            )

    # Two grants first, so that every query (reports, submissions, reviews) already runs in the small case.
    seed(0)
    seed(1)
    small = _count(client)
    for i in range(2, 22):  # 22 grants: "my grants" (25 shown) stays uncut, so no count query
        seed(i)
    cache.clear()
    with django_assert_max_num_queries(QUERIES[persona]):
        dash, _ = _dash(client)
    assert _count(client) == small
    with django_assert_max_num_queries(QUERIES[persona] - CACHED[persona]):
        _dash(client)
    # Only the manager's page has the overdue card (the others' "What's due" lists those milestones).
    if persona == "manager":
        assert len(dash.overdue) == 10
    else:
        assert dash.overdue is None
