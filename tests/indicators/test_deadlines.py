"""indicators.deadlines, pure: due-state boundaries and the days-late rules of a DueItem."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from indicators.deadlines import DueItem, DueKind, DueState, due_state, timeliness

TODAY = datetime.date(2025, 6, 15)


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.mark.parametrize(
    ("due_in", "expected"),
    [
        (-1, DueState.OVERDUE),  # yesterday
        (0, DueState.DUE_SOON),  # due today is not yet late
        (1, DueState.DUE_SOON),
        (30, DueState.DUE_SOON),  # the last day of the window
        (31, DueState.UPCOMING),  # the first day past it
    ],
)
def test_due_state_boundaries(due_in, expected):
    assert due_state(_days(due_in), None, TODAY, soon_days=30) is expected


def test_due_state_is_done_once_met_even_if_late():
    assert due_state(_days(-100), _days(-1), TODAY, soon_days=30) is DueState.DONE


def test_soon_days_zero_makes_only_today_due_soon():
    assert due_state(TODAY, None, TODAY, soon_days=0) is DueState.DUE_SOON
    assert due_state(_days(1), None, TODAY, soon_days=0) is DueState.UPCOMING


def _item(kind: DueKind, due_in: int, first_done_in: int | None = None) -> DueItem:
    due = _days(due_in)
    first = _days(first_done_in) if first_done_in is not None else None
    return DueItem(
        kind=kind,
        key=f"{kind}:{due_in}:{first_done_in}",
        title="x",
        due_date=due,
        done_on=first,
        first_done_on=first,
        state=due_state(due, first, TODAY, 30),
        days_left=due_in,
        status_label="",
        url="",
        grant_id=1,
        award_number="IL-1",
        project_id=1,
        country="GT",
        country_name="Guatemala",
        grantee_id=1,
        grantee_name="A",
        officer_id=None,
        officer_name="",
    )


def test_days_late_of_met_open_and_future_items():
    assert _item(DueKind.REPORT, -10, first_done_in=-10).days_late is None  # met on the due date
    assert _item(DueKind.REPORT, -10, first_done_in=-12).days_late is None  # met early
    assert _item(DueKind.REPORT, -10, first_done_in=-7).days_late == 3
    assert _item(DueKind.REPORT, -10).days_late == 10  # still open: late so far
    assert _item(DueKind.REPORT, 0).days_late is None  # due today
    assert _item(DueKind.REPORT, 5).is_late is False


def test_timeliness_counts_only_what_was_due_or_met_and_skips_plain_milestones():
    figures = timeliness(
        [
            _item(DueKind.REPORT, -10, first_done_in=-10),  # on time
            _item(DueKind.REPORT, -10, first_done_in=-7),  # 3 late
            _item(DueKind.REPORT, 0),  # due today, not met: not counted yet
            _item(DueKind.REPORT, 20, first_done_in=-1),  # met early: counted, on time
            _item(DueKind.DELIVERABLE, -4),  # 4 late so far
            _item(DueKind.MILESTONE, -50),  # not a deliverable: never counted
        ],
        review_days=[1, 2, 4, 9],
        today=TODAY,
    )
    assert (figures.reports_counted, figures.reports_on_time) == (3, 2)
    assert figures.reports_on_time_percent == Decimal("66.7")
    assert (figures.deliverables_counted, figures.deliverables_on_time) == (1, 0)
    assert figures.deliverables_on_time_percent == Decimal("0.0")
    assert (figures.late_count, figures.median_days_late) == (2, Decimal("3.5"))
    assert (figures.reviews_counted, figures.median_review_days) == (4, Decimal("3.0"))


def test_timeliness_of_nothing_is_empty_not_zero():
    figures = timeliness([], [], TODAY)
    assert figures.reports_on_time_percent is None
    assert figures.median_days_late is None and figures.median_review_days is None
