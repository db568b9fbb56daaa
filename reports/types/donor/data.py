"""The portfolio donor report as plain data: what the builder computes and every renderer prints.

Frozen dataclasses of Decimal, date, int and str only. Money is US dollars; percentages are in percent
(12.5 means 12.5%), as ``indicators.calculations`` gives them. None means "not known" (never zero).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from reports.types.milestones.data import TimelinessLine


@dataclass(frozen=True)
class Headline:
    """The executive summary's figures."""

    grants: int
    countries: int
    projects: int
    obligated: Decimal
    budget: Decimal
    expenditure: Decimal
    burn_rate: Decimal | None  # expenditure against obligated funding
    time_elapsed: Decimal | None  # of the grants' periods of performance, first start to last end
    children_female: Decimal | None
    children_male: Decimal | None
    children_total: Decimal | None
    households: Decimal | None
    children_indicator: str  # "E1 Children engaged in ...": where the children figures come from
    households_indicator: str


@dataclass(frozen=True)
class FundingLine:
    """Funding of one country (project budgets) or one theme (grants' obligated amounts)."""

    name: str
    grants: int
    projects: int
    funding: Decimal
    expenditure: Decimal
    burn_rate: Decimal | None
    time_elapsed: Decimal | None


@dataclass(frozen=True)
class IndicatorLine:
    """One indicator's figures to date: portfolio-wide, or in one project under one outcome."""

    code: str
    name: str
    unit: str
    lop_target: Decimal | None
    actual: Decimal | None  # to date, by the indicator's rule (a percentage for ratios)
    percent_achieved: Decimal | None
    status: str  # "On track", "Behind", "Ahead", "No data", "No target"
    as_of: str  # label of the latest approved period counted, "" when none
    is_percentage: bool = False


@dataclass(frozen=True)
class OutcomeBlock:
    """A country project's outcome (result node) and the indicators that measure it."""

    project: str  # "Guatemala · IL-2024-001"
    code: str  # the outcome's code, "" for indicators not attached to an outcome
    statement: str
    indicators: tuple[IndicatorLine, ...]


@dataclass(frozen=True)
class MilestoneCount:
    status: str  # "Completed", ..., and "Overdue" (open past due) listed apart
    count: int


@dataclass(frozen=True)
class ProjectPage:
    """A country project's page: its facts and the narrative of its latest approved report in scope."""

    country: str
    award_number: str
    title: str
    grantee: str
    start: datetime.date
    end: datetime.date
    budget: Decimal
    expenditure: Decimal | None
    burn_rate: Decimal | None
    time_elapsed: Decimal | None
    milestones_completed: int
    milestones_open: int
    milestones_overdue: int
    period: str  # label of the report the narrative comes from, "" when there is none
    achievements: str
    challenges: str
    next_steps: str
    outcomes: tuple[OutcomeBlock, ...] = ()  # its indicators grouped by the outcome they measure

    @property
    def heading(self) -> str:
        return f"{self.country} — {self.award_number}"


@dataclass(frozen=True)
class DonorReport:
    title: str
    scope_line: str  # one line: grants, countries and period range covered
    as_of: datetime.date
    headline: Headline
    countries: tuple[FundingLine, ...]
    themes: tuple[FundingLine, ...]
    indicators: tuple[IndicatorLine, ...]  # portfolio-wide, one per indicator
    milestones: tuple[MilestoneCount, ...]
    projects: tuple[ProjectPage, ...]
    empty_message: str = ""  # set when the scope has nothing to report
    # Reports and deliverables on time, days late, review turnaround, over the scope's whole history.
    timeliness: TimelinessLine | None = None

    @property
    def is_empty(self) -> bool:
        return bool(self.empty_message)

    @property
    def outcomes(self) -> tuple[OutcomeBlock, ...]:
        """Every project's outcome blocks, in project order."""
        return tuple(block for page in self.projects for block in page.outcomes)


NOTHING_TO_REPORT = (
    "Nothing to report: the scope you chose has no country projects with funding, indicators or reports. "
    "Choose other grants, countries or a wider period range."
)
