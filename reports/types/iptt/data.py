"""The indicator performance tracking table as plain data: what the preview, the workbook and the PDF show.

Figures per period are compact tuples (``PeriodFigures`` fields by position), not one object per period and
cell: the portfolio's table has over half a million of them, and ``IpttReport.tidy_rows`` streams them as the
long sheet's rows without building a second copy.

A report's ``projects`` is either a tuple (hand-built reports, tests) or a ``ProjectStream``: the builder's
projects, folded from the database a project at a time each time they are iterated, so a whole portfolio is
never in memory at once. Renderers that stream (the workbook) read the report's ``outline`` up front and then
make ONE pass over ``projects``; the PDF and the preview may iterate as they need (each pass queries again).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

NOTHING_TO_REPORT = (
    "Nothing to report: the projects in this scope have no indicators with targets or approved results in "
    "the chosen periods. Choose other grants, countries or a wider period range."
)

# Positions in a line's per-period tuple.
TARGET, ORIGINAL, ACTUAL, NUMERATOR, DENOMINATOR, CUMULATIVE, PERCENT, STATUS = range(8)
# (target revised, target original, actual figure, numerator, denominator, cumulative figure, percent of
# target achieved, status code) — figures are Decimal or None, the status a calculations.Track value.
PeriodFigures = tuple[
    Decimal | None,
    Decimal | None,
    Decimal | None,
    Decimal | None,
    Decimal | None,
    Decimal | None,
    Decimal | None,
    str,
]

STATUS_LABELS = {
    "on_track": "On track",
    "behind": "Behind",
    "ahead": "Ahead",
    "no_data": "No data",
    "no_target": "No target",
}

TIDY_HEADERS = (
    "award_number",
    "country_code",
    "project_id",
    "indicator_code",
    "cell_key",
    "period",
    "period_start",
    "period_end",
    "target_original",
    "target_revised",
    "actual",
    "numerator",
    "denominator",
    "cumulative",
    "percent_achieved",
    "status",
)


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime.date
    end: datetime.date


WIDTH = 8  # items of one period's figures


@dataclass(frozen=True)
class Line:
    """One disaggregation cell of one project indicator (``cell_key`` "" is the total), over the project's
    shown periods and for the life of the project.

    ``figures`` holds the periods' figures one after the other, ``WIDTH`` items a period, in one flat tuple:
    a tuple per period would cost half as much memory again at portfolio scale. ``periods`` gives them
    per period (``periods[i]`` belongs to ``Project.periods[i]``); ``Line.of`` builds a line from those."""

    cell_key: str
    label: str
    figures: tuple
    lop_target: Decimal | None = None
    original_lop_target: Decimal | None = None
    to_date: Decimal | None = None
    percent_achieved: Decimal | None = None
    status: str = "no_target"

    @classmethod
    def of(cls, cell_key: str, label: str, periods: Iterable[PeriodFigures], *rest: Any) -> Line:
        return cls(cell_key, label, tuple(itertools.chain.from_iterable(periods)), *rest)

    @property
    def periods(self) -> tuple[PeriodFigures, ...]:
        f = self.figures
        return tuple(f[i : i + WIDTH] for i in range(0, len(f), WIDTH))

    @property
    def is_total(self) -> bool:
        return self.cell_key == ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    measure_type: str  # count, money, percentage, ...
    rule: str  # calculations.Aggregation value
    lines: tuple[Line, ...]  # the total first, then each cell

    @property
    def total(self) -> Line:
        return self.lines[0]

    @property
    def is_percentage(self) -> bool:
        return self.measure_type == "percentage"


@dataclass(frozen=True)
class Project:
    project_id: int
    award_number: str
    country_code: str
    country: str
    title: str
    start: datetime.date
    end: datetime.date
    periods: tuple[Period, ...]
    indicators: tuple[Indicator, ...]

    @property
    def label(self) -> str:
        return f"{self.country} · {self.award_number}"

    @property
    def line_count(self) -> int:
        return sum(len(indicator.lines) for indicator in self.indicators)

    def tidy_rows(self) -> Iterator[tuple]:
        """One tuple per indicator x period x cell of this project, in ``TIDY_HEADERS`` order."""
        award, country, pid, periods = self.award_number, self.country_code, self.project_id, self.periods
        for indicator in self.indicators:
            code = indicator.code
            for line in indicator.lines:
                key, figures = line.cell_key, line.figures
                for i, period in enumerate(periods):
                    target, original, actual, numerator, denominator, cumulative, percent, status = figures[
                        i * WIDTH : (i + 1) * WIDTH
                    ]
                    yield (
                        award,
                        country,
                        pid,
                        code,
                        key,
                        period.label,
                        period.start,
                        period.end,
                        original,
                        target,
                        actual,
                        numerator,
                        denominator,
                        cumulative,
                        percent,
                        status,
                    )


@dataclass(frozen=True)
class Outline:
    """The report's shape, known before any figure is read: what a streaming renderer must write before its
    first data row (counts on the cover, an autofilter's extent, the wide sheet's period columns).

    ``periods`` holds each distinct shown period of every project once, in no particular order."""

    projects: int
    indicators: int
    lines: int  # indicator x cell lines, the wide sheet's data rows
    rows: int  # lines x periods, the tidy sheet's data rows
    periods: tuple[Period, ...]

    @classmethod
    def of(cls, projects: Iterable[Project]) -> Outline:
        counts = [0, 0, 0, 0]
        periods: dict[Period, None] = {}
        for project in projects:
            lines = project.line_count
            counts[0] += 1
            counts[1] += len(project.indicators)
            counts[2] += lines
            counts[3] += lines * len(project.periods)
            periods.update(dict.fromkeys(project.periods))
        return cls(*counts, periods=tuple(periods))


class ProjectStream:
    """A report's projects, produced on demand: each iteration calls ``produce`` for a fresh iterator (the
    builder's: it reads the figures again and folds them a project at a time). Never materialised here.

    Enough of a sequence for templates and tests: ``len()`` comes from the outline without reading a figure;
    an index or a slice (the preview's first ten) folds only as far as it needs and stops reading there."""

    def __init__(self, outline: Outline, produce: Callable[[], Iterator[Project]]) -> None:
        self.outline = outline
        self._produce = produce

    def __iter__(self) -> Iterator[Project]:
        return self._produce()

    def __len__(self) -> int:
        return self.outline.projects

    def __bool__(self) -> bool:
        return self.outline.projects > 0

    def __getitem__(self, index: int | slice) -> Project | tuple[Project, ...]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return tuple(itertools.islice(self, start, stop, step)) if step > 0 else tuple(self)[index]
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError("project index out of range")
        stream = iter(self)
        try:
            return next(itertools.islice(stream, position, None))
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # stop reading: the rest of the portfolio is not needed


@dataclass(frozen=True)
class IpttReport:
    title: str
    as_of: datetime.date
    band: Decimal  # the on-track band as a share (0.15 = within 15% of the expected value)
    period_from: datetime.date | None
    period_to: datetime.date | None
    projects: tuple[Project, ...] | ProjectStream

    @property
    def outline(self) -> Outline:
        """The shape, without reading a figure when the projects are a stream."""
        if isinstance(self.projects, ProjectStream):
            return self.projects.outline
        return Outline.of(self.projects)

    @property
    def is_empty(self) -> bool:
        return self.outline.indicators == 0

    @property
    def message(self) -> str:
        return NOTHING_TO_REPORT if self.is_empty else ""

    @property
    def row_count(self) -> int:
        return self.outline.rows

    @property
    def band_percent(self) -> Decimal:
        return self.band * 100

    def tidy_rows(self) -> Iterator[tuple]:
        """One tuple per project x indicator x period x cell, in ``TIDY_HEADERS`` order (one pass)."""
        for project in self.projects:
            yield from project.tidy_rows()
