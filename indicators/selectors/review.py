"""Reads for the review side of reporting: the review queue, the officer's review screen, and the comment
threads and evidence both the review screen and the grantee's entry page show."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet

from grants.models import User
from indicators.access import submissions_visible_to
from indicators.cells import TOTAL
from indicators.models import (
    ReportingPeriod,
    ReviewComment,
    Submission,
    SubmissionEvidence,
    SubmissionStatus,
    SubmissionTransition,
)
from indicators.selectors.entry import EntryGroup, EntryLayout, entry_layout, submission_timeline
from indicators.services.submissions import evidence_seen_by_reviewer
from indicators.validation import ValidationResult

# How many earlier approved periods the review screen sets beside each reported value.
HISTORY = 3


def review_queue(*, user: User) -> QuerySet[Submission]:
    """Every report the user can see that has left draft at least once, oldest waiting first.

    Reports never submitted (drafts without a submission time) come last. One query for the rows: the table
    shows the grant, its grantee and officer, the country and the period, all joined here.
    """
    return (
        submissions_visible_to(user)
        .select_related(
            "country_project__grant__grantee", "country_project__grant__program_officer", "period"
        )
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
    )


@dataclass(frozen=True)
class CommentItem:
    comment: ReviewComment
    cell_label: str  # "" for a comment on the whole report
    by_office: bool  # written by the program officer or an administrator, not the grantee's staff


@dataclass(frozen=True)
class Discussion:
    """The comment threads of a report: report-level ones, and per indicator (set on each EntryIndicator)."""

    report_comments: list[CommentItem]
    evidence: list[SubmissionEvidence]
    # Files attached since the latest submission, which the grantee may still remove while editing.
    removable: frozenset[int]
    # The officer's comment of the latest return while the report is back with the grantee.
    return_step: SubmissionTransition | None
    timeline: list[SubmissionTransition]


def submission_discussion(submission: Submission, groups: list[EntryGroup]) -> Discussion:
    """Comments (put on their indicators in ``groups``), evidence, timeline and the standing return comment.

    Three queries whatever the size of the report: comments with authors, evidence with uploaders, and the
    timeline with actors.
    """
    by_indicator = {entry.project_indicator.pk: entry for group in groups for entry in group.indicators}
    report_comments = []
    for comment in submission.comments.select_related("author").order_by("at", "pk"):
        entry = by_indicator.get(comment.project_indicator_id)
        by_office = not comment.author.is_grantee
        if entry is None:
            report_comments.append(CommentItem(comment, "", by_office))
            continue
        label = "Whole indicator" if comment.cell_key == TOTAL else entry.spec.label(comment.cell_key)
        entry.comments.append(CommentItem(comment, label, by_office))
    timeline = submission_timeline(submission)
    return_step = None
    if submission.status == SubmissionStatus.RETURNED:
        return_step = next((s for s in reversed(timeline) if s.to_status == SubmissionStatus.RETURNED), None)
    evidence = list(submission.evidence.select_related("uploaded_by"))
    return Discussion(
        report_comments=report_comments,
        evidence=evidence,
        removable=frozenset(e.pk for e in evidence if not evidence_seen_by_reviewer(e, submission)),
        return_step=return_step,
        timeline=timeline,
    )


def attach_issues(groups: list[EntryGroup], result: ValidationResult) -> None:
    """Put validation errors and warnings (a big change from the previous period, say) on their cells, so the
    reviewer sees them where the grantee saw them, beside the grantee's explanation."""
    cells = {}
    for group in groups:
        for entry in group.indicators:
            for cell in [entry.total, *(cell for _, row in entry.rows for cell in row)]:
                cells[(entry.project_indicator.pk, cell.key)] = cell
    for issues, kind in ((result.errors, "errors"), (result.warnings, "warnings")):
        for issue in issues:
            cell = cells.get((issue.project_indicator_id, issue.cell_key))
            if cell is not None and issue.message not in getattr(cell, kind):
                getattr(cell, kind).append(issue.message)


@dataclass(frozen=True)
class SubmissionReview:
    groups: list[EntryGroup]
    history_periods: list[ReportingPeriod]
    discussion: Discussion
    # The entry layout the groups come from: its specs, stored and previous values, to validate the report.
    layout: EntryLayout

    @property
    def history_headers(self) -> list[tuple[str, str]]:
        """(short, full) labels of the earlier periods: "FY2024 H1" for a column head, the full label as its
        title, so three earlier periods fit beside the reported value."""
        return [(period.label.split(" (")[0], period.label) for period in self.history_periods]


def submission_review(submission: Submission) -> SubmissionReview:
    """Everything the review screen shows of one report.

    Queries (constant in the number of indicators and cells): the entry layout with three earlier approved
    periods (7, see entry_layout) and the discussion (3, see submission_discussion).
    """
    layout = entry_layout(submission, history=HISTORY)
    return SubmissionReview(
        groups=layout.groups,
        history_periods=layout.history_periods,
        discussion=submission_discussion(submission, layout.groups),
        layout=layout,
    )
