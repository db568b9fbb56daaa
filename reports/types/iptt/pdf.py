"""The IPTT as a PDF: cover, contents, then a section per country project with its life-of-project table and
its periods in bands of three (target, actual, percent of target), every table in page-sized chunks with its
headers repeated. No models: it reads the report's data; every figure arrives computed. The projects are read
in one pass (the counts on the cover come from the report's outline); reportlab holds the story it lays out."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import IO

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Flowable, Table, TableStyle

from reports.render import pdf as base
from reports.types.iptt.data import ACTUAL, PERCENT, TARGET, Indicator, IpttReport, Line, Project

PERIODS_PER_BAND = 3
NAME_WIDTH = 103.0
FIGURE_WIDTHS = (44.0, 44.0, 38.0)  # target, actual, % of target
LOP_HEADER = ["Indicator or cell", "Unit", "LOP target", "Original", "To date", "% of LOP", "Status"]
LOP_WIDTHS = [150, 55, 58, 52, 52, 52, 62]
ROWS_PER_CHUNK = 44
# A table's title: not kept with the table (a kept pair moves whole to the next page, leaving a gap), but never
# left alone at a page's foot either: CondPageBreak starts a new page unless the title and a few rows fit.
TABLE_TITLE = ParagraphStyle("iptt_table_title", parent=base.STYLES["h3"], keepWithNext=0)
TITLE_ROOM = 90


def _title(text: str) -> list[Flowable]:
    return [CondPageBreak(TITLE_ROOM), base.para(text, TABLE_TITLE)]


def _figure(value: Decimal | None, indicator: Indicator) -> str:
    if value is None:
        return base.fmt_number(None)
    if indicator.is_percentage:
        return base.fmt_percent(value, 1)
    return (
        base.fmt_money(value) if indicator.measure_type == "money" else base.fmt_number(value, _places(value))
    )


def _places(value: Decimal) -> int:
    return 0 if value == value.to_integral_value() else 1


def _name(indicator: Indicator, line: Line) -> str:
    return f"{indicator.code} {indicator.name}" if line.is_total else f"    {line.label}"


def _lop_rows(project: Project) -> list[list[str]]:
    return [
        [
            _name(indicator, line),
            indicator.unit if line.is_total else "",
            _figure(line.lop_target, indicator),
            _figure(line.original_lop_target, indicator)
            if line.original_lop_target != line.lop_target
            else "",
            _figure(line.to_date, indicator),
            base.fmt_percent(line.percent_achieved, 1),
            line.status_label,
        ]
        for indicator in project.indicators
        for line in indicator.lines
    ]


def _band_table(names: Sequence[str], rows: list[list[str]], bold_rows: list[int]) -> Table:
    """One chunk: two header rows (the period names spanning their three columns, then the figures)."""
    widths = [NAME_WIDTH] + list(FIGURE_WIDTHS) * len(names)
    room = [w - 2 * base.TABLE_PADDING for w in widths]
    top = [""]
    for name in names:
        top += [name, "", ""]
    second = ["Indicator or cell"] + ["Target", "Actual", "%"] * len(names)
    data = [
        [base.clip(t, sum(FIGURE_WIDTHS) - 6, base.FONT_BOLD) if t else "" for t in top],
        second,
        *([base.clip(c, r) for c, r in zip(row, room, strict=True)] for row in rows),
    ]
    style = [
        ("FONTNAME", (0, 0), (-1, -1), base.FONT),
        ("FONTNAME", (0, 0), (-1, 1), base.FONT_BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), base.TABLE_FONT_SIZE),
        ("TEXTCOLOR", (0, 0), (-1, 1), colors.white),
        ("BACKGROUND", (0, 0), (-1, 1), base.ACCENT),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("ALIGN", (1, 0), (-1, 0), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), base.TABLE_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), base.TABLE_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, base.RULE),
        ("ROWBACKGROUNDS", (0, 2), (-1, -1), [colors.white, base.STRIPE]),
    ]
    for i in range(len(names)):
        start = 1 + 3 * i
        style.append(("SPAN", (start, 0), (start + 2, 0)))
        style.append(("LINEBEFORE", (start, 0), (start, -1), 0.5, base.RULE))
    style += [("FONTNAME", (0, r + 2), (-1, r + 2), base.FONT_BOLD) for r in bold_rows]
    table = Table(
        data, colWidths=widths, rowHeights=[base.TABLE_ROW_HEIGHT] * len(data), repeatRows=2, hAlign="LEFT"
    )
    table.setStyle(TableStyle(style))
    return table


def _bands(project: Project) -> list[Flowable]:
    story: list[Flowable] = []
    for first in range(0, len(project.periods), PERIODS_PER_BAND):
        periods = project.periods[first : first + PERIODS_PER_BAND]
        names = [p.label.split(" (")[0] for p in periods]
        story += _title(f"{names[0]} to {names[-1]}" if len(names) > 1 else names[0])
        rows: list[list[str]] = []
        bold: list[int] = []
        for indicator in project.indicators:
            for line in indicator.lines:
                row = [_name(indicator, line)]
                for figures in line.periods[first : first + PERIODS_PER_BAND]:
                    row += [
                        _figure(figures[TARGET], indicator),
                        _figure(figures[ACTUAL], indicator),
                        base.fmt_percent(figures[PERCENT], 1),
                    ]
                if line.is_total:
                    bold.append(len(rows) % ROWS_PER_CHUNK)
                rows.append(row)
                if len(rows) % ROWS_PER_CHUNK == 0:
                    story.append(_band_table(names, rows[-ROWS_PER_CHUNK:], bold))
                    bold = []
        rest = len(rows) % ROWS_PER_CHUNK
        if rest:
            story.append(_band_table(names, rows[-rest:], bold))
        story.append(base.spacer(6))
    return story


def _project(project: Project, new_page: bool) -> list[Flowable]:
    lop_rows = _lop_rows(project)
    return [
        base.page_break() if new_page else base.spacer(12),
        base.heading(project.label, 0),
        base.para(
            f"{project.title}. Project dates {base.fmt_date(project.start)} to {base.fmt_date(project.end)}; "
            f"{len(project.indicators)} indicators, {len(project.periods)} reporting periods shown.",
            "small",
        ),
        *_title("Life of project"),
        *base.chunked_table(
            LOP_HEADER, lop_rows, LOP_WIDTHS, numeric=range(2, 6), rows_per_chunk=ROWS_PER_CHUNK
        ),
        base.spacer(6),
        *_bands(project),
    ]


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def render_pdf(report: IpttReport, stream: IO[bytes]) -> None:
    period_line = ""
    if report.period_from or report.period_to:
        period_line = (
            f"Periods from {base.fmt_date(report.period_from) if report.period_from else 'the first'} "
            f"to {base.fmt_date(report.period_to) if report.period_to else 'the latest'}"
        )
    scope_line = f"Figures as of {base.fmt_date(report.as_of)}" + (f" · {period_line}" if period_line else "")
    doc = base.ReportDocument(stream, title=report.title, scope_line=scope_line)
    if report.is_empty:
        story: list[Flowable] = [base.heading("Nothing to report", 0), base.para(report.message)]
    else:
        story = [
            base.heading("How to read this table", 0),
            base.para(
                "Actuals come from approved reports only. Cumulative figures follow each indicator's rule: "
                "counts and money add up their periods, stocks take the latest value, percentages are "
                "recomputed from summed numerators and denominators. Status compares the figure to date with "
                f"the value expected by the latest approved period, on track within "
                f"{report.band_percent.normalize():f}% of it. Indented rows are disaggregation cells."
            ),
        ]
        for index, project in enumerate(report.projects):
            story += _project(project, new_page=index > 0)
    doc.render(
        story,
        cover_lines=[
            _count(report.outline.projects, "country project"),
            _count(report.outline.indicators, "project indicator"),
        ],
        generated_on=report.as_of,
    )
