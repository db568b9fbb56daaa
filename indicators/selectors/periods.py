"""Reads for a grant's reporting periods page: periods, each country project's report per period, the log."""

from __future__ import annotations

from dataclasses import dataclass

from grants.models import CountryProject, Grant
from indicators.models import ReportingPeriod, ReportingPeriodChange, Submission
from indicators.periods import fiscal_periods

# The log on the page shows the latest changes; generation alone writes one line per period.
CHANGE_LIMIT = 100


@dataclass(frozen=True)
class PeriodRow:
    period: ReportingPeriod
    # One entry per country project, in the page's project order: its report for the period, or None.
    reports: list[Submission | None]


@dataclass(frozen=True)
class GrantPeriods:
    projects: list[CountryProject]
    rows: list[PeriodRow]
    changes: list[ReportingPeriodChange]
    # Whether the stored periods are the ones the grant's dates and frequency give (else: generate again).
    in_sync: bool


def grant_periods_overview(grant: Grant) -> GrantPeriods:
    """Periods, projects, their reports and the change log of one grant, in four queries whatever the size."""
    periods = list(grant.reporting_periods.order_by("start_date"))
    projects = list(grant.country_projects.order_by("country"))
    reports = {
        (s.period_id, s.country_project_id): s
        for s in Submission.objects.filter(period__grant=grant).only(
            "pk", "status", "period_id", "country_project_id"
        )
    }
    rows = [PeriodRow(p, [reports.get((p.pk, project.pk)) for project in projects]) for p in periods]
    changes = list(
        ReportingPeriodChange.objects.filter(period__grant=grant).select_related("period", "actor")[
            :CHANGE_LIMIT
        ]
    )
    try:
        expected = [
            (s.label, s.start, s.end, s.due)
            for s in fiscal_periods(grant.start_date, grant.end_date, grant.reporting_frequency)
        ]
    except ValueError:
        expected = []
    stored = [(p.label, p.start_date, p.end_date, p.due_date) for p in periods]
    return GrantPeriods(projects, rows, changes, in_sync=stored == expected)
