"""Indicator performance tracking table (IPTT): every indicator x period x disaggregation cell of the projects
in scope, targets (original and revised) against approved actuals."""

from reports.registry import PDF, XLSX, ReportType, anyone, register
from reports.types.iptt.builder import TITLE, build
from reports.types.iptt.pdf import render_pdf
from reports.types.iptt.xlsx import render_xlsx

register(
    ReportType(
        code="iptt",
        title=TITLE,
        description=(
            "Per country project, every indicator and reporting period: original and revised targets, "
            "approved actuals, cumulative figures, percent of target and on-track status, broken down by "
            "disaggregation cell. The workbook has a wide sheet for reading and a long sheet for analysis."
        ),
        build=build,
        renderers={XLSX: render_xlsx, PDF: render_pdf},
        preview_template="reports/iptt_preview.html",
        allowed=anyone,
    )
)
