"""The portfolio donor report as PDF: cover, contents, executive summary, funding with charts, indicator
performance (portfolio and by outcome), milestones, and a page per country project with its narrative.

No models here: the report arrives built (``reports.types.donor.data``); this only lays figures out.
Tables are page-sized chunks and each project page is a handful of flowables, so the cost grows with pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from reportlab.platypus import Flowable

from reports.render import pdf as base
from reports.types.donor.data import DonorReport, FundingLine, IndicatorLine, ProjectPage
from reports.types.milestones.data import TIMELINESS_NOTE, TimelinessLine

W = base.FRAME_WIDTH


def _figure(line: IndicatorLine, value: object) -> str:
    if value is None:
        return base.DASH
    return base.fmt_percent(value, 1) if line.is_percentage else base.fmt_number(value)  # type: ignore[arg-type]


def _summary(report: DonorReport) -> Iterator[Flowable]:
    h = report.headline
    yield base.heading("Executive summary")
    burn = base.fmt_percent(h.burn_rate, 1)
    elapsed = base.fmt_percent(h.time_elapsed, 1)
    yield base.key_figures(
        [
            (base.fmt_number(h.grants), "grants"),
            (base.fmt_number(h.countries), "countries"),
            (base.fmt_number(h.projects), "country projects"),
            (base.fmt_money(h.obligated), "obligated funding"),
            (base.fmt_money(h.expenditure), "expenditure to date"),
            (f"{burn} / {elapsed}", "burn rate / time elapsed"),
            (base.fmt_number(h.children_female), "girls reached"),
            (base.fmt_number(h.children_male), "boys reached"),
            (base.fmt_number(h.households), "households reached"),
        ]
    )
    yield base.spacer(10)
    yield base.para(
        f"The portfolio has obligated {base.fmt_money(h.obligated)} across {h.grants} grants and {h.projects} "
        f"country projects in {h.countries} countries. Grantees report {base.fmt_money(h.expenditure)} spent, a "
        f"burn rate of {burn} of obligated funding with {elapsed} of the periods of performance elapsed."
    )
    if h.children_indicator:
        yield base.para(
            f"Children reached: {base.fmt_number(h.children_total)} in total, of whom "
            f"{base.fmt_number(h.children_female)} girls and {base.fmt_number(h.children_male)} boys "
            f"(approved figures of {h.children_indicator})."
        )
    if h.households_indicator:
        yield base.para(
            f"Households reached: {base.fmt_number(h.households)} (approved figures of {h.households_indicator}; "
            "households are not counted by sex)."
        )
    if report.timeliness is not None:
        yield base.para(_timeliness_text(report.timeliness))
    yield base.para(
        "Figures count approved reports only; reports awaiting review are left out until they are approved.",
        "muted",
    )


def _timeliness_text(t: TimelinessLine) -> str:
    parts = []
    if t.reports_counted:
        parts.append(
            f"{t.reports_on_time} of {t.reports_counted} indicator reports "
            f"({base.fmt_percent(t.reports_on_time_percent, 1)}) were submitted on time"
        )
    if t.deliverables_counted:
        parts.append(
            f"{t.deliverables_on_time} of {t.deliverables_counted} deliverables "
            f"({base.fmt_percent(t.deliverables_on_time_percent, 1)}) were completed on time"
        )
    if not parts:
        return "Timeliness: no report or deliverable has fallen due yet."
    text = "Timeliness: " + "; ".join(parts) + "."
    if t.late_count:
        text += (
            f" The {t.late_count} late ones were a median {base.fmt_number(t.median_days_late, 1)} days late."
        )
    if t.reviews_counted:
        text += (
            f" Program officers reviewed reports in a median {base.fmt_number(t.median_review_days, 1)} days "
            f"({t.reviews_counted} reviews)."
        )
    return text


def _funding_table(lines: tuple[FundingLine, ...], first: str, funding: str) -> list[Flowable]:
    rows = (
        [
            line.name,
            str(line.grants),
            str(line.projects),
            base.fmt_money(line.funding),
            base.fmt_money(line.expenditure),
            base.fmt_percent(line.burn_rate, 1),
            base.fmt_percent(line.time_elapsed, 1),
        ]
        for line in lines
    )
    return base.chunked_table(
        [first, "Grants", "Projects", funding, "Expenditure", "Burn rate", "Time elapsed"],
        rows,
        [W * 0.25, W * 0.08, W * 0.09, W * 0.16, W * 0.16, W * 0.12, W * 0.14],
        numeric=(1, 2, 3, 4, 5, 6),
    )


def _funding(report: DonorReport) -> Iterator[Flowable]:
    yield base.page_break()
    yield base.heading("Funding by country and theme")
    yield base.heading("By country", 1)
    yield base.para("Funding by country is the sum of the country projects' budgets.", "muted")
    yield base.bar_chart(
        [line.name for line in report.countries],
        [line.funding for line in report.countries],
        value_format=base.fmt_money,
        title="Country project budgets (USD)",
    )
    yield base.spacer()
    yield from _funding_table(report.countries, "Country", "Budget")
    yield base.heading("By theme", 1)
    yield base.para(
        "Funding by theme is the grants' obligated amounts; a grant under several themes counts under each.",
        "muted",
    )
    yield base.bar_chart(
        [line.name for line in report.themes],
        [line.funding for line in report.themes],
        value_format=base.fmt_money,
        title="Obligated funding by theme (USD)",
        color=base.colors.HexColor("#2e7d5b"),
    )
    yield base.spacer()
    yield from _funding_table(report.themes, "Theme", "Obligated")


INDICATOR_HEADER = ["Indicator", "Target", "Actual", "Achieved", "Status"]


def _indicator_row(line: IndicatorLine, *first: str) -> list[str]:
    return [
        *first,
        f"{line.code} {line.name}",
        _figure(line, line.lop_target),
        _figure(line, line.actual),
        base.fmt_percent(line.percent_achieved, 1),
        line.status,
    ]


def _performance(report: DonorReport) -> Iterator[Flowable]:
    yield base.page_break()
    yield base.heading("Indicator performance")
    yield base.para(
        "Targets are life-of-project targets; actuals are approved figures to date by each indicator's rule "
        "(flows add up, stocks take the latest value, percentages are recomputed from their parts). "
        "Across projects a percentage's target is each project's own, weighted by what it measured.",
        "muted",
    )
    yield base.para(
        "Each country project's page shows its own indicators under the outcomes they measure.", "muted"
    )
    if not report.indicators:
        yield base.para("No indicators in scope.")
        return
    yield from base.chunked_table(
        INDICATOR_HEADER,
        (_indicator_row(line) for line in report.indicators),
        [W * 0.52, W * 0.13, W * 0.13, W * 0.1, W * 0.12],
        numeric=(1, 2, 3),
    )


def _milestones(report: DonorReport) -> Iterator[Flowable]:
    yield base.heading("Milestone status")
    yield from base.chunked_table(
        ["Status", "Milestones"],
        ([item.status, base.fmt_number(item.count)] for item in report.milestones),
        [W * 0.4, W * 0.2],
        numeric=(1,),
    )
    t = report.timeliness
    if t is not None:
        yield base.heading("Timeliness", 1)
        yield from base.chunked_table(
            ["", "Counted", "On time", "On time (%)"],
            [
                [
                    "Indicator reports",
                    base.fmt_number(t.reports_counted),
                    base.fmt_number(t.reports_on_time),
                    base.fmt_percent(t.reports_on_time_percent, 1),
                ],
                [
                    "Deliverables",
                    base.fmt_number(t.deliverables_counted),
                    base.fmt_number(t.deliverables_on_time),
                    base.fmt_percent(t.deliverables_on_time_percent, 1),
                ],
            ],
            [W * 0.4, W * 0.2, W * 0.2, W * 0.2],
            numeric=(1, 2, 3),
        )
        yield base.para(
            f"Median days late (of {t.late_count} late): {base.fmt_number(t.median_days_late, 1)}. Median days "
            f"from submission to review decision (of {t.reviews_counted}): "
            f"{base.fmt_number(t.median_review_days, 1)}.",
        )
        yield base.para(TIMELINESS_NOTE, "muted")


def _project(page: ProjectPage, first: bool) -> Iterator[Flowable]:
    if not first:
        yield base.page_break()
    yield base.heading(page.heading, 1)
    yield base.para(page.title, "h3")
    yield base.para(
        f"{page.grantee} · {base.fmt_date(page.start)} to {base.fmt_date(page.end)} · budget "
        f"{base.fmt_money(page.budget)} · spent {base.fmt_money(page.expenditure)} "
        f"(burn rate {base.fmt_percent(page.burn_rate, 1)}, time elapsed {base.fmt_percent(page.time_elapsed, 1)}) · "
        f"milestones: {page.milestones_completed} completed, {page.milestones_open} open, "
        f"{page.milestones_overdue} overdue",
        "muted",
    )
    for block in page.outcomes:
        title = f"Outcome {block.code}: {block.statement}" if block.code else block.statement
        yield base.para(title, "h4")
        yield from base.chunked_table(
            INDICATOR_HEADER,
            (_indicator_row(line) for line in block.indicators),
            [W * 0.52, W * 0.13, W * 0.13, W * 0.1, W * 0.12],
            numeric=(1, 2, 3),
        )
    if not page.period:
        yield base.para("No approved report in the period range yet.", "h4")
        return
    yield base.para(f"Narrative of the approved report for {page.period}", "h4")
    for title, text in (
        ("Achievements", page.achievements),
        ("Challenges", page.challenges),
        ("Next steps", page.next_steps),
    ):
        yield base.para(title, "label")
        # One paragraph per line of the narrative: small paragraphs split across pages cheaply.
        lines = [line for line in text.splitlines() if line.strip()] or ["Not stated."]
        for line in lines:
            yield base.para(line)


def story(report: DonorReport) -> list[Flowable]:
    if report.is_empty:
        return [base.heading("Nothing to report"), base.para(report.empty_message)]
    flowables: list[Flowable] = [*_summary(report), *_funding(report), *_performance(report)]
    flowables += [*_milestones(report), base.page_break(), base.heading("Country projects")]
    flowables.append(base.para(f"One page per country project ({len(report.projects)}), in country order."))
    for index, page in enumerate(report.projects):
        flowables += _project(page, first=index == 0)
    return flowables


def render_pdf(report: DonorReport, stream: IO[bytes]) -> None:
    doc = base.ReportDocument(stream, title=report.title, scope_line=report.scope_line)
    h = report.headline
    cover = (
        []
        if report.is_empty
        else [
            f"{h.grants} grants · {h.countries} countries · {h.projects} country projects",
            f"Obligated funding {base.fmt_money(h.obligated)}",
        ]
    )
    doc.render(story(report), cover_lines=cover, generated_on=report.as_of)
