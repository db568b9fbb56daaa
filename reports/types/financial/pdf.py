"""The financial summary as a PDF: cover, contents, headline figures, tables by grant, country, country
project and modification in page-sized pieces, and a chart of budget against expenditure by country.
No models and no arithmetic: every figure arrives computed from the builder; this only formats it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import IO

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from reports.render import pdf as base
from reports.types.financial.data import FinancialReport

money, percent = base.fmt_money, lambda v: base.fmt_percent(v, 1)
SPENT = colors.HexColor("#e07b39")

GRANT_HEADER = ["Award number", "Original", "Current", "Mods", "Expenditure", "Burn rate", "Time elapsed"]
GRANT_WIDTHS = [118, 72, 72, 30, 72, 50, 68]
COUNTRY_HEADER = ["Country", "Projects", "Budget", "Expenditure", "Burn rate", "Time elapsed"]
COUNTRY_WIDTHS = [160, 44, 80, 80, 50, 68]
PROJECT_HEADER = ["Award number", "Country", "Budget", "Expenditure", "Burn rate", "Elapsed", "Reported for"]
PROJECT_WIDTHS = [88, 64, 66, 66, 50, 44, 104]
MOD_HEADER = ["Award number", "No.", "Kind", "Effective", "Change", "Obligated after", "End date after"]
MOD_WIDTHS = [100, 24, 92, 58, 64, 72, 72]


def budget_chart(labels: Sequence[str], budgets: Sequence[Decimal], spent: Sequence[Decimal]) -> Drawing:
    """Budget and expenditure side by side for each label, as horizontal bars with a legend."""
    width = base.FRAME_WIDTH
    label_room = min(150.0, max([stringWidth(lb, base.FONT, 8) for lb in labels] or [40]) + 10)
    # Two bars and a gap per country, at most one page tall: many countries make thinner bars.
    plot_height = min(len(labels) * 9 * 2.8, base.FRAME_HEIGHT - 90)
    bar = plot_height / (max(1, len(labels)) * 2.8)
    height = plot_height + 62
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_room, 36
    chart.width, chart.height = width - label_room - 60, plot_height
    # Within a group the last series is drawn on top once the axis is reversed: budget first on the page.
    chart.data = [[float(v) for v in spent], [float(v) for v in budgets]]
    chart.bars[0].fillColor, chart.bars[1].fillColor = SPENT, base.ACCENT
    chart.bars.strokeColor = None
    chart.barSpacing, chart.groupSpacing = 1, bar * 0.7
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.categoryNames = [base.clip(lb, label_room - 10, base.FONT, 8) for lb in labels]
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = base.FONT, 8
    chart.categoryAxis.labels.boxAnchor, chart.categoryAxis.labels.dx = "e", -4
    chart.categoryAxis.strokeColor = base.RULE
    top = max(chart.data[0] + chart.data[1] + [0.0])
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, (top * 1.08 if top > 0 else 1)
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = base.FONT, 7
    chart.valueAxis.labelTextFormat = lambda v: money(Decimal(str(v)))
    chart.valueAxis.strokeColor, chart.valueAxis.gridStrokeColor = base.RULE, base.LIGHT
    chart.valueAxis.visibleGrid = 1
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = label_room, 12
    legend.fontName, legend.fontSize = base.FONT, 8
    legend.alignment, legend.columnMaximum, legend.deltax = "right", 1, 90
    legend.colorNamePairs = [(base.ACCENT, "Budget (USD)"), (SPENT, "Expenditure to date (USD)")]
    drawing.add(legend)
    drawing.add(
        String(
            0,
            height - 12,
            "Budget and expenditure to date by country",
            fontName=base.FONT_BOLD,
            fontSize=9.5,
            fillColor=base.ACCENT,
        )
    )
    return drawing


def _story(report: FinancialReport) -> list[Flowable]:
    if report.is_empty:
        return [base.heading("Nothing to report"), base.para(report.empty_message)]
    t = report.totals
    story: list[Flowable] = [
        base.heading("Summary"),
        base.key_figures(
            [
                (base.fmt_number(len(report.grants)), "grants"),
                (base.fmt_number(len(report.countries)), "countries"),
                (base.fmt_number(t.modifications), "modifications"),
                (money(t.original_obligated), "original obligation"),
                (money(t.obligated), "current obligation"),
                (money(t.expenditure), "expenditure to date"),
                (percent(t.burn_rate), "burn rate against current obligation"),
                (money(t.budget), "budget of the country projects in scope"),
                (percent(t.budget_burn_rate), "burn rate against the budgets"),
            ]
        ),
        base.spacer(10),
        base.para(report.expenditure_basis, "muted"),
        base.para(
            "Burn rate: expenditure to date as a share of the obligation (grants) or of the budget (countries and "
            "country projects). Time elapsed: share of the period of performance passed on "
            f"{report.as_of:%d %B %Y}; a burn rate well below the time elapsed means spending lags the plan.",
            "muted",
        ),
    ]
    rows = [
        [
            g.award_number + (" *" if g.partial else ""),
            money(g.original_obligated),
            money(g.obligated),
            base.fmt_number(g.modifications),
            money(g.expenditure),
            percent(g.burn_rate),
            percent(g.time_elapsed),
        ]
        for g in report.grants
    ]
    rows.append(
        [
            "Total",
            money(t.original_obligated),
            money(t.obligated),
            base.fmt_number(t.modifications),
            money(t.expenditure),
            percent(t.burn_rate),
            "",
        ]
    )
    story += [
        base.heading("By grant"),
        *base.chunked_table(GRANT_HEADER, rows, GRANT_WIDTHS, numeric=range(1, 7)),
    ]
    story.append(
        base.para(
            "Original and Current: the obligated amount at award and after modifications. All amounts in US "
            "dollars.",
            "muted",
        )
    )
    if report.has_partial_grants:
        story.append(
            base.para(
                "* Only some of this grant's country projects are in scope: its expenditure covers those.",
                "muted",
            )
        )

    story.append(base.spacer(6))
    rows = [
        [
            c.country,
            base.fmt_number(c.projects),
            money(c.budget),
            money(c.expenditure),
            percent(c.burn_rate),
            percent(c.time_elapsed),
        ]
        for c in report.countries
    ]
    rows.append(
        [
            "Total",
            base.fmt_number(sum(c.projects for c in report.countries)),
            money(t.budget),
            money(t.expenditure),
            percent(t.budget_burn_rate),
            "",
        ]
    )
    story += [
        base.heading("By country"),
        *base.chunked_table(COUNTRY_HEADER, rows, COUNTRY_WIDTHS, numeric=range(1, 6)),
    ]
    story += [
        base.spacer(12),
        budget_chart(
            [c.country for c in report.countries],
            [c.budget for c in report.countries],
            [c.expenditure for c in report.countries],
        ),
    ]

    story.append(base.page_break())
    rows = [
        [
            p.award_number,
            p.country,
            money(p.budget),
            money(p.expenditure),
            percent(p.burn_rate),
            percent(p.time_elapsed),
            p.reported_period or "No approved report",
        ]
        for p in report.projects
    ]
    story += [
        base.heading("Country projects"),
        *base.chunked_table(PROJECT_HEADER, rows, PROJECT_WIDTHS, numeric=range(2, 6)),
    ]
    story.append(base.spacer(6))
    if report.modifications:
        rows = [
            [
                m.award_number,
                str(m.number),
                m.kind,
                base.fmt_date(m.effective_date),
                money(m.amount_change),
                money(m.obligated_after),
                base.fmt_date(m.end_date_after),
            ]
            for m in report.modifications
        ]
        story += [
            base.heading("Modifications"),
            *base.chunked_table(MOD_HEADER, rows, MOD_WIDTHS, numeric=(1, 4, 5), font_size=7.5),
        ]
    else:
        story += [base.heading("Modifications"), base.para("None of the grants in scope has been modified.")]
    return story


def render_pdf(report: FinancialReport, stream: IO[bytes]) -> None:
    doc = base.ReportDocument(stream, title=report.title, scope_line=f"As of {report.as_of:%d %B %Y}")
    doc.render(_story(report), cover_lines=report.scope_lines, generated_on=report.as_of)
