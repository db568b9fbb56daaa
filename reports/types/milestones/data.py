"""The milestone and deliverable tracker as plain data: what the builder returns and the renderers read."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class MilestoneCounts:
    """One summary line: how many milestones of a grant, a country or an officer stand where.

    ``overdue`` and ``due_soon`` follow the portfolio milestone list (open milestones past their due date;
    open milestones due from today to ``due_soon_days`` ahead); ``due_ahead`` is the same for the report's
    longer look-ahead (``due_ahead_days``)."""

    label: str
    total: int
    open: int
    overdue: int
    due_soon: int
    due_ahead: int
    completed_on_time: int
    completed_late: int
    cancelled: int


@dataclass(frozen=True)
class MilestoneLine:
    award_number: str
    country: str
    project: str
    officer: str
    title: str
    category: str
    deliverable: bool  # one of the standard deliverables of a cooperative agreement
    due_date: datetime.date
    status: str
    completed_on: datetime.date | None
    days_late: int  # open and past due: days since the due date; completed late: days after it; else 0
    overdue: bool


@dataclass(frozen=True)
class SummarySection:
    title: str  # "By grant", "By country", "By officer"
    rows: tuple[MilestoneCounts, ...]
    total: MilestoneCounts


@dataclass(frozen=True)
class TimelinessLine:
    """How timely a grant (or the whole scope) was: reports and deliverables met on or before their due date
    out of those counted (due by the report's date, or met), median days late of the late ones, and median
    days from a report's submission to the officer's decision. Percentages in percent; None = none counted."""

    label: str
    reports_counted: int
    reports_on_time: int
    reports_on_time_percent: Decimal | None
    deliverables_counted: int
    deliverables_on_time: int
    deliverables_on_time_percent: Decimal | None
    late_count: int
    median_days_late: Decimal | None
    reviews_counted: int
    median_review_days: Decimal | None


TIMELINESS_NOTE = (
    "Timeliness: a report is on time when first submitted on or before its due date (a report returned for "
    "correction keeps its first submission), a deliverable when completed on or before its due date. Counted: "
    "those due by the report's date, and any met earlier. Median days late: over the late ones, including "
    "those still outstanding. Review: median days from a report's submission to its approval or return."
)


@dataclass(frozen=True)
class MilestoneReport:
    title: str
    as_of: datetime.date
    scope_lines: tuple[str, ...]  # what the report covers, in words, for the cover and the preview
    due_soon_days: int
    due_ahead_days: int
    sections: tuple[SummarySection, ...]
    milestones: tuple[MilestoneLine, ...]
    empty_message: str = ""  # set when there is nothing to report; the renderers show it instead of tables
    # By grant, and the whole scope; empty when nothing is counted.
    timeliness: tuple[TimelinessLine, ...] = ()
    timeliness_total: TimelinessLine | None = None

    @property
    def is_empty(self) -> bool:
        return not self.milestones

    @property
    def timeliness_note(self) -> str:
        return TIMELINESS_NOTE
