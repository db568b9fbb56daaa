"""Reads for the results framework screens: a country project's framework page and one indicator's targets.

Each function runs a fixed number of queries whatever the number of results, indicators, periods or cells,
and returns dataclasses the templates render without touching the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet

from grants.models import CountryProject, Modification
from indicators.cells import TOTAL
from indicators.models import (
    ActualValue,
    CrossIndicatorRule,
    Indicator,
    MeasureType,
    ProjectIndicator,
    ReportingPeriod,
    ResultNode,
    Target,
    TargetRevision,
)
from indicators.validation import IndicatorSpec

OTHER = "Other indicators"


def figure(number: Decimal | None, measure_type: str = MeasureType.COUNT) -> str:
    """A stored figure as people read it: 1,250 children, USD 1,500.00, 80%. Empty for no figure."""
    if number is None:
        return ""
    if measure_type == MeasureType.MONEY:
        return f"{number:,.2f}"
    text = f"{number.normalize():,f}"
    return f"{text}%" if measure_type == MeasureType.PERCENTAGE else text


def plain(number: Decimal | None) -> str:
    """A figure as typed into an input: 1250, 12.5 (no separators, no trailing zeros)."""
    return "" if number is None else f"{number.normalize():f}"


# --- the framework page -----------------------------------------------------------------------------------


@dataclass
class FrameworkIndicator:
    """One adopted indicator as the framework page lists it."""

    pi: ProjectIndicator
    target_count: int
    reported: bool = False  # values were reported against it, so it can no longer be removed

    @property
    def measure_type(self) -> str:
        return self.pi.indicator.measure_type

    @property
    def baseline(self) -> str:
        pi = self.pi
        if self.pi.indicator.is_percentage:
            if pi.baseline_numerator is None or pi.baseline_denominator is None:
                return ""
            share = (
                f" ({figure((pi.baseline_numerator * 100 / pi.baseline_denominator).quantize(Decimal('0.1')), MeasureType.PERCENTAGE)})"
                if pi.baseline_denominator
                else ""
            )
            return f"{figure(pi.baseline_numerator)} of {figure(pi.baseline_denominator)}{share}"
        return figure(pi.baseline_value, self.measure_type)

    @property
    def lop_target(self) -> str:
        return figure(self.pi.lop_target, self.measure_type)

    @property
    def original_lop_target(self) -> str:
        """The agreed LOP target, only when a revision changed it."""
        pi = self.pi
        if pi.original_lop_target is None or pi.original_lop_target == pi.lop_target:
            return ""
        return figure(pi.original_lop_target, self.measure_type)


@dataclass
class FrameworkNode:
    node: ResultNode
    depth: int
    indicators: list[FrameworkIndicator] = field(default_factory=list)
    has_children: bool = False


@dataclass
class ResultsFramework:
    project: CountryProject
    # The tree in reading order (goal, its outcomes, each outcome's outputs), each with its depth.
    nodes: list[FrameworkNode]
    other: list[FrameworkIndicator]
    rules: list[CrossIndicatorRule]

    @property
    def indicator_count(self) -> int:
        return sum(len(n.indicators) for n in self.nodes) + len(self.other)


def results_framework(project: CountryProject) -> ResultsFramework:
    """The project's results tree with its indicators under each result. Three queries: results,
    indicators (with the library entry, a count of period targets and whether values were reported),
    cross-indicator rules."""
    nodes = list(ResultNode.objects.filter(country_project=project))
    indicators = list(
        ProjectIndicator.objects.filter(country_project=project)
        .select_related("indicator")
        .annotate(
            target_count=Count("targets"),
            reported=Exists(ActualValue.objects.filter(project_indicator=OuterRef("pk"))),
        )
    )
    rules = list(
        CrossIndicatorRule.objects.filter(country_project=project).select_related(
            "left__indicator", "right__indicator"
        )
    )
    by_node: dict[int | None, list[FrameworkIndicator]] = defaultdict(list)
    for pi in indicators:
        by_node[pi.result_node_id].append(
            FrameworkIndicator(pi=pi, target_count=pi.target_count, reported=pi.reported)
        )
    children: dict[int | None, list[ResultNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)

    ordered: list[FrameworkNode] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for node in children.get(parent_id, []):
            ordered.append(
                FrameworkNode(
                    node=node,
                    depth=depth,
                    indicators=by_node.get(node.pk, []),
                    has_children=bool(children.get(node.pk)),
                )
            )
            walk(node.pk, depth + 1)

    walk(None, 0)
    return ResultsFramework(project=project, nodes=ordered, other=by_node.get(None, []), rules=rules)


# --- the targets page ---------------------------------------------------------------------------------------


@dataclass
class TargetCell:
    period: ReportingPeriod
    key: str
    target: Target | None
    current: str = ""
    original: str = ""  # the agreed figure, only when a revision changed it
    # Filled by the view: the bound input of this cell.
    input: object = None

    @property
    def is_revised(self) -> bool:
        return self.target is not None and self.target.is_revised


@dataclass
class TargetRow:
    period: ReportingPeriod
    cells: list[TargetCell]

    @property
    def name(self) -> str:
        """The "FY2025 H1" of "FY2025 H1 (Oct 2024 - Mar 2025)": the row header, with the dates set below it."""
        return self.period.label.partition(" (")[0]

    @property
    def dates(self) -> str:
        return self.period.label.partition(" (")[2].rstrip(")")


@dataclass
class RevisionRow:
    revision: TargetRevision
    where: str  # "Life of project" or "FY2025 H1 · Female, 12-14"
    previous: str
    new: str


@dataclass
class TargetsGrid:
    project_indicator: ProjectIndicator
    spec: IndicatorSpec
    columns: list[tuple[str, str]]  # (cell key, label): the total, then each cell when targets are per cell
    rows: list[TargetRow]
    revisions: list[RevisionRow]
    modifications: list[Modification]
    summary: FrameworkIndicator  # baseline and LOP target as shown

    @property
    def measure_type(self) -> str:
        return self.spec.measure_type

    @property
    def missing(self) -> int:
        return sum(1 for row in self.rows for cell in row.cells if cell.target is None)


def project_periods(project: CountryProject) -> list[ReportingPeriod]:
    """The grant's reporting periods that overlap the country project's dates, in order."""
    return list(
        ReportingPeriod.objects.filter(
            grant_id=project.grant_id, end_date__gte=project.start_date, start_date__lte=project.end_date
        ).order_by("start_date")
    )


def targets_grid(project_indicator: ProjectIndicator) -> TargetsGrid:
    """Periods x cells with each current target, and the revision history. Load ``project_indicator`` with
    ``with_library()`` and its country project's grant. Four queries: periods, targets, revisions (with who,
    which period and which modification), the grant's modifications."""
    pi = project_indicator
    spec = pi.spec()
    keys = spec.cell_keys if pi.disaggregated_targets else [TOTAL]
    columns = [(key, spec.label(key)) for key in keys]
    periods = project_periods(pi.country_project)
    targets = {(t.period_id, t.cell_key): t for t in Target.objects.filter(project_indicator=pi)}

    def cell(period: ReportingPeriod, key: str) -> TargetCell:
        target = targets.get((period.pk, key))
        if target is None:
            return TargetCell(period=period, key=key, target=None)
        return TargetCell(
            period=period,
            key=key,
            target=target,
            current=figure(target.value, spec.measure_type),
            original=figure(target.original_value, spec.measure_type) if target.is_revised else "",
        )

    rows = [TargetRow(period=period, cells=[cell(period, key) for key in keys]) for period in periods]
    revisions = [
        RevisionRow(
            revision=revision,
            where=(
                f"{revision.target.period.label} · {spec.label(revision.target.cell_key)}"
                if revision.target is not None
                else "Life of project"
            ),
            previous=figure(revision.previous_value, spec.measure_type) or "—",
            new=figure(revision.new_value, spec.measure_type),
        )
        for revision in TargetRevision.objects.filter(project_indicator=pi).select_related(
            "actor", "modification__grant", "target__period"
        )
    ]
    modifications = list(
        Modification.objects.filter(grant_id=pi.country_project.grant_id).select_related("grant")
    )
    return TargetsGrid(
        project_indicator=pi,
        spec=spec,
        columns=columns,
        rows=rows,
        revisions=revisions,
        modifications=modifications,
        summary=FrameworkIndicator(pi=pi, target_count=len(targets)),
    )


def adoptable_indicators(project: CountryProject) -> QuerySet[Indicator]:
    """Active library indicators this project has not adopted yet, for the adopt form's choices."""
    return Indicator.objects.filter(is_active=True).exclude(project_indicators__country_project=project)
