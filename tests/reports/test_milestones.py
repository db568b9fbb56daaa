"""Milestone and deliverable tracker: the renderers read back from hand-built data, the builder against the
database with hand-counted figures, pinned query counts, isolation and the "nothing to report" report."""

from __future__ import annotations

import datetime
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from grants.models import MilestoneCategory, MilestoneStatus
from reports.registry import REGISTRY, no_progress, staff_only
from reports.scope import ReportScope
from reports.types.milestones.builder import NOTHING, build
from reports.types.milestones.data import (
    MilestoneCounts,
    MilestoneLine,
    MilestoneReport,
    SummarySection,
    TimelinessLine,
)
from reports.types.milestones.pdf import render_pdf
from reports.types.milestones.xlsx import render_xlsx
from tests.factories import CountryProjectFactory, GrantFactory, MilestoneFactory

D = datetime.date
TODAY = D(2025, 7, 10)


# --- renderers, from hand-built data ------------------------------------------------------------------------


def counts(label: str, *figures: int) -> MilestoneCounts:
    return MilestoneCounts(label, *figures)


def line(award: str, title: str, due: datetime.date, status: str, **kw) -> MilestoneLine:
    fields = dict(
        award_number=award,
        country="Perú",
        project="Niñez y educación",
        officer="Olivia Officer",
        title=title,
        category="Baseline study",
        deliverable=True,
        due_date=due,
        status=status,
        completed_on=None,
        days_late=0,
        overdue=False,
    )
    fields.update(kw)
    return MilestoneLine(**fields)


def hand_report(milestones: tuple[MilestoneLine, ...] | None = None) -> MilestoneReport:
    a = counts("IL-1-24", 3, 2, 1, 1, 1, 1, 0, 0)
    b = counts("=SUM(A1:A9)", 1, 0, 0, 0, 0, 0, 1, 0)
    total = counts("Total", 4, 2, 1, 1, 1, 1, 1, 0)
    milestones = milestones or (
        line("IL-1-24", "Línea de base", D(2025, 6, 30), "Planned", days_late=10, overdue=True),
        line("IL-1-24", "-5 schools visited", D(2025, 7, 20), "In progress", deliverable=False),
        line("IL-1-24", "Work plan", D(2025, 3, 1), "Completed", completed_on=D(2025, 2, 27)),
        line(
            "=SUM(A1:A9)",
            "@risk review",
            D(2025, 3, 1),
            "Completed",
            completed_on=D(2025, 3, 11),
            days_late=10,
        ),
    )
    return MilestoneReport(
        title="Tracker for São Tomé",
        as_of=TODAY,
        scope_lines=("Grants: IL-1-24.", "Figures as of 10 July 2025."),
        due_soon_days=30,
        due_ahead_days=90,
        sections=(
            SummarySection("By grant", (a, b), total),
            SummarySection("By country", (counts("Perú", 4, 2, 1, 1, 1, 1, 1, 0),), total),
            SummarySection("By officer", (counts("Olivia Officer", 4, 2, 1, 1, 1, 1, 1, 0),), total),
        ),
        milestones=milestones,
        timeliness=(
            TimelinessLine(
                "IL-1-24", 4, 3, Decimal("75.0"), 2, 1, Decimal("50.0"), 2, Decimal("12.5"), 3, Decimal("9")
            ),
            TimelinessLine("=SUM(A1:A9)", 0, 0, None, 1, 1, Decimal("100.0"), 0, None, 0, None),
        ),
        timeliness_total=TimelinessLine(
            "Total", 4, 3, Decimal("75.0"), 3, 2, Decimal("66.7"), 2, Decimal("12.5"), 3, Decimal("9")
        ),
    )


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_xlsx_has_one_sheet_per_section_with_counts_read_back():
    stream = io.BytesIO()
    render_xlsx(hand_report(), stream)
    book = load_workbook(io.BytesIO(stream.getvalue()))
    assert book.sheetnames == ["Overview", "By grant", "By country", "By officer", "Timeliness", "Milestones"]
    by_grant = book["By grant"]
    assert rows_of(by_grant) == [
        [
            "Award number",
            "Milestones",
            "Open",
            "Overdue",
            "Due in the next 30 days",
            "Due in the next 90 days",
            "Completed on time",
            "Completed late",
            "Cancelled",
        ],
        ["IL-1-24", 3, 2, 1, 1, 1, 1, 0, 0],
        ["=SUM(A1:A9)", 1, 0, 0, 0, 0, 0, 1, 0],
        ["Total", 4, 2, 1, 1, 1, 1, 1, 0],
    ]
    assert by_grant["A3"].data_type == "s"  # text, never a formula
    assert by_grant["A4"].font.b
    assert by_grant.freeze_panes == "B2"
    assert by_grant.auto_filter.ref == "A1:I3"
    assert rows_of(book["By officer"])[1] == ["Olivia Officer", 4, 2, 1, 1, 1, 1, 1, 0]
    overview = [row[0] for row in rows_of(book["Overview"]) if row and row[0]]
    assert overview[:3] == ["Tracker for São Tomé", "Grants: IL-1-24.", "Figures as of 10 July 2025."]


def test_xlsx_timeliness_sheet_has_real_numbers_and_dashes_for_nothing_counted():
    stream = io.BytesIO()
    render_xlsx(hand_report(), stream)
    sheet = load_workbook(io.BytesIO(stream.getvalue()))["Timeliness"]
    rows = rows_of(sheet)
    assert rows[0][:4] == ["Award number", "Reports counted", "Reports on time", "Reports on time (%)"]
    assert rows[1] == ["IL-1-24", 4, 3, 75, 2, 1, 50, 2, 12.5, 3, 9]
    assert rows[2] == ["=SUM(A1:A9)", 0, 0, None, 1, 1, 100, 0, None, 0, None]
    assert rows[3] == ["Total", 4, 3, 75, 3, 2, 66.7, 2, 12.5, 3, 9]
    assert sheet["A3"].data_type == "s" and sheet["D2"].number_format == '0.0"%"'
    assert sheet.freeze_panes == "B2" and sheet["A4"].font.b
    assert rows[5][0].startswith("Timeliness: a report is on time when first submitted")


def test_xlsx_milestone_list_has_real_dates_and_text_that_is_never_a_formula():
    stream = io.BytesIO()
    render_xlsx(hand_report(), stream)
    sheet = load_workbook(io.BytesIO(stream.getvalue()))["Milestones"]
    rows = rows_of(sheet)
    assert rows[0] == [
        "Award number",
        "Country",
        "Project",
        "Program officer",
        "Milestone",
        "Category",
        "Deliverable",
        "Due date",
        "Status",
        "Completed on",
        "Days late",
    ]
    assert rows[1] == [
        "IL-1-24",
        "Perú",
        "Niñez y educación",
        "Olivia Officer",
        "Línea de base",
        "Baseline study",
        "Yes",
        datetime.datetime(2025, 6, 30),
        "Planned",
        None,
        10,
    ]
    assert rows[4][0] == "=SUM(A1:A9)" and rows[4][4] == "@risk review"
    assert rows[4][9] == datetime.datetime(2025, 3, 11) and rows[4][10] == 10
    assert rows[2][4] == "-5 schools visited" and rows[2][6] == "No"
    for cell in ("A5", "E3", "E5"):
        assert sheet[cell].data_type == "s"
    assert sheet["H2"].number_format == "yyyy-mm-dd" and sheet["H2"].is_date
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == "A1:K5"


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_pdf_has_cover_contents_tables_and_page_numbers(tmp_path):
    stream = io.BytesIO()
    render_pdf(hand_report(), stream)
    pages = pdf_text(stream.getvalue(), tmp_path).split("\f")
    assert "Tracker for São Tomé" in pages[0] and "Grants: IL-1-24." in pages[0]
    assert "Contents" in pages[1] and "By officer" in pages[1]
    body = "\n".join(pages[2:])
    assert "Page 3 of" in body
    assert "Línea de base" in body and "Niñez" not in pages[0]
    lines = [" ".join(text.split()) for text in body.splitlines()]
    assert "IL-1-24 3 2 1 1 1 1 0 0" in lines
    assert "Total 4 2 1 1 1 1 1 0" in lines
    assert any(
        text.startswith("=SUM(A1:A9) Perú @risk review") and text.endswith("2025-03-11 10") for text in lines
    )
    assert "Timeliness" in pages[1]
    assert "IL-1-24 3 of 4 75.0% 1 of 2 50.0% 2 12.5 9.0" in lines
    dash = "\N{EN DASH}"
    assert f"=SUM(A1:A9) {dash} {dash} 1 of 1 100.0% 0 {dash} {dash}" in lines
    assert "Total 3 of 4 75.0% 2 of 3 66.7% 2 12.5 9.0" in lines


def test_pdf_long_list_is_split_into_pages_with_the_header_repeated(tmp_path):
    many = tuple(line("IL-1-24", f"Visit {n}", D(2025, 1, 1), "Planned") for n in range(150))
    stream = io.BytesIO()
    render_pdf(hand_report(many), stream)
    pages = pdf_text(stream.getvalue(), tmp_path).split("\f")
    with_list = [page for page in pages if "Visit " in page]
    assert len(with_list) >= 3
    # The header at the top of every page of the list, and only once a page.
    assert all(page.count("Award number") == 1 and "Days late" in page for page in with_list)
    assert sum(page.count("Visit ") for page in with_list) == 150


def test_empty_report_renders_nothing_to_report(tmp_path):
    empty = MilestoneReport("Tracker", TODAY, ("Figures as of 10 July 2025.",), 30, 90, (), (), NOTHING)
    xlsx, pdf = io.BytesIO(), io.BytesIO()
    render_xlsx(empty, xlsx)
    render_pdf(empty, pdf)
    book = load_workbook(io.BytesIO(xlsx.getvalue()))
    assert book.sheetnames == ["Overview"]
    assert NOTHING in [row[0] for row in rows_of(book["Overview"])]
    assert "Nothing to report: there are no milestones in this scope." in pdf_text(pdf.getvalue(), tmp_path)


def test_registered_for_staff_with_both_formats():
    spec = REGISTRY["milestones"]
    assert (spec.title, spec.formats, spec.allowed) == (
        "Milestone and deliverable tracker",
        ("xlsx", "pdf"),
        staff_only,
    )
    assert spec.preview_template == "reports/milestones_preview.html"


# --- builder, against the database --------------------------------------------------------------------------


@pytest.fixture
def tracked(world, settings):
    """On top of the world's two milestones (both planned, due 30 Jun 2025: overdue by 10 days on TODAY),
    grant A's Guatemala project gets one milestone of each other kind."""
    settings.DUE_SOON_DAYS = 30
    project = world.project_a
    MilestoneFactory(
        country_project=project,
        title="Work plan",
        category=MilestoneCategory.WORK_PLAN,
        due_date=D(2025, 5, 1),
        status=MilestoneStatus.COMPLETED,
        completed_on=D(2025, 4, 28),
    )
    MilestoneFactory(
        country_project=project,
        title="CMEP",
        category=MilestoneCategory.CMEP,
        due_date=D(2025, 3, 1),
        status=MilestoneStatus.COMPLETED,
        completed_on=D(2025, 3, 11),
    )
    MilestoneFactory(country_project=project, title="Teacher training", due_date=D(2025, 7, 20))
    MilestoneFactory(
        country_project=project,
        title="Midterm evaluation",
        category=MilestoneCategory.MIDTERM_EVALUATION,
        due_date=D(2025, 9, 15),
        status=MilestoneStatus.IN_PROGRESS,
    )
    MilestoneFactory(
        country_project=project, title="Fair", due_date=D(2025, 6, 1), status=MilestoneStatus.CANCELLED
    )
    return world


def figures(c: MilestoneCounts) -> tuple:
    return (
        c.label,
        c.total,
        c.open,
        c.overdue,
        c.due_soon,
        c.due_ahead,
        c.completed_on_time,
        c.completed_late,
        c.cancelled,
    )


def test_builder_counts_by_grant_country_and_officer(tracked, manager):
    report = build(ReportScope(as_of=TODAY), manager, no_progress)
    by_grant, by_country, by_officer = report.sections
    assert [figures(c) for c in by_grant.rows] == [
        ("IL-11111-24-75-K", 6, 3, 1, 1, 2, 1, 1, 1),
        ("IL-22222-24-75-K", 1, 1, 1, 0, 0, 0, 0, 0),
    ]
    assert figures(by_grant.total) == ("Total", 7, 4, 2, 1, 2, 1, 1, 1)
    assert [figures(c) for c in by_country.rows] == [
        ("Guatemala", 6, 3, 1, 1, 2, 1, 1, 1),
        ("Kenya", 1, 1, 1, 0, 0, 0, 0, 0),
    ]
    assert [figures(c) for c in by_officer.rows] == [
        ("Olivia Officer", 6, 3, 1, 1, 2, 1, 1, 1),
        ("Omar Other", 1, 1, 1, 0, 0, 0, 0, 0),
    ]
    assert (report.due_soon_days, report.due_ahead_days, report.empty_message) == (30, 90, "")


def test_builder_lists_milestones_with_days_late(tracked, manager):
    report = build(ReportScope(as_of=TODAY), manager, no_progress)
    listed = [
        (m.award_number[:8], m.country, m.title, m.due_date, m.status, m.completed_on, m.days_late, m.overdue)
        for m in report.milestones
    ]
    assert listed == [
        ("IL-11111", "Guatemala", "CMEP", D(2025, 3, 1), "Completed", D(2025, 3, 11), 10, False),
        ("IL-11111", "Guatemala", "Work plan", D(2025, 5, 1), "Completed", D(2025, 4, 28), 0, False),
        ("IL-11111", "Guatemala", "Fair", D(2025, 6, 1), "Cancelled", None, 0, False),
        ("IL-11111", "Guatemala", "Baseline study Guatemala", D(2025, 6, 30), "Planned", None, 10, True),
        ("IL-22222", "Kenya", "Baseline study Kenya", D(2025, 6, 30), "Planned", None, 10, True),
        ("IL-11111", "Guatemala", "Teacher training", D(2025, 7, 20), "Planned", None, 0, False),
        ("IL-11111", "Guatemala", "Midterm evaluation", D(2025, 9, 15), "In progress", None, 0, False),
    ]
    cmep = report.milestones[0]
    assert cmep.category == "Comprehensive monitoring and evaluation plan (CMEP)" and cmep.deliverable
    assert report.milestones[5].deliverable is False and report.milestones[5].officer == "Olivia Officer"


def test_builder_period_range_bounds_due_dates(tracked, manager):
    scope = ReportScope(as_of=TODAY, period_from=D(2025, 6, 1), period_to=D(2025, 7, 31))
    report = build(scope, manager, no_progress)
    assert [m.title for m in report.milestones] == [
        "Fair",
        "Baseline study Guatemala",
        "Baseline study Kenya",
        "Teacher training",
    ]
    assert "Milestones due from 01 June 2025 to 31 July 2025." in report.scope_lines


def test_grantee_sees_only_its_own_organisations_milestones(tracked, grantee_b):
    report = build(ReportScope(as_of=TODAY), grantee_b, no_progress)
    assert [m.title for m in report.milestones] == ["Baseline study Kenya"]
    assert [c.label for c in report.sections[0].rows] == ["IL-22222-24-75-K"]


def test_timeliness_of_the_scope_by_grant_counted_by_hand(tracked, manager):
    """Grant A's deliverables: the work plan completed 3 days early (on time), the CMEP 10 days late, the
    midterm evaluation due in September (not counted yet). The world's activities are not deliverables, and
    neither grant has reporting periods, so grant B has nothing counted and no line."""
    report = build(ReportScope(as_of=TODAY), manager, no_progress)
    assert report.timeliness == (
        TimelinessLine("IL-11111-24-75-K", 0, 0, None, 2, 1, Decimal("50.0"), 1, Decimal("10.0"), 0, None),
    )
    assert report.timeliness_total == TimelinessLine(
        "Total", 0, 0, None, 2, 1, Decimal("50.0"), 1, Decimal("10.0"), 0, None
    )
    only_b = build(ReportScope(as_of=TODAY, countries=("KE",)), manager, no_progress)
    assert only_b.timeliness == () and only_b.timeliness_total.deliverables_counted == 0


def test_scope_with_no_milestones_is_a_nothing_to_report_report(tracked, manager):
    report = build(ReportScope(as_of=TODAY, countries=("PE",)), manager, no_progress)
    assert report.is_empty and report.milestones == () and report.sections == ()
    assert report.empty_message == NOTHING


def _more_grants(officer, count: int) -> None:
    for n in range(count):
        grant = GrantFactory(program_officer=officer)
        for country in ("PE", "CO"):
            project = CountryProjectFactory(grant=grant, country=country)
            MilestoneFactory(country_project=project, title=f"Extra {n}{country}")


@pytest.mark.parametrize("extra", [0, 4])
def test_builder_query_count_does_not_grow_with_grants(
    tracked, manager, officer, extra, django_assert_num_queries
):
    _more_grants(officer, extra)
    # The milestones; timeliness: report pairs (none here: no reporting periods, so their reports are not
    # read), deliverables, the review trail.
    with django_assert_num_queries(4):
        report = build(ReportScope(as_of=TODAY), manager, no_progress)
    assert len(report.milestones) == 7 + 2 * extra
    with django_assert_num_queries(5):  # asking by grant id adds the check that the grants still exist
        build(ReportScope(as_of=TODAY, grant_ids=(tracked.grant_a.pk,)), manager, no_progress)


def test_preview_template_shows_counts_and_the_empty_message(tracked, manager):
    from django.template.loader import render_to_string

    html = render_to_string(
        "reports/milestones_preview.html", {"report": build(ReportScope(as_of=TODAY), manager, no_progress)}
    )
    assert "IL-11111-24-75-K" in html and "Due in the next 30 days" in html and "Teacher training" in html
    empty = build(ReportScope(as_of=TODAY, countries=("PE",)), manager, no_progress)
    assert NOTHING in render_to_string("reports/milestones_preview.html", {"report": empty})
