"""The financial summary as plain data: what the builder returns and the renderers read.

Money is Decimal in USD. Percentages (burn rate, time elapsed) are in percent with one decimal, computed once
by the builder with indicators.calculations; None where there is nothing to divide by or nothing reported.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class GrantLine:
    award_number: str
    title: str
    grantee: str
    officer: str
    status: str
    countries: str  # the countries of the grant's projects in scope, comma separated
    start_date: datetime.date
    end_date: datetime.date
    original_obligated: Decimal
    obligated: Decimal  # current, after modifications
    modifications: int
    expenditure: Decimal  # latest approved cumulative expenditure, added over the grant's projects in scope
    burn_rate: Decimal | None  # expenditure / current obligation, percent
    time_elapsed: Decimal  # share of the period of performance elapsed, percent
    partial: bool  # some of the grant's projects are outside the scope: expenditure covers only those in it


@dataclass(frozen=True)
class CountryLine:
    country: str
    projects: int
    budget: Decimal  # the country projects' budgets
    expenditure: Decimal
    burn_rate: Decimal | None  # expenditure / budget, percent
    time_elapsed: Decimal  # from the earliest project start to the latest project end, percent


@dataclass(frozen=True)
class ProjectLine:
    award_number: str
    country: str
    title: str
    budget: Decimal
    expenditure: Decimal | None  # None: no approved report with an expenditure yet
    reported_period: str  # the label of the period of the report the expenditure comes from
    reported_period_end: datetime.date | None
    burn_rate: Decimal | None
    time_elapsed: Decimal


@dataclass(frozen=True)
class ModificationLine:
    award_number: str
    number: int
    kind: str
    effective_date: datetime.date
    amount_change: Decimal
    obligated_before: Decimal
    obligated_after: Decimal
    end_date_before: datetime.date
    end_date_after: datetime.date
    reason: str


@dataclass(frozen=True)
class Totals:
    original_obligated: Decimal
    obligated: Decimal
    budget: Decimal
    expenditure: Decimal
    burn_rate: Decimal | None  # total expenditure / total current obligation
    budget_burn_rate: Decimal | None  # total expenditure / total budget of the projects in scope
    modifications: int
    amount_modified: Decimal  # the sum of the modifications' changes to the obligated amount


@dataclass(frozen=True)
class FinancialReport:
    title: str
    as_of: datetime.date
    scope_lines: tuple[str, ...]
    expenditure_basis: str  # which reports the expenditure comes from, in words
    grants: tuple[GrantLine, ...]
    countries: tuple[CountryLine, ...]
    projects: tuple[ProjectLine, ...]
    modifications: tuple[ModificationLine, ...]
    totals: Totals
    empty_message: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.grants

    @property
    def has_partial_grants(self) -> bool:
        return any(g.partial for g in self.grants)
