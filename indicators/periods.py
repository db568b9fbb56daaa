"""Reporting periods from a grant's dates and reporting frequency. Pure: dates in, period specs out.

Periods follow the US federal fiscal year (1 October to 30 September, named after the calendar year it ends
in): half-years Oct-Mar and Apr-Sep, quarters Oct-Dec, Jan-Mar, Apr-Jun, Jul-Sep, or the whole year. The first
and last periods are clipped to the grant's period of performance; a clipped period keeps its fiscal name and
says "partial" with its real dates in the label. Each report is due a fixed number of days after its period
ends (30 by default, the semi-annual technical progress report).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

DUE_AFTER_DAYS = 30
SEMIANNUAL = "semiannual"
QUARTERLY = "quarterly"
ANNUAL = "annual"
# Months per period; fiscal periods start in October, so the first period of each fiscal year starts there.
_MONTHS = {SEMIANNUAL: 6, QUARTERLY: 3, ANNUAL: 12}


@dataclass(frozen=True)
class PeriodSpec:
    label: str
    start: datetime.date
    end: datetime.date
    due: datetime.date
    is_partial: bool


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _month_end(year: int, month: int) -> datetime.date:
    next_year, next_month = _add_months(year, month, 1)
    return datetime.date(next_year, next_month, 1) - datetime.timedelta(days=1)


def _fiscal_start(day: datetime.date, months: int) -> datetime.date:
    """The first day of the fiscal period (of ``months`` months) that contains ``day``."""
    fiscal_year_start = datetime.date(day.year if day.month >= 10 else day.year - 1, 10, 1)
    elapsed = (day.year - fiscal_year_start.year) * 12 + day.month - 10
    year, month = _add_months(fiscal_year_start.year, 10, elapsed - elapsed % months)
    return datetime.date(year, month, 1)


def _name(start: datetime.date, months: int) -> str:
    fiscal_year = start.year + 1 if start.month >= 10 else start.year
    if months == 12:
        return f"FY{fiscal_year}"
    number = ((start.month - 10) % 12) // months + 1
    return f"FY{fiscal_year} {'H' if months == 6 else 'Q'}{number}"


def _range(start: datetime.date, end: datetime.date, partial: bool) -> str:
    if partial:
        return f"{start.day} {start:%b %Y} - {end.day} {end:%b %Y}, partial"
    if start.year == end.year:
        return f"{start:%b} - {end:%b %Y}"
    return f"{start:%b %Y} - {end:%b %Y}"


def fiscal_periods(
    start: datetime.date, end: datetime.date, frequency: str, *, due_after_days: int = DUE_AFTER_DAYS
) -> list[PeriodSpec]:
    """The reporting periods covering ``start``..``end`` (inclusive), in order."""
    if frequency not in _MONTHS:
        raise ValueError(f"Unknown reporting frequency: {frequency!r}")
    if end < start:
        raise ValueError("The period of performance ends before it starts.")
    months = _MONTHS[frequency]
    periods: list[PeriodSpec] = []
    period_start = _fiscal_start(start, months)
    while period_start <= end:
        last_year, last_month = _add_months(period_start.year, period_start.month, months - 1)
        period_end = _month_end(last_year, last_month)
        clipped_start, clipped_end = max(period_start, start), min(period_end, end)
        partial = (clipped_start, clipped_end) != (period_start, period_end)
        periods.append(
            PeriodSpec(
                label=f"{_name(period_start, months)} ({_range(clipped_start, clipped_end, partial)})",
                start=clipped_start,
                end=clipped_end,
                due=clipped_end + datetime.timedelta(days=due_after_days),
                is_partial=partial,
            )
        )
        period_start = period_end + datetime.timedelta(days=1)
    return periods
