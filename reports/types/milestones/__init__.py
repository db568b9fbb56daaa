"""Milestone and deliverable tracker: what is due, late and completed, by grant, country and officer."""

from reports.registry import PDF, XLSX, ReportType, register, staff_only
from reports.types.milestones.builder import TITLE, build
from reports.types.milestones.pdf import render_pdf
from reports.types.milestones.xlsx import render_xlsx

register(
    ReportType(
        code="milestones",
        title=TITLE,
        description=(
            "Milestones and deliverables due, overdue and completed (on time or late), counted by grant, "
            "country and program officer, with the list of milestones."
        ),
        build=build,
        renderers={XLSX: render_xlsx, PDF: render_pdf},
        preview_template="reports/milestones_preview.html",
        allowed=staff_only,
    )
)
