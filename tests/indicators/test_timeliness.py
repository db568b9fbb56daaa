"""Timeliness figures computed by hand from a small grant with known dates, and the /timeliness/ page."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grants.models import MilestoneCategory, MilestoneStatus
from indicators.models import Submission, SubmissionStatus, SubmissionTransition
from indicators.selectors.deadlines import timeliness_figures
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory
from tests.indicator_factories import ReportingPeriodFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 15)
D = datetime.date


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12, 0))


def report(project, period, actor, trail: list[tuple[str, datetime.date]]) -> Submission:
    """A submission that went through ``trail`` (to status, day); transition ``at`` is auto_now_add, so it
    is set after creation."""
    status = trail[-1][0] if trail else SubmissionStatus.DRAFT
    submission = SubmissionFactory(country_project=project, period=period, created_by=actor, status=status)
    previous = SubmissionStatus.DRAFT
    for to_status, day in trail:
        transition = SubmissionTransition.objects.create(
            submission=submission, from_status=previous, to_status=to_status, actor=actor
        )
        SubmissionTransition.objects.filter(pk=transition.pk).update(at=_at(day))
        previous = to_status
    return submission


@pytest.fixture
def known(org_a, org_b, officer, other_officer, grantee_a, grantee_b) -> dict:
    grant = GrantFactory(award_number="IL-KNOWN", grantee=org_a, program_officer=officer)
    project = CountryProjectFactory(grant=grant, country="GT")

    def period(start: D, end: D, due: D):
        return ReportingPeriodFactory(grant=grant, start_date=start, end_date=end, due_date=due)

    p1 = period(D(2024, 1, 1), D(2024, 3, 31), D(2024, 4, 30))
    p2 = period(D(2024, 4, 1), D(2024, 9, 30), D(2024, 10, 30))
    p3 = period(D(2024, 10, 1), D(2025, 3, 31), D(2025, 4, 30))
    period(D(2025, 4, 1), D(2025, 9, 30), D(2025, 10, 30))  # due in the future, not submitted
    S, A, R = SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED, SubmissionStatus.RETURNED
    # Submitted on its due date: on time. Reviewed in 10 days.
    report(project, p1, grantee_a, [(S, D(2024, 4, 30)), (A, D(2024, 5, 10))])
    # First submitted 5 days late, returned after 3 days, resubmitted, approved after 1 day.
    report(
        project,
        p2,
        grantee_a,
        [(S, D(2024, 11, 4)), (R, D(2024, 11, 7)), (S, D(2024, 11, 20)), (A, D(2024, 11, 21))],
    )
    # A draft past due: late by today - due = 46 days.
    report(project, p3, grantee_a, [])

    def ms(category, due: D, completed: D | None = None, status=MilestoneStatus.PLANNED):
        if completed is not None:
            status = MilestoneStatus.COMPLETED
        MilestoneFactory(
            country_project=project, category=category, due_date=due, completed_on=completed, status=status
        )

    ms(MilestoneCategory.BASELINE, D(2024, 6, 30), D(2024, 6, 20))  # on time
    ms(MilestoneCategory.WORK_PLAN, D(2024, 3, 1), D(2024, 3, 9))  # 8 days late
    ms(MilestoneCategory.CMEP, D(2025, 5, 1))  # open, 45 days late
    ms(MilestoneCategory.TECHNICAL_REPORT, D(2024, 5, 1), status=MilestoneStatus.CANCELLED)  # excluded
    ms(MilestoneCategory.FINAL_EVALUATION, D(2026, 1, 1))  # future: not counted
    ms(MilestoneCategory.ACTIVITY, D(2024, 2, 1))  # not a deliverable: excluded

    other = GrantFactory(award_number="IL-OTHER", grantee=org_b, program_officer=other_officer)
    other_project = CountryProjectFactory(grant=other, country="KE")
    q1 = ReportingPeriodFactory(
        grant=other, start_date=D(2024, 7, 1), end_date=D(2024, 12, 31), due_date=D(2025, 1, 31)
    )
    # Early, reviewed in 2 days.
    report(other_project, q1, grantee_b, [(S, D(2025, 1, 20)), (A, D(2025, 1, 22))])
    return {"grant": grant, "other": other}


def test_every_figure_of_the_known_grant(manager, known):
    figures = timeliness_figures(user=manager, today=TODAY)
    (row,) = [g for g in figures.by_grant if g.grant_id == known["grant"].pk]
    t = row.timeliness
    # Reports: P1 on time (submitted on the due date), P2 late by its first submission (5), P3 open and 46
    # days late; P4 is due in the future and not submitted, so not counted.
    assert (t.reports_counted, t.reports_on_time, t.reports_on_time_percent) == (3, 1, Decimal("33.3"))
    # Deliverables: baseline on time, work plan 8 late, CMEP open 45 late; the cancelled report, the future
    # evaluation and the plain activity are not counted.
    assert (t.deliverables_counted, t.deliverables_on_time, t.deliverables_on_time_percent) == (
        3,
        1,
        Decimal("33.3"),
    )
    # Late: 5, 8, 45, 46: an even count, so the median is (8 + 45) / 2.
    assert (t.late_count, t.median_days_late) == (4, Decimal("26.5"))
    # Reviews: 10 (P1), 3 (P2 returned), 1 (P2 resubmitted): median 3.
    assert (t.reviews_counted, t.median_review_days) == (3, Decimal("3.0"))


def test_portfolio_figures_add_the_other_grant(manager, known):
    t = timeliness_figures(user=manager, today=TODAY).portfolio
    assert (t.reports_counted, t.reports_on_time, t.reports_on_time_percent) == (4, 2, Decimal("50.0"))
    assert (t.deliverables_counted, t.deliverables_on_time) == (3, 1)
    assert (t.late_count, t.median_days_late) == (4, Decimal("26.5"))
    # Reviews 10, 3, 1, 2: median (2 + 3) / 2.
    assert (t.reviews_counted, t.median_review_days) == (4, Decimal("2.5"))


def test_a_report_submitted_after_its_due_date_passes_is_counted_once_due(manager, known):
    # The day the future period falls due it is still not late; the day after, it is 1 day late.
    on_due = timeliness_figures(user=manager, today=D(2025, 10, 30), grant_ids=[known["grant"].pk]).portfolio
    after = timeliness_figures(user=manager, today=D(2025, 10, 31), grant_ids=[known["grant"].pk]).portfolio
    assert on_due.reports_counted == 3 and after.reports_counted == 4
    assert after.reports_on_time == 1


def test_grantee_figures_cover_only_its_organisation(grantee_b, known):
    figures = timeliness_figures(user=grantee_b, today=TODAY)
    assert [g.award_number for g in figures.by_grant] == ["IL-OTHER"]
    assert (figures.portfolio.reports_counted, figures.portfolio.reports_on_time) == (1, 1)


def _freeze(monkeypatch) -> None:
    """The page computes "as of today": make today the fixture's day, for the page's own call only."""
    real = timezone.localdate
    monkeypatch.setattr(
        "indicators.views.timeliness_views.timezone.localdate",
        lambda value=None, timezone=None: TODAY if value is None else real(value, timezone),
    )


# --- the page ----------------------------------------------------------------------------------------------------


def _page(client, query: str = ""):
    response = client.get(reverse("indicators:timeliness") + query)
    assert response.status_code == 200
    return response, response.content.decode()


def test_page_shows_each_grant_and_the_totals(client_for, manager, known, monkeypatch):
    _freeze(monkeypatch)
    response, page = _page(client_for(manager))
    rows = {row.award_number: row for row in response.context["table"].data}
    assert set(rows) == {"IL-KNOWN", "IL-OTHER"}
    assert rows["IL-KNOWN"].timeliness.median_days_late == Decimal("26.5")
    assert "1 of 3 (33.3%)" in page
    totals = page.split('data-testid="timeliness-totals"', 1)[1].split("</section>", 1)[0]
    assert "50.0%" in totals and "2 of 4" in totals and "2.5" in totals


def test_grantee_sees_only_its_grants_and_cannot_pick_another_organisation(
    client_for, grantee_a, known, org_b
):
    client = client_for(grantee_a)
    response, page = _page(client)
    assert [row.award_number for row in response.context["table"].data] == ["IL-KNOWN"]
    assert "IL-OTHER" not in page and "grantee" not in response.context["filter"].form.fields
    response, page = _page(client, f"?officer={known['other'].program_officer_id}")
    assert list(response.context["table"].data) == []  # another organisation's officer is not a choice
    assert "IL-OTHER" not in page


def test_filters_by_country_officer_and_grantee(client_for, manager, known, other_officer, org_b):
    client = client_for(manager)
    for query in ("?country=KE", f"?officer={other_officer.pk}", f"?grantee={org_b.pk}"):
        response, _ = _page(client, query)
        assert [row.award_number for row in response.context["table"].data] == ["IL-OTHER"], query


def test_a_country_filter_counts_only_the_grants_projects_in_that_country(
    client_for, manager, known, grantee_a, monkeypatch
):
    """The known grant also runs in Honduras, where its one report was submitted on time: with the Guatemala
    filter it does not count, without a filter it does."""
    _freeze(monkeypatch)
    honduras = CountryProjectFactory(grant=known["grant"], country="HN")
    first = known["grant"].reporting_periods.order_by("start_date").first()
    report(honduras, first, grantee_a, [(SubmissionStatus.SUBMITTED, D(2024, 4, 1))])
    client = client_for(manager)
    everywhere, _ = _page(client)
    (row,) = [r for r in everywhere.context["table"].data if r.award_number == "IL-KNOWN"]
    guatemala, _ = _page(client, "?country=GT")
    (gt_row,) = guatemala.context["table"].data
    assert gt_row.timeliness.reports_counted == 3
    # Honduras runs in every period of the grant too: three more past-due reports, one of them on time.
    assert (row.timeliness.reports_counted, row.timeliness.reports_on_time) == (6, 2)


def test_sorting_by_reports_on_time(client_for, manager, known, monkeypatch):
    _freeze(monkeypatch)
    response, _ = _page(client_for(manager), "?sort=-reports")
    assert [row.award_number for row in response.context["table"].page.object_list.data] == [
        "IL-OTHER",
        "IL-KNOWN",
    ]


def test_export_xlsx_has_the_figures(client_for, manager, known, monkeypatch):
    _freeze(monkeypatch)
    response = client_for(manager).get(reverse("indicators:timeliness_export", args=["xlsx"]) + "?country=GT")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:6] == ("IL-KNOWN", rows[1][1], rows[1][2], 3, 1, 33.3)
    assert rows[1][10] == 26.5 and len(rows) == 2


def test_unknown_export_format_is_404(client_for, manager):
    response = client_for(manager).get(reverse("indicators:timeliness_export", args=["pdf"]))
    assert response.status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("indicators:timeliness"))
    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["manager", "grantee_a"])
def test_page_query_count_does_not_grow(
    request, client_for, org_a, officer, persona, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(persona))
    for i in range(22):
        grant = GrantFactory(award_number=f"IL-T{i:03d}", grantee=org_a, program_officer=officer)
        project = CountryProjectFactory(grant=grant)
        period = ReportingPeriodFactory(
            grant=grant, start_date=D(2024, 1, 1), end_date=D(2024, 6, 30), due_date=D(2024, 7, 30)
        )
        MilestoneFactory(country_project=project, category=MilestoneCategory.BASELINE, due_date=D(2024, 5, 1))
        report(project, period, officer, [(SubmissionStatus.SUBMITTED, D(2024, 7, 1))])
    # session, user, (grantee: organisation in the header), the filter's choice lists (officers, grantees
    # for staff), the grants, and timeliness_figures: report pairs, submissions, milestones, review trail.
    with django_assert_max_num_queries(10):
        response, _ = _page(client)
    assert len(response.context["table"].data) == 22
