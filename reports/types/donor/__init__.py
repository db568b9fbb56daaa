"""Portfolio donor report: headline figures, funding by country and theme, indicator performance by outcome,
milestones, and a page per country project with its latest approved narrative."""

from reports.registry import PDF, XLSX, ReportType, register, staff_only
from reports.types.donor.builder import TITLE, build
from reports.types.donor.pdf import render_pdf
from reports.types.donor.xlsx import render_xlsx

register(
    ReportType(
        code="donor",
        title=TITLE,
        description=(
            "For donors and leadership: grants, countries, obligated funding, expenditure and burn rate, children "
            "and households reached, funding by country and theme with charts, indicator performance by "
            "outcome, milestone status and a page per country project with its latest approved narrative."
        ),
        build=build,
        renderers={XLSX: render_xlsx, PDF: render_pdf},
        preview_template="reports/donor_preview.html",
        allowed=staff_only,
    )
)
