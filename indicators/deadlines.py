"""Due dates of the portfolio: what each obligation is, what state it is in, and how timely a set of them was.

Pure: dates in, states and figures out, no ORM (``indicators.selectors.deadlines`` reads the rows). Three kinds
of obligation have a due date:

- a country project's report for a reporting period (due on the period's due date; met when the grantee
  submits it, on time when first submitted on or before that date, even if it was later returned);
- a deliverable: a milestone of one of the standard deliverable categories (work plan, baseline, CMEP,
  technical and financial reports, evaluations), met when completed;
- any other milestone (work-plan activities, site visits), met when completed.

Cancelled milestones are no obligation at all and never reach this module.
"""

from __future__ import annotations

import datetime
import enum
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from indicators.calculations import ratio_percent


class DueKind(enum.StrEnum):
    REPORT = "report"
    DELIVERABLE = "deliverable"
    MILESTONE = "milestone"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    DueKind.REPORT: "Indicator report",
    DueKind.DELIVERABLE: "Deliverable",
    DueKind.MILESTONE: "Milestone",
}


class DueState(enum.StrEnum):
    UPCOMING = "upcoming"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE = "done"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    DueState.UPCOMING: "Upcoming",
    DueState.DUE_SOON: "Due soon",
    DueState.OVERDUE: "Overdue",
    DueState.DONE: "Done",
}


def due_state(
    due_date: datetime.date, done_on: datetime.date | None, today: datetime.date, soon_days: int
) -> DueState:
    """Done once met; overdue the day after its due date; due soon from ``soon_days`` before it (the due
    date itself included); upcoming before that."""
    if done_on is not None:
        return DueState.DONE
    days_left = (due_date - today).days
    if days_left < 0:
        return DueState.OVERDUE
    if days_left <= soon_days:
        return DueState.DUE_SOON
    return DueState.UPCOMING


@dataclass(frozen=True, slots=True)
class DueItem:
    """One obligation with a due date, and everything the calendar, the home page and reminders show of it."""

    kind: DueKind
    # Stable across runs and unique in the portfolio: "report:<project id>:<period id>", "milestone:<id>".
    key: str
    title: str
    due_date: datetime.date
    # When the obligation was met, if it is met now (a returned report is not).
    done_on: datetime.date | None
    # When it was first met (a report's first submission), for timeliness; None if never.
    first_done_on: datetime.date | None
    state: DueState
    # Days from today to the due date: negative once overdue.
    days_left: int
    status_label: str
    url: str
    grant_id: int
    award_number: str
    project_id: int
    country: str
    country_name: str
    grantee_id: int
    grantee_name: str
    officer_id: int | None
    officer_name: str
    # For reports: the reporting period; None for milestones.
    period_id: int | None = None

    @property
    def days_overdue(self) -> int:
        """Days since the due date of an item still open past it (a returned report included); else 0."""
        return -self.days_left if self.done_on is None and self.days_left < 0 else 0

    @property
    def days_late(self) -> int | None:
        """How late it was met, or is so far if still open and past due; None when not late."""
        if self.first_done_on is not None:
            late = (self.first_done_on - self.due_date).days
        elif self.days_left < 0:
            late = -self.days_left
        else:
            return None
        return late if late > 0 else None

    @property
    def is_late(self) -> bool:
        return self.days_late is not None


@dataclass(frozen=True, slots=True)
class Timeliness:
    """How timely a set of obligations was, as of a day. An obligation counts once its due date has passed
    or it has been met: a report due next month and not yet submitted is neither on time nor late."""

    reports_counted: int
    reports_on_time: int
    deliverables_counted: int
    deliverables_on_time: int
    # Percent of counted reports (deliverables) first met on or before their due date; None when none count.
    reports_on_time_percent: Decimal | None
    deliverables_on_time_percent: Decimal | None
    # Median days late over the late reports and deliverables (met late, or still open past due).
    late_count: int
    median_days_late: Decimal | None
    # Median days from a report's submission to the officer's decision (approved or returned).
    reviews_counted: int
    median_review_days: Decimal | None


def _median(values: list[int]) -> Decimal | None:
    # statistics.median of ints is an int or a .5 float, so one decimal place is exact.
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.1")) if values else None


def timeliness(items: Iterable[DueItem], review_days: Iterable[int], today: datetime.date) -> Timeliness:
    """Timeliness of ``items`` (reports and deliverables; other milestones are not counted) as of ``today``,
    with the review turnaround from ``review_days`` (days from submission to decision, one per review)."""
    counted = {DueKind.REPORT: 0, DueKind.DELIVERABLE: 0}
    on_time = {DueKind.REPORT: 0, DueKind.DELIVERABLE: 0}
    late: list[int] = []
    for item in items:
        if item.kind not in counted:
            continue
        if item.first_done_on is None and item.due_date >= today:
            continue
        counted[item.kind] += 1
        days_late = item.days_late
        if days_late is None:
            on_time[item.kind] += 1
        else:
            late.append(days_late)
    reviews = list(review_days)
    return Timeliness(
        reports_counted=counted[DueKind.REPORT],
        reports_on_time=on_time[DueKind.REPORT],
        deliverables_counted=counted[DueKind.DELIVERABLE],
        deliverables_on_time=on_time[DueKind.DELIVERABLE],
        reports_on_time_percent=_share(on_time[DueKind.REPORT], counted[DueKind.REPORT]),
        deliverables_on_time_percent=_share(on_time[DueKind.DELIVERABLE], counted[DueKind.DELIVERABLE]),
        late_count=len(late),
        median_days_late=_median(late),
        reviews_counted=len(reviews),
        median_review_days=_median(reviews),
    )


def _share(part: int, whole: int) -> Decimal | None:
    return ratio_percent(Decimal(part), Decimal(whole))
