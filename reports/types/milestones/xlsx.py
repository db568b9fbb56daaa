"""The milestone tracker as a workbook: an overview sheet, one sheet per summary (by grant, country,
officer) and the list of milestones, with real dates and counts. No models: it reads the report's data."""

from __future__ import annotations

from typing import IO

from openpyxl import Workbook

from reports.render.xlsx import COUNT, DATE, DECIMAL, PERCENT, Column, Styles, start_table
from reports.types.milestones.data import (
    TIMELINESS_NOTE,
    MilestoneCounts,
    MilestoneReport,
    SummarySection,
    TimelinessLine,
)


def fit(columns: list[Column]) -> list[Column]:
    """Columns at least as wide as their header, so the header reads on one line whatever the viewer does
    with wrapped header rows (LibreOffice keeps their height to one line)."""
    return [Column(c.header, max(c.width, len(c.header) * 1.1 + 2), c.fmt) for c in columns]


def count_columns(report: MilestoneReport, first: str) -> list[Column]:
    return fit(
        [
            Column(first, 34),
            Column("Milestones", 11, COUNT),
            Column("Open", 9, COUNT),
            Column("Overdue", 10, COUNT),
            Column(f"Due in the next {report.due_soon_days} days", 14, COUNT),
            Column(f"Due in the next {report.due_ahead_days} days", 14, COUNT),
            Column("Completed on time", 12, COUNT),
            Column("Completed late", 12, COUNT),
            Column("Cancelled", 11, COUNT),
        ]
    )


def count_values(counts: MilestoneCounts) -> list[int]:
    return [
        counts.total,
        counts.open,
        counts.overdue,
        counts.due_soon,
        counts.due_ahead,
        counts.completed_on_time,
        counts.completed_late,
        counts.cancelled,
    ]


LIST_COLUMNS = fit(
    [
        Column("Award number", 20),
        Column("Country", 16),
        Column("Project", 30),
        Column("Program officer", 20),
        Column("Milestone", 40),
        Column("Category", 26),
        Column("Deliverable", 11),
        Column("Due date", 12, DATE),
        Column("Status", 12),
        Column("Completed on", 13, DATE),
        Column("Days late", 10, COUNT),
    ]
)

TIMELINESS_COLUMNS = fit(
    [
        Column("Award number", 20),
        Column("Reports counted", 10, COUNT),
        Column("Reports on time", 10, COUNT),
        Column("Reports on time (%)", 11, PERCENT),
        Column("Deliverables counted", 12, COUNT),
        Column("Deliverables on time", 12, COUNT),
        Column("Deliverables on time (%)", 12, PERCENT),
        Column("Late", 8, COUNT),
        Column("Median days late", 10, DECIMAL),
        Column("Reviews", 9, COUNT),
        Column("Median days to review", 11, DECIMAL),
    ]
)


def timeliness_values(line: TimelinessLine) -> list:
    return [
        line.reports_counted,
        line.reports_on_time,
        line.reports_on_time_percent,
        line.deliverables_counted,
        line.deliverables_on_time,
        line.deliverables_on_time_percent,
        line.late_count,
        line.median_days_late,
        line.reviews_counted,
        line.median_review_days,
    ]


SECTION_FIRST = {"By grant": "Award number", "By country": "Country", "By officer": "Program officer"}


def _overview(workbook: Workbook, report: MilestoneReport) -> None:
    sheet = workbook.create_sheet("Overview")
    sheet.column_dimensions["A"].width = 110
    styles = Styles(sheet)
    sheet.append([styles.cell(report.title, bold=True)])
    for line in report.scope_lines:
        sheet.append([styles.cell(line)])
    sheet.append([])
    if report.is_empty:
        sheet.append([styles.cell(report.empty_message, bold=True)])
        return
    sheet.append(
        [
            styles.cell(
                f"Overdue: open milestones past their due date. Due in the next {report.due_soon_days} and "
                f"{report.due_ahead_days} days: open milestones due from today to that many days ahead. Days "
                "late: for an open milestone, days since its due date; for a completed one, days between its "
                "due date and its completion."
            )
        ]
    )


def _section(workbook: Workbook, report: MilestoneReport, section: SummarySection) -> None:
    sheet = workbook.create_sheet(section.title)
    styles = start_table(
        sheet,
        count_columns(report, SECTION_FIRST.get(section.title, "")),
        freeze_columns=1,
        rows=len(section.rows),
    )
    for counts in (*section.rows, section.total):
        bold = counts is section.total
        sheet.append(
            [styles.cell(counts.label, bold=bold)]
            + [styles.cell(v, COUNT, bold=bold) for v in count_values(counts)]
        )


def _timeliness(workbook: Workbook, report: MilestoneReport) -> None:
    sheet = workbook.create_sheet("Timeliness")
    styles = start_table(sheet, TIMELINESS_COLUMNS, freeze_columns=1, rows=len(report.timeliness))
    formats = [c.fmt for c in TIMELINESS_COLUMNS[1:]]
    for line in (*report.timeliness, report.timeliness_total):
        bold = line is report.timeliness_total
        sheet.append(
            [styles.cell(line.label, bold=bold)]
            + [
                styles.cell(v, fmt, bold=bold)
                for v, fmt in zip(timeliness_values(line), formats, strict=True)
            ]
        )
    sheet.append([])
    sheet.append([styles.cell(TIMELINESS_NOTE)])


def _list(workbook: Workbook, report: MilestoneReport) -> None:
    sheet = workbook.create_sheet("Milestones")
    styles = start_table(sheet, LIST_COLUMNS, freeze_columns=1, rows=len(report.milestones))
    date, count = styles.formatted(DATE), styles.formatted(COUNT)
    for m in report.milestones:
        sheet.append(
            [
                styles.cell(m.award_number),
                styles.cell(m.country),
                styles.cell(m.project),
                styles.cell(m.officer),
                styles.cell(m.title),
                styles.cell(m.category),
                styles.cell("Yes" if m.deliverable else "No"),
                date(m.due_date),
                styles.cell(m.status),
                date(m.completed_on),
                count(m.days_late),
            ]
        )


def render_xlsx(report: MilestoneReport, stream: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    _overview(workbook, report)
    if not report.is_empty:
        for section in report.sections:
            _section(workbook, report, section)
        if report.timeliness_total is not None:
            _timeliness(workbook, report)
        _list(workbook, report)
    workbook.save(stream)
