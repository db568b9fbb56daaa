"""What a report covers: the scope chosen in the builder, and the country projects it resolves to for a user.

A scope is plain data (it is saved with a report definition and a run as JSON). Resolving it always starts
from what the user may see (grants.access): a grantee's scope never reaches another organisation's projects,
whatever ids a saved definition or a forged request holds; ids that are not visible are dropped, and
``ScopeProblem`` says so when nothing is left of what was asked.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import QuerySet

from grants.access import country_projects_visible_to
from grants.models import CountryProject, User
from indicators.models import ReportingPeriod


class ScopeProblem(ValueError):
    """The scope cannot make a report: ``message`` says why, for the person who chose it."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class ReportScope:
    """Empty tuples mean "all" (all visible grants, every country, theme and indicator). ``period_from`` and
    ``period_to`` bound the reporting periods by their start dates (inclusive); None leaves that end open."""

    grant_ids: tuple[int, ...] = ()
    project_ids: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()  # ISO 3166 alpha-2 codes
    theme_ids: tuple[int, ...] = ()
    indicator_codes: tuple[str, ...] = ()
    period_from: datetime.date | None = None
    period_to: datetime.date | None = None
    title: str = ""  # shown on the cover and in running headers; the report type's title when empty
    as_of: datetime.date | None = None  # the day figures are computed for (today when None)

    def __post_init__(self) -> None:
        if self.period_from and self.period_to and self.period_from > self.period_to:
            raise ScopeProblem(
                f"The period range is reversed: it starts on {self.period_from:%d %b %Y} and ends on "
                f"{self.period_to:%d %b %Y}. Swap the two dates.",
                field="period_to",
            )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("period_from", "period_to", "as_of"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportScope:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("grant_ids", "project_ids", "theme_ids"):
            known[key] = tuple(int(v) for v in known.get(key) or ())
        for key in ("countries", "indicator_codes"):
            known[key] = tuple(str(v) for v in known.get(key) or ())
        for key in ("period_from", "period_to", "as_of"):
            value = known.get(key)
            known[key] = datetime.date.fromisoformat(value) if value else None
        return cls(**known)

    def today(self) -> datetime.date:
        return self.as_of or datetime.date.today()


def scope_projects(scope: ReportScope, user: User | None) -> QuerySet[CountryProject]:
    """The country projects a scope covers for ``user`` (None: a system run, everything): visible ones only.

    Raises ScopeProblem when grants or projects were asked for by id and none of them is visible (a saved
    definition whose grants were deleted, or another organisation's ids): an empty report would hide that.
    """
    projects = CountryProject.objects.all() if user is None else country_projects_visible_to(user)
    if scope.grant_ids:
        projects = projects.filter(grant_id__in=scope.grant_ids)
    if scope.project_ids:
        projects = projects.filter(pk__in=scope.project_ids)
    if (scope.grant_ids or scope.project_ids) and not projects.exists():
        raise ScopeProblem(
            "None of the grants or country projects this report was set up for exists any more, or you may "
            "not see them. Choose the grants again.",
            field="grants",
        )
    if scope.countries:
        projects = projects.filter(country__in=scope.countries)
    if scope.theme_ids:
        projects = projects.filter(grant__themes__in=scope.theme_ids).distinct()
    return projects


def scope_periods(scope: ReportScope, projects: QuerySet[CountryProject]) -> QuerySet[ReportingPeriod]:
    """The reporting periods of the projects' grants within the scope's range, oldest first."""
    periods = ReportingPeriod.objects.filter(grant__in=projects.values("grant"))
    if scope.period_from:
        periods = periods.filter(start_date__gte=scope.period_from)
    if scope.period_to:
        periods = periods.filter(start_date__lte=scope.period_to)
    return periods.order_by("start_date", "grant_id")
