"""Builds the milestone and deliverable tracker: one query for the milestones in scope, folded in Python.

"Overdue" and "due soon" are the portfolio milestone list's own rules, not redefined here: overdue is
``Milestone.is_overdue`` (open and past its due date) with ``days_overdue`` from the milestone selectors, and
due soon is ``MilestoneQuerySet.due_within`` (open, due from today to DUE_SOON_DAYS ahead), evaluated in the
same query as an annotation. The report adds a longer look-ahead (DUE_AHEAD_DAYS) with the same rule.
A completed milestone is late when it was completed after its due date.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef

from grants.countries import country_name
from grants.models import DELIVERABLE_CATEGORIES, Milestone, MilestoneStatus, User
from grants.models.project import OPEN_MILESTONE_STATUSES
from grants.selectors.milestone_selectors import days_overdue
from indicators.deadlines import Timeliness
from indicators.selectors.deadlines import timeliness_figures
from reports.registry import Progress
from reports.scope import ReportScope, scope_projects
from reports.types.milestones.data import (
    MilestoneCounts,
    MilestoneLine,
    MilestoneReport,
    SummarySection,
    TimelinessLine,
)
from reports.types.milestones.scope_text import range_text, scope_lines

TITLE = "Milestone and deliverable tracker"
DUE_AHEAD_DAYS = 90
NOTHING = (
    "Nothing to report: there are no milestones in this scope. Choose other grants, countries or dates, "
    "or add the milestones to the country projects first."
)


def _within(today: datetime.date, days: int) -> Exists:
    return Exists(Milestone.objects.filter(pk=OuterRef("pk")).due_within(today, days))


@dataclass(frozen=True)
class _Row:
    line: MilestoneLine
    status: str
    due_soon: bool
    due_ahead: bool

    @property
    def completed_late(self) -> bool:
        return self.status == MilestoneStatus.COMPLETED and self.line.days_late > 0


def _counts(label: str, rows: Sequence[_Row]) -> MilestoneCounts:
    completed = [row for row in rows if row.status == MilestoneStatus.COMPLETED]
    return MilestoneCounts(
        label=label,
        total=len(rows),
        open=sum(1 for row in rows if row.status in OPEN_MILESTONE_STATUSES),
        overdue=sum(1 for row in rows if row.line.overdue),
        due_soon=sum(1 for row in rows if row.due_soon),
        due_ahead=sum(1 for row in rows if row.due_ahead),
        completed_on_time=sum(1 for row in completed if not row.completed_late),
        completed_late=sum(1 for row in completed if row.completed_late),
        cancelled=sum(1 for row in rows if row.status == MilestoneStatus.CANCELLED),
    )


def timeliness_line(label: str, figures: Timeliness) -> TimelinessLine:
    return TimelinessLine(
        label=label,
        reports_counted=figures.reports_counted,
        reports_on_time=figures.reports_on_time,
        reports_on_time_percent=figures.reports_on_time_percent,
        deliverables_counted=figures.deliverables_counted,
        deliverables_on_time=figures.deliverables_on_time,
        deliverables_on_time_percent=figures.deliverables_on_time_percent,
        late_count=figures.late_count,
        median_days_late=figures.median_days_late,
        reviews_counted=figures.reviews_counted,
        median_review_days=figures.median_review_days,
    )


def build(scope: ReportScope, user: User | None, progress: Progress) -> MilestoneReport:
    today = scope.today()
    soon_days = settings.DUE_SOON_DAYS
    progress(0, 3, "Reading milestones")
    projects = scope_projects(scope, user)
    milestones = (
        Milestone.objects.filter(country_project__in=projects.values("pk"))
        .select_related("country_project__grant__program_officer")
        .annotate(due_soon=_within(today, soon_days), due_ahead=_within(today, DUE_AHEAD_DAYS))
        .order_by("due_date", "country_project__grant__award_number", "country_project__country", "pk")
    )
    if scope.period_from:
        milestones = milestones.filter(due_date__gte=scope.period_from)
    if scope.period_to:
        milestones = milestones.filter(due_date__lte=scope.period_to)

    rows: list[_Row] = []
    for m in milestones:
        project = m.country_project
        grant = project.grant
        if m.status == MilestoneStatus.COMPLETED and m.completed_on and m.completed_on > m.due_date:
            late = (m.completed_on - m.due_date).days
        else:
            late = days_overdue(m, today)
        line = MilestoneLine(
            award_number=grant.award_number,
            country=country_name(project.country.code),
            project=project.title,
            officer=str(grant.program_officer),
            title=m.title,
            category=m.get_category_display(),
            deliverable=m.category in DELIVERABLE_CATEGORIES,
            due_date=m.due_date,
            status=m.get_status_display(),
            completed_on=m.completed_on,
            days_late=late,
            overdue=m.is_overdue(today),
        )
        rows.append(_Row(line, m.status, m.due_soon, m.due_ahead))
    progress(1, 3, "Counting by grant, country and officer")

    def section(title: str, key: Callable[[MilestoneLine], str]) -> SummarySection:
        groups: dict[str, list[_Row]] = defaultdict(list)
        for row in rows:
            groups[key(row.line)].append(row)
        counts = tuple(_counts(label, members) for label, members in sorted(groups.items()))
        return SummarySection(title, counts, _counts("Total", rows))

    sections = (
        section("By grant", lambda line: line.award_number),
        section("By country", lambda line: line.country),
        section("By officer", lambda line: line.officer),
    )
    progress(2, 3, "Timeliness of reports and deliverables")
    # The whole history of the scope's projects, whatever the milestone date range: timeliness is a record.
    timeliness = timeliness_figures(user=user, today=today, projects=projects)
    lines = tuple(row.line for row in rows)
    report = MilestoneReport(
        title=scope.title or TITLE,
        as_of=today,
        scope_lines=scope_lines(
            scope,
            (line.award_number for line in lines),
            (line.country for line in lines),
            dates=range_text(scope, "Milestones due"),
        ),
        due_soon_days=soon_days,
        due_ahead_days=DUE_AHEAD_DAYS,
        sections=sections if lines else (),
        milestones=lines,
        empty_message="" if lines else NOTHING,
        timeliness=tuple(timeliness_line(g.award_number, g.timeliness) for g in timeliness.by_grant)
        if lines
        else (),
        timeliness_total=timeliness_line("Total", timeliness.portfolio) if lines else None,
    )
    progress(3, 3, "Done")
    return report
