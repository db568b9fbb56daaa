"""Spending against time on the home page: active grants whose approved expenditure runs 20 or more points
behind or ahead of the time elapsed, per scope (an officer's own grants, the portfolio), never for grantees."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from grants.models import GrantStatus
from indicators.models import ReportingPeriod, SubmissionStatus
from indicators.selectors.spending import LIST_LIMIT, spending_card
from tests.conftest import login
from tests.factories import CountryProjectFactory, GrantFactory
from tests.indicator_factories import ReportingPeriodFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

# Grants of the factory run 1 January 2024 to 31 December 2027 (1,460 days): on 1 January 2026, 731 days in,
# 50.1 % of the time has elapsed.
TODAY = datetime.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def spend(grant, amounts, *, status=SubmissionStatus.APPROVED, country="GT"):
    """A country project of ``grant`` with one report per amount (earliest period first)."""
    project = CountryProjectFactory(grant=grant, country=country)
    for i, amount in enumerate(amounts):
        start = datetime.date(2024, 10, 1) + datetime.timedelta(days=190 * i)
        # The grant's periods are shared by its projects.
        period = ReportingPeriod.objects.filter(
            grant=grant, start_date=start
        ).first() or ReportingPeriodFactory(
            grant=grant, start_date=start, end_date=start + datetime.timedelta(days=180)
        )
        SubmissionFactory(
            country_project=project, period=period, status=status, cumulative_expenditure=amount
        )
    return project


def test_grants_out_of_step_are_listed_most_first_and_in_step_ones_left_out(manager, officer, org_a):
    behind = GrantFactory(award_number="IL-BEHIND", program_officer=officer, grantee=org_a)
    spend(behind, [Decimal("500000"), Decimal("1000000.00")])  # latest: 20.0 % of 5,000,000
    spend(behind, [Decimal("250000.00")], country="HN")  # + 5.0 %: 25.0 % against 50.1 %
    ahead = GrantFactory(award_number="IL-AHEAD", program_officer=officer, grantee=org_a)
    spend(ahead, [Decimal("4000000.00")])  # 80.0 %
    in_step = GrantFactory(award_number="IL-IN-STEP", program_officer=officer, grantee=org_a)
    spend(in_step, [Decimal("2000000.00")])  # 40.0 %: 10.1 points behind, under 20
    silent = GrantFactory(award_number="IL-SILENT", program_officer=officer, grantee=org_a)
    spend(silent, [Decimal("3000000.00")], status=SubmissionStatus.SUBMITTED)  # not approved: nothing yet
    closed = GrantFactory(award_number="IL-CLOSED", status=GrantStatus.CLOSEOUT)
    spend(closed, [Decimal("1.00")])

    card = spending_card(user=manager, today=TODAY)

    assert [
        (line.award_number, line.spent, line.burn_rate, line.time_elapsed, line.gap) for line in card.lines
    ] == [
        ("IL-SILENT", None, None, Decimal("50.1"), Decimal("50.1")),
        ("IL-AHEAD", Decimal("4000000.00"), Decimal("80.0"), Decimal("50.1"), Decimal("-29.9")),
        ("IL-BEHIND", Decimal("1250000.00"), Decimal("25.0"), Decimal("50.1"), Decimal("25.1")),
    ]
    assert (card.total, card.active, card.scope) == (3, 4, "The whole portfolio's active grants")
    assert [line.behind for line in card.lines] == [True, False, True]
    assert card.lines[0].url == reverse("grants:grant_detail", args=[silent.pk])
    assert card.lines[0].financial_url == (
        reverse("reports:preview") + f"?report_type=financial&formats=xlsx&grants={silent.pk}"
    )


def test_an_officer_sees_their_own_grants_and_a_grantee_no_card(officer, other_officer, grantee_a, org_a):
    mine = GrantFactory(award_number="IL-MINE", program_officer=officer, grantee=org_a)
    theirs = GrantFactory(award_number="IL-THEIRS", program_officer=other_officer, grantee=org_a)
    for grant in (mine, theirs):
        spend(grant, [Decimal("1.00")])

    card = spending_card(user=officer, today=TODAY)
    assert [line.award_number for line in card.lines] == ["IL-MINE"] and card.scope == "Your active grants"
    assert spending_card(user=grantee_a, today=TODAY) is None
    page = login(grantee_a).get(reverse("dashboard")).content.decode()
    assert 'data-testid="spending-card"' not in page and "Spending against time" not in page


def test_the_card_lists_the_first_few_and_counts_them_all(manager, monkeypatch):
    for i in range(LIST_LIMIT + 3):
        spend(GrantFactory(award_number=f"IL-{i:02d}"), [Decimal(1000 * (i + 1))])
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)

    page = login(manager).get(reverse("dashboard")).content.decode()

    card = spending_card(user=manager, today=TODAY)
    assert card.total == LIST_LIMIT + 3 and len(card.lines) == LIST_LIMIT
    assert 'data-testid="spending-count">11<' in page
    assert f"the {LIST_LIMIT} most out of step shown" in page
    assert "Spent 1,000 of 5,000,000 USD (0.0%) · 50.1% of the time elapsed" in page
    assert "50.1 points behind" in page


def test_the_gap_is_a_setting(manager, settings):
    spend(GrantFactory(award_number="IL-TEN"), [Decimal("2000000.00")])  # 10.1 points behind
    assert spending_card(user=manager, today=TODAY).total == 0
    settings.SPENDING_GAP_POINTS = 10
    assert [line.award_number for line in spending_card(user=manager, today=TODAY).lines] == ["IL-TEN"]


def test_two_queries_whatever_the_number_of_grants_then_none_from_the_cache(
    manager, django_assert_num_queries
):
    # The active grants, their projects with each one's latest approved expenditure.
    for i in range(25):
        spend(GrantFactory(), [Decimal(1000 + i), Decimal(2000 + i)])
    with django_assert_num_queries(2):
        first = spending_card(user=manager, today=TODAY)
    with django_assert_num_queries(0):
        again = spending_card(user=manager, today=TODAY)
    assert first == again and first.active == 25


def test_the_cards_financial_summary_link_opens_for_officers_and_managers(officer, manager, org_a):
    spend(GrantFactory(award_number="IL-OWN", program_officer=officer, grantee=org_a), [Decimal("1.00")])
    spend(GrantFactory(award_number="IL-OTHER"), [Decimal("2.00")])
    for user in (officer, manager):
        client = login(user)
        page = client.get(reverse("dashboard")).content.decode()
        link = reverse("reports:preview") + "?report_type=financial&amp;formats=xlsx"
        assert f'href="{link}"' in page
        preview = client.get(link.replace("&amp;", "&"))
        assert preview.status_code == 200 and "Financial summary" in preview.content.decode()
        # Each listed grant links to its own summary, by country project.
        line = spending_card(user=user, today=timezone.localdate()).lines[0]
        assert f'href="{line.financial_url.replace("&", "&amp;")}"' in page
        one = client.get(line.financial_url).content.decode()
        other = ({"IL-OWN", "IL-OTHER"} - {line.award_number}).pop()
        assert line.award_number in one and other not in one
