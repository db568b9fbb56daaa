"""Financial summary: obligations, modifications, expenditure to date and burn rate, by grant and country."""

from reports.registry import PDF, XLSX, ReportType, register, staff_only
from reports.types.financial.builder import TITLE, build
from reports.types.financial.pdf import render_pdf
from reports.types.financial.xlsx import render_xlsx

register(
    ReportType(
        code="financial",
        title=TITLE,
        description=(
            "Original and current obligations, modifications, expenditure to date from approved reports and "
            "burn rate against time elapsed, by grant, country and country project."
        ),
        build=build,
        renderers={XLSX: render_xlsx, PDF: render_pdf},
        preview_template="reports/financial_preview.html",
        allowed=staff_only,
    )
)
