"""The milestone tracker as a PDF: cover, contents, headline figures, the summaries by grant, country and
officer, and the list of milestones in page-sized tables. No models: it reads the report's data."""

from __future__ import annotations

from typing import IO

from reportlab.platypus import Flowable

from reports.render import pdf as base
from reports.types.milestones.data import (
    TIMELINESS_NOTE,
    MilestoneCounts,
    MilestoneReport,
    SummarySection,
    TimelinessLine,
)

LIST_HEADER = ["Award number", "Country", "Milestone", "Category", "Due", "Status", "Completed", "Days late"]
LIST_WIDTHS = [70, 50, 108, 62, 48, 50, 50, 44]
SUMMARY_WIDTHS = [122, 42, 40, 46, 45, 45, 46, 46, 50]
TIMELINESS_HEADER = [
    "Award number",
    "Reports",
    "%",
    "Deliverables",
    "%",
    "Late",
    "Days late",
    "Review days",
]
TIMELINESS_WIDTHS = [104, 58, 42, 66, 42, 32, 66, 72]


def _of(part: int, whole: int) -> str:
    return f"{base.fmt_number(part)} of {base.fmt_number(whole)}" if whole else base.DASH


def _timeliness_row(line: TimelinessLine) -> list[str]:
    return [
        line.label,
        _of(line.reports_on_time, line.reports_counted),
        base.fmt_percent(line.reports_on_time_percent, 1),
        _of(line.deliverables_on_time, line.deliverables_counted),
        base.fmt_percent(line.deliverables_on_time_percent, 1),
        base.fmt_number(line.late_count),
        base.fmt_number(line.median_days_late, 1),
        base.fmt_number(line.median_review_days, 1),
    ]


def _timeliness(report: MilestoneReport) -> list[Flowable]:
    rows = [_timeliness_row(line) for line in (*report.timeliness, report.timeliness_total)]
    return [
        base.heading("Timeliness", 1),
        *base.chunked_table(TIMELINESS_HEADER, rows, TIMELINESS_WIDTHS, numeric=range(1, 8)),
        base.para(
            "Reports and Deliverables: on time, of those counted. Days late: the median over the late ones. "
            "Review days: the median from submission to decision. " + TIMELINESS_NOTE,
            "muted",
        ),
        base.spacer(),
    ]


def _summary_header(report: MilestoneReport, first: str) -> list[str]:
    return [
        first,
        "Total",
        "Open",
        "Overdue",
        f"Due {report.due_soon_days}d",
        f"Due {report.due_ahead_days}d",
        "On time",
        "Late",
        "Cancelled",
    ]


def _summary_row(counts: MilestoneCounts) -> list[str]:
    figures = (
        counts.total,
        counts.open,
        counts.overdue,
        counts.due_soon,
        counts.due_ahead,
        counts.completed_on_time,
        counts.completed_late,
        counts.cancelled,
    )
    return [counts.label, *(base.fmt_number(v) for v in figures)]


def _section(report: MilestoneReport, section: SummarySection, first: str) -> list[Flowable]:
    rows = [_summary_row(c) for c in (*section.rows, section.total)]
    return [
        base.heading(section.title, 1),
        *base.chunked_table(_summary_header(report, first), rows, SUMMARY_WIDTHS, numeric=range(1, 9)),
        base.spacer(),
    ]


def _story(report: MilestoneReport) -> list[Flowable]:
    if report.is_empty:
        return [base.heading("Nothing to report"), base.para(report.empty_message)]
    total = report.sections[0].total
    story: list[Flowable] = [
        base.heading("Summary"),
        base.key_figures(
            [
                (base.fmt_number(total.total), "milestones in scope"),
                (base.fmt_number(total.overdue), "overdue"),
                (base.fmt_number(total.open), "open"),
                (base.fmt_number(total.due_soon), f"due in the next {report.due_soon_days} days"),
                (base.fmt_number(total.due_ahead), f"due in the next {report.due_ahead_days} days"),
                (base.fmt_number(total.completed_on_time), "completed on time"),
                (base.fmt_number(total.completed_late), "completed late"),
                (base.fmt_number(total.cancelled), "cancelled"),
            ]
        ),
        base.spacer(10),
        base.para(
            f"Overdue: open milestones past their due date. Due {report.due_soon_days}d and "
            f"Due {report.due_ahead_days}d: open milestones due from today to that many days ahead. On time "
            "and Late: completed milestones, by their completion date against their due date. Days late: for an "
            "open milestone, days since its due date; for a completed one, days between its due date and its "
            "completion.",
            "muted",
        ),
    ]
    firsts = {"By grant": "Award number", "By country": "Country", "By officer": "Program officer"}
    for section in report.sections:
        story += _section(report, section, firsts.get(section.title, ""))
    if report.timeliness_total is not None:
        story += _timeliness(report)
    rows = (
        [
            m.award_number,
            m.country,
            m.title,
            m.category,
            f"{m.due_date:%Y-%m-%d}",
            m.status,
            f"{m.completed_on:%Y-%m-%d}" if m.completed_on else "",
            base.fmt_number(m.days_late) if m.days_late else "",
        ]
        for m in report.milestones
    )
    story += [
        base.page_break(),
        base.heading("Milestones"),
        *base.chunked_table(LIST_HEADER, rows, LIST_WIDTHS, numeric=(7,), font_size=7),
    ]
    return story


def render_pdf(report: MilestoneReport, stream: IO[bytes]) -> None:
    doc = base.ReportDocument(stream, title=report.title, scope_line=f"As of {report.as_of:%d %B %Y}")
    doc.render(_story(report), cover_lines=report.scope_lines, generated_on=report.as_of)
