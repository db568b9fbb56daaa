"""indicators.selectors.deadlines against the database: which obligations exist, their states and dates, who sees
them, and constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from grants.models import MilestoneCategory, MilestoneStatus
from indicators.deadlines import DueKind, DueState
from indicators.models import PeriodStatus, SubmissionStatus, SubmissionTransition
from indicators.selectors.deadlines import (
    DueFilters,
    due_items,
    due_items_head,
    review_days,
    waiting_reviews,
)
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory
from tests.indicator_factories import ReportingPeriodFactory, SubmissionFactory

TODAY = datetime.date(2025, 5, 10)


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _transition(submission, to_status: str, day: datetime.date, actor) -> None:
    row = SubmissionTransition.objects.create(submission=submission, to_status=to_status, actor=actor)
    SubmissionTransition.objects.filter(pk=row.pk).update(at=_at(day))


@pytest.fixture
def periods(world):
    """Two periods of grant A (the first due 30 Apr 2025, passed; the second due 30 Oct 2025) and one of B."""
    first = ReportingPeriodFactory(
        grant=world.grant_a, start_date=datetime.date(2024, 10, 1), end_date=datetime.date(2025, 3, 31)
    )
    second = ReportingPeriodFactory(
        grant=world.grant_a, start_date=datetime.date(2025, 4, 1), end_date=datetime.date(2025, 9, 30)
    )
    other = ReportingPeriodFactory(
        grant=world.grant_b, start_date=datetime.date(2024, 10, 1), end_date=datetime.date(2025, 3, 31)
    )
    return first, second, other


def test_every_project_and_period_pair_is_an_obligation_whether_or_not_a_report_was_started(
    world, periods, manager
):
    first, second, other = periods
    items = due_items(user=manager, today=TODAY, filters=DueFilters(kinds=frozenset({DueKind.REPORT})))
    assert [(i.key, i.due_date, i.state, i.status_label) for i in items] == [
        (f"report:{world.project_a.pk}:{first.pk}", first.due_date, DueState.OVERDUE, "Not started"),
        (f"report:{world.project_b.pk}:{other.pk}", other.due_date, DueState.OVERDUE, "Not started"),
        (f"report:{world.project_a.pk}:{second.pk}", second.due_date, DueState.UPCOMING, "Not started"),
    ]
    assert items[0].days_left == -10 and items[0].days_late == 10
    assert items[0].url == f"/projects/{world.project_a.pk}/reporting/#period-{first.pk}"
    assert (items[0].award_number, items[0].country_name, items[0].grantee_name) == (
        "IL-11111-24-75-K",
        "Guatemala",
        "APN",
    )
    assert items[0].officer_name == "Olivia Officer"


def test_a_project_that_does_not_run_during_a_period_owes_no_report_for_it(world, periods, manager):
    first, second, _ = periods
    late_start = CountryProjectFactory(
        grant=world.grant_a, country="HN", start_date=datetime.date(2025, 4, 1)
    )
    keys = {i.key for i in due_items(user=manager, today=TODAY)}
    assert f"report:{late_start.pk}:{second.pk}" in keys
    assert f"report:{late_start.pk}:{first.pk}" not in keys


def test_a_returned_report_is_open_again_but_keeps_its_first_submission_date(
    world, periods, manager, grantee_a
):
    first, _, _ = periods
    report = SubmissionFactory(
        country_project=world.project_a, period=first, status=SubmissionStatus.RETURNED, created_by=grantee_a
    )
    _transition(report, SubmissionStatus.SUBMITTED, datetime.date(2025, 4, 28), grantee_a)
    _transition(report, SubmissionStatus.RETURNED, datetime.date(2025, 5, 2), manager)
    item = next(i for i in due_items(user=manager, today=TODAY) if i.key.endswith(f":{first.pk}"))
    assert (item.state, item.done_on, item.first_done_on) == (
        DueState.OVERDUE,
        None,
        datetime.date(2025, 4, 28),
    )
    assert item.days_late is None  # first submitted before its due date: not late
    assert item.status_label == "Returned with comments"
    assert item.url == f"/submissions/{report.pk}/"


def test_a_submitted_report_is_done_on_its_first_submission(world, periods, manager, grantee_a):
    first, _, _ = periods
    report = SubmissionFactory(
        country_project=world.project_a, period=first, status=SubmissionStatus.SUBMITTED, created_by=grantee_a
    )
    _transition(report, SubmissionStatus.SUBMITTED, datetime.date(2025, 5, 4), grantee_a)
    item = next(i for i in due_items(user=manager, today=TODAY) if i.key.endswith(f":{first.pk}"))
    assert (item.state, item.done_on, item.days_late) == (DueState.DONE, datetime.date(2025, 5, 4), 4)


def test_milestones_are_deliverables_or_milestones_and_cancelled_ones_are_no_obligation(world, manager):
    deliverable = MilestoneFactory(
        country_project=world.project_a,
        category=MilestoneCategory.WORK_PLAN,
        due_date=datetime.date(2025, 5, 20),
    )
    MilestoneFactory(country_project=world.project_a, status=MilestoneStatus.CANCELLED)
    done = MilestoneFactory(
        country_project=world.project_a,
        status=MilestoneStatus.COMPLETED,
        completed_on=datetime.date(2025, 7, 1),
        due_date=datetime.date(2025, 6, 30),
    )
    items = {i.key: i for i in due_items(user=manager, today=TODAY)}
    assert items[f"milestone:{deliverable.pk}"].kind == DueKind.DELIVERABLE
    assert items[f"milestone:{deliverable.pk}"].state == DueState.DUE_SOON
    assert items[f"milestone:{done.pk}"].state == DueState.DONE
    assert items[f"milestone:{done.pk}"].days_late == 1
    assert items[f"milestone:{world.milestone_a.pk}"].kind == DueKind.MILESTONE
    assert len(items) == 4  # the two world milestones, the deliverable and the completed one

    only_deliverables = due_items(
        user=manager, today=TODAY, filters=DueFilters(kinds=frozenset({DueKind.DELIVERABLE}))
    )
    assert [i.key for i in only_deliverables] == [f"milestone:{deliverable.pk}"]
    only_milestones = due_items(
        user=manager, today=TODAY, filters=DueFilters(kinds=frozenset({DueKind.MILESTONE}))
    )
    assert {i.kind for i in only_milestones} == {DueKind.MILESTONE}


def test_a_grantee_sees_only_its_organisations_due_dates(world, periods, grantee_a, grantee_b):
    a_items = due_items(user=grantee_a, today=TODAY)
    assert a_items and {i.grantee_id for i in a_items} == {world.grant_a.grantee_id}
    # Asking for the other organisation by filter gives nothing, never its items.
    sneaky = due_items(user=grantee_a, today=TODAY, filters=DueFilters(grantee_id=world.grant_b.grantee_id))
    assert sneaky == []
    assert {i.grantee_id for i in due_items(user=grantee_b, today=TODAY)} == {world.grant_b.grantee_id}


def test_date_range_state_and_country_filters(world, periods, manager):
    _first, second, _ = periods
    items = due_items(
        user=manager,
        today=TODAY,
        start=datetime.date(2025, 10, 1),
        end=datetime.date(2025, 10, 31),
        filters=DueFilters(country="GT"),
    )
    assert [i.key for i in items] == [f"report:{world.project_a.pk}:{second.pk}"]
    overdue = due_items(user=manager, today=TODAY, filters=DueFilters(states=frozenset({DueState.OVERDUE})))
    assert {i.state for i in overdue} == {DueState.OVERDUE} and len(
        overdue
    ) == 2  # the two reports due 30 Apr
    by_officer = due_items(
        user=manager, today=TODAY, filters=DueFilters(officer_id=world.grant_b.program_officer_id)
    )
    assert {i.grant_id for i in by_officer} == {world.grant_b.pk}


def test_due_items_query_count_does_not_grow_with_the_portfolio(
    world, periods, manager, django_assert_max_num_queries
):
    for _n in range(20):
        grant = GrantFactory()
        project = CountryProjectFactory(grant=grant)
        ReportingPeriodFactory(grant=grant)
        MilestoneFactory(country_project=project, category=MilestoneCategory.BASELINE)
        SubmissionFactory(country_project=project, period=grant.reporting_periods.get())
    # Report pairs, the pairs' reports with their first submission, milestones.
    with django_assert_max_num_queries(3):
        items = due_items(user=manager, today=TODAY)
    assert (
        len(items) == 3 + 2 + 20 * 2
    )  # grant A and B reports, their milestones, a report and a deliverable each


def test_waiting_reviews_longest_first_and_only_visible(world, periods, manager, officer, grantee_a):
    first, _second, other = periods
    newer = SubmissionFactory(
        country_project=world.project_a, period=first, status=SubmissionStatus.SUBMITTED
    )
    older = SubmissionFactory(
        country_project=world.project_b, period=other, status=SubmissionStatus.SUBMITTED
    )
    type(newer).objects.filter(pk=newer.pk).update(submitted_at=_at(datetime.date(2025, 5, 8)))
    type(older).objects.filter(pk=older.pk).update(submitted_at=_at(datetime.date(2025, 5, 1)))
    assert [(r.submission_id, r.days_waiting) for r in waiting_reviews(user=manager, today=TODAY)] == [
        (older.pk, 9),
        (newer.pk, 2),
    ]
    assert [r.submission_id for r in waiting_reviews(user=manager, today=TODAY, officer_id=officer.pk)] == [
        newer.pk
    ]
    assert [r.submission_id for r in waiting_reviews(user=grantee_a, today=TODAY)] == [newer.pk]


def test_review_days_pair_each_submission_with_the_next_decision():
    at = _at
    rows = [
        (1, 10, "submitted", at(datetime.date(2025, 5, 1))),
        (1, 10, "returned", at(datetime.date(2025, 5, 4))),
        (1, 10, "submitted", at(datetime.date(2025, 5, 6))),
        (1, 10, "approved", at(datetime.date(2025, 5, 16))),
        (2, 11, "submitted", at(datetime.date(2025, 5, 9))),  # still waiting: not counted
        (3, 11, "approved", at(datetime.date(2025, 5, 9))),  # no submission before it: not counted
    ]
    assert review_days(rows) == {10: [3, 10]}


@pytest.mark.parametrize(
    "states",
    [
        {DueState.OVERDUE},
        {DueState.DUE_SOON},
        {DueState.UPCOMING},
        {DueState.DONE},
        {DueState.OVERDUE, DueState.DUE_SOON},
        {DueState.DUE_SOON, DueState.UPCOMING},
        {DueState.OVERDUE, DueState.UPCOMING},
    ],
)
def test_a_state_filter_narrowed_in_the_database_finds_exactly_the_items_in_those_states(
    world, periods, manager, settings, states
):
    """The state filter narrows the due dates and milestone statuses read; it must keep every item of those
    states, including those due today, yesterday and on the last day of the due-soon window."""
    settings.DUE_SOON_DAYS = 10
    for offset in (-1, 0, 10, 11):
        MilestoneFactory(country_project=world.project_a, due_date=TODAY + datetime.timedelta(days=offset))
    MilestoneFactory(
        country_project=world.project_a,
        status=MilestoneStatus.COMPLETED,
        completed_on=TODAY,
        due_date=TODAY + datetime.timedelta(days=5),
    )
    everything = due_items(user=manager, today=TODAY)
    expected = [item.key for item in everything if item.state in states]
    assert expected, "the data should hold items in these states"
    found = due_items(user=manager, today=TODAY, filters=DueFilters(states=frozenset(states)))
    assert [item.key for item in found] == expected


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 50])
@pytest.mark.parametrize(
    "states",
    [None, {DueState.OVERDUE}, {DueState.OVERDUE, DueState.DUE_SOON}, {DueState.DONE}, {DueState.UPCOMING}],
)
def test_the_head_of_due_items_is_their_first_items_and_their_count(world, periods, manager, limit, states):
    """Reports and milestones interleave by due date, kind and key (a key sorts as text: "milestone:10"
    before "milestone:9"), so the head must merge both kinds in that order."""
    for day in (-3, -3, -3, 0, 4, 40):
        MilestoneFactory(country_project=world.project_a, due_date=TODAY + datetime.timedelta(days=day))
    MilestoneFactory(
        country_project=world.project_b,
        category=MilestoneCategory.BASELINE,
        due_date=datetime.date(2025, 4, 30),
    )
    MilestoneFactory(
        country_project=world.project_b,
        status=MilestoneStatus.COMPLETED,
        completed_on=TODAY,
        due_date=datetime.date(2025, 4, 30),
    )
    filters = DueFilters(states=frozenset(states) if states else None)
    everything = due_items(user=manager, today=TODAY, filters=filters)
    assert everything, "the data should hold items in these states"
    head, total = due_items_head(user=manager, today=TODAY, limit=limit, filters=filters)
    assert head == everything[:limit]
    assert total == len(everything)


def test_reports_of_started_open_periods_only(world, periods, manager):
    first, second, other = periods
    second.start_date = TODAY + datetime.timedelta(days=1)  # not started yet
    second.save()
    other.status = PeriodStatus.CLOSED
    other.save()
    reports = due_items(
        user=manager,
        today=TODAY,
        filters=DueFilters(kinds=frozenset({DueKind.REPORT}), started_open_periods=True),
    )
    assert [item.key for item in reports] == [f"report:{world.project_a.pk}:{first.pk}"]
