"""The home page's "what's due" per role: the right items for grantee, officer and manager, and nothing of
another organisation."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from grants.models import MilestoneCategory, MilestoneStatus
from indicators.models import PeriodStatus, SubmissionStatus, SubmissionTransition
from indicators.selectors.whats_due import LIST_LIMIT, timeliness_card, whats_due
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory
from tests.indicator_factories import ReportingPeriodFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _d(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def due(org_a, org_b, officer, other_officer, grantee_a, grantee_b, settings) -> dict:
    """Grant A (officer, org A) in Guatemala and Honduras, grant B (other officer, org B) in Kenya."""
    settings.DUE_SOON_DAYS = 30
    a = GrantFactory(
        award_number="IL-A", grantee=org_a, program_officer=officer, start_date=_d(-1000), end_date=_d(1000)
    )
    gt = CountryProjectFactory(grant=a, country="GT")
    # Honduras starts late: it runs only in the current period.
    hn = CountryProjectFactory(grant=a, country="HN", start_date=_d(-55))

    def period(grant, start, end, due_in, status=PeriodStatus.OPEN, label=""):
        return ReportingPeriodFactory(
            grant=grant,
            start_date=_d(start),
            end_date=_d(end),
            due_date=_d(due_in),
            status=status,
            label=label or f"P{due_in}",
        )

    period(a, -900, -800, -770, PeriodStatus.CLOSED, "Closed long ago")
    returned = period(a, -400, -330, -300, label="Returned period")
    period(a, -200, -60, -30, label="Late period")
    current = period(a, -50, 100, 130, label="Current period")
    period(a, 101, 280, 310, label="Future period")
    SubmissionFactory(
        country_project=gt, period=returned, created_by=grantee_a, status=SubmissionStatus.RETURNED
    )
    SubmissionFactory(country_project=gt, period=current, created_by=grantee_a, status=SubmissionStatus.DRAFT)
    waiting = SubmissionFactory(
        country_project=hn,
        period=current,
        created_by=grantee_a,
        status=SubmissionStatus.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=2),
    )
    transition = SubmissionTransition.objects.create(
        submission=waiting,
        from_status=SubmissionStatus.DRAFT,
        to_status=SubmissionStatus.SUBMITTED,
        actor=grantee_a,
    )
    SubmissionTransition.objects.filter(pk=transition.pk).update(at=waiting.submitted_at)

    def ms(project, title, due_in, category=MilestoneCategory.ACTIVITY, status=MilestoneStatus.PLANNED):
        completed = _d(due_in) if status == MilestoneStatus.COMPLETED else None
        MilestoneFactory(
            country_project=project,
            title=title,
            due_date=_d(due_in),
            category=category,
            status=status,
            completed_on=completed,
        )

    ms(gt, "Baseline study", 5, MilestoneCategory.BASELINE)
    ms(gt, "Teacher training", -3)
    ms(gt, "Community fair", 40)
    ms(gt, "Work plan", -10, MilestoneCategory.WORK_PLAN, MilestoneStatus.COMPLETED)
    ms(gt, "Dropped visit", -2, MilestoneCategory.SITE_VISIT, MilestoneStatus.CANCELLED)

    b = GrantFactory(
        award_number="IL-B",
        grantee=org_b,
        program_officer=other_officer,
        start_date=_d(-1000),
        end_date=_d(1000),
    )
    ke = CountryProjectFactory(grant=b, country="KE")
    period(b, -100, -40, -10, label="Kenya period")
    ms(ke, "Kenya CMEP", -1, MilestoneCategory.CMEP)
    return {"a": a, "b": b}


def _titles(due_list) -> list[tuple[str, str, int]]:
    return [(item.title, item.country, item.days_left) for item in due_list.items]


def test_grantee_sees_open_started_reports_and_its_deliverables_due(grantee_a, due):
    result = whats_due(user=grantee_a, today=TODAY)
    assert result.role == "grantee"
    # Closed and future periods, and the submitted Honduras report, are left out.
    assert [(i.title, i.country, i.days_left, i.status_label) for i in result.reports.items] == [
        ("Report for Returned period", "GT", -300, "Returned with comments"),
        ("Report for Late period", "GT", -30, "Not started"),
        ("Report for Current period", "GT", 130, "Draft"),
    ]
    # Completed, cancelled and later ones are left out.
    assert _titles(result.upcoming) == [("Teacher training", "GT", -3), ("Baseline study", "GT", 5)]


def test_grantee_of_the_other_organisation_sees_only_its_own(grantee_b, due):
    result = whats_due(user=grantee_b, today=TODAY)
    assert _titles(result.reports) == [("Report for Kenya period", "KE", -10)]
    assert _titles(result.upcoming) == [("Kenya CMEP", "KE", -1)]


def test_officer_sees_the_late_items_of_their_grants_and_reviews_waiting(officer, other_officer, due):
    result = whats_due(user=officer, today=TODAY)
    assert _titles(result.late) == [
        ("Report for Closed long ago", "GT", -770),
        ("Report for Returned period", "GT", -300),
        ("Report for Late period", "GT", -30),
        ("Teacher training", "GT", -3),
    ]
    assert [(r.award_number, r.period_label, r.days_waiting) for r in result.reviews.items] == [
        ("IL-A", "Current period", 2)
    ]
    other = whats_due(user=other_officer, today=TODAY)
    assert _titles(other.late) == [("Report for Kenya period", "KE", -10), ("Kenya CMEP", "KE", -1)]
    assert other.reviews.total == 0


def test_manager_counts_by_country_and_officer_with_calendar_links(manager, due):
    result = whats_due(user=manager, today=TODAY)
    assert [(r.key, r.overdue, r.due_soon, r.waiting) for r in result.by_country] == [
        ("GT", 4, 1, 0),
        ("KE", 2, 0, 0),
        ("HN", 0, 0, 1),
    ]
    assert [(r.name, r.overdue, r.due_soon, r.waiting) for r in result.by_officer] == [
        ("Olivia Officer", 4, 1, 1),
        ("Omar Other", 2, 0, 0),
    ]
    (kenya,) = [r for r in result.by_country if r.key == "KE"]
    assert kenya.overdue_url == "/calendar/?view=list&country=KE&state=overdue"
    assert (result.totals.overdue, result.totals.due_soon, result.totals.waiting) == (6, 1, 1)


def test_administrator_sees_the_managers_panel(admin_user, due):
    assert whats_due(user=admin_user, today=TODAY).role == "manager"


def test_long_lists_are_cut_with_the_full_count(officer, due):
    project = due["a"].country_projects.get(country="GT")
    for days in range(1, 13):
        MilestoneFactory(country_project=project, title=f"late {days}", due_date=_d(-days))
    result = whats_due(user=officer, today=TODAY)
    assert len(result.late.items) == LIST_LIMIT
    assert result.late.total == 16 and result.late.more == 6
    assert result.late.more_url == f"/calendar/?view=list&officer={officer.pk}&state=overdue"


def test_dashboard_shows_the_grantees_items_and_not_the_other_organisations(client_for, grantee_a, due):
    page = client_for(grantee_a).get(reverse("dashboard")).content.decode()
    panel = page.split('data-testid="whats-due"', 1)[1].split("</section>", 1)[0]
    assert "Report for Late period" in panel and "30 days late" in panel and "Not started" in panel
    assert "130 days left" in panel and "Baseline study" in panel and "5 days left" in panel
    assert "Kenya" not in page and "IL-B" not in page


def test_dashboard_shows_the_managers_count_tables(client_for, manager, due):
    page = client_for(manager).get(reverse("dashboard")).content.decode()
    table = page.split('data-testid="due-by-country"', 1)[1].split("</table>", 1)[0]
    assert 'href="/calendar/?view=list&amp;country=KE&amp;state=overdue">2</a>' in table
    assert "Honduras" in table


def test_the_timeliness_card_is_computed_once_per_scope_and_day(manager, django_assert_num_queries):
    today = datetime.date(2025, 5, 10)
    first = timeliness_card(user=manager, today=today)
    with django_assert_num_queries(0):
        again = timeliness_card(user=manager, today=today)
    assert again == first


def test_the_managers_panel_is_computed_once_for_a_while_and_says_when(
    client_for, manager, due, django_assert_num_queries
):
    first = whats_due(user=manager, today=TODAY)
    with django_assert_num_queries(0):
        again = whats_due(user=manager, today=TODAY)
    assert again == first and first.computed_at is not None
    page = client_for(manager).get(reverse("dashboard")).content.decode()
    assert 'data-testid="due-computed-at">Figures as of ' in page


def test_an_officers_panel_is_never_cached(officer, due):
    before = whats_due(user=officer, today=TODAY).late.total
    project = due["a"].country_projects.get(country="GT")
    MilestoneFactory(country_project=project, title="Late since yesterday", due_date=_d(-1))
    after = whats_due(user=officer, today=TODAY)
    assert after.late.total == before + 1 and after.computed_at is None
