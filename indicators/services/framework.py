"""A country project's results framework: result nodes, adopted indicators, baselines, targets and their revisions, cross-indicator rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from grants.models import CountryProject, Modification, User
from indicators.cells import TOTAL
from indicators.models import (
    CrossIndicatorRule,
    Indicator,
    MeasureType,
    ProjectIndicator,
    ReportingPeriod,
    ResultNode,
    RevisionKind,
    Target,
    TargetRevision,
)
from indicators.services.common import _attribute
from indicators.validation import (
    parse_number,
)


@transaction.atomic
def result_node_create(
    *,
    country_project: CountryProject,
    level: str,
    code: str,
    statement: str,
    actor: User,
    parent: ResultNode | None = None,
    sort_order: int = 0,
) -> ResultNode:
    node = ResultNode(
        country_project=country_project,
        parent=parent,
        level=level,
        code=code.strip(),
        statement=statement.strip(),
        sort_order=sort_order,
    )
    node.full_clean()
    node.save()
    return node


def _check_figure_for(indicator: Indicator, raw: object, name: str, *, is_target: bool) -> Decimal | None:
    """A baseline or target figure: a non-negative number; whole for counts; cents at most for money;
    a percent of at most 100 for percentage targets."""
    number, error = parse_number(raw)
    if error:
        raise ValidationError({name: error})
    if number is None:
        return None
    if number < 0:
        raise ValidationError({name: "A target or baseline cannot be negative."})
    if indicator.measure_type == MeasureType.COUNT and number != number.to_integral_value():
        raise ValidationError({name: "This indicator counts whole numbers."})
    if number != number.quantize(Decimal("0.01")):
        raise ValidationError({name: "Use at most 2 decimal places."})
    if is_target and indicator.is_percentage and number > 100:
        raise ValidationError({name: "A percentage target is at most 100."})
    return number


@transaction.atomic
def project_indicator_create(
    *, country_project: CountryProject, indicator: Indicator, actor: User, **fields: Any
) -> ProjectIndicator:
    """Adopt a library indicator in a country project, with its baseline and life-of-project target."""
    if not indicator.is_active:
        raise ValidationError({"indicator": "This indicator is no longer in use; choose another."})
    for name in ("baseline_value", "baseline_numerator", "baseline_denominator", "lop_target"):
        if name in fields:
            fields[name] = _check_figure_for(indicator, fields[name], name, is_target=name == "lop_target")
    project_indicator = ProjectIndicator(country_project=country_project, indicator=indicator, **fields)
    project_indicator.original_lop_target = project_indicator.lop_target
    project_indicator.full_clean()
    _attribute(project_indicator, actor)
    project_indicator.save()
    return project_indicator


@transaction.atomic
def project_indicator_update(
    *, project_indicator: ProjectIndicator, actor: User, **fields: Any
) -> ProjectIndicator:
    """Baseline, place in the results framework, target granularity. Targets change through target_revise."""
    forbidden = {"lop_target", "original_lop_target", "indicator", "country_project"} & set(fields)
    if forbidden:
        raise TypeError(f"project_indicator_update() cannot change {sorted(forbidden)}; use target_revise().")
    project_indicator = ProjectIndicator.objects.select_for_update().get(pk=project_indicator.pk)
    for name, value in fields.items():
        if name.startswith("baseline_") and name != "baseline_date" and name != "baseline_source":
            value = _check_figure_for(project_indicator.indicator, value, name, is_target=False)
        setattr(project_indicator, name, value)
    project_indicator.full_clean()
    _attribute(project_indicator, actor)
    project_indicator.save()
    return project_indicator


def _check_target_place(project_indicator: ProjectIndicator, period: ReportingPeriod, cell_key: str) -> None:
    if period.grant_id != project_indicator.country_project.grant_id:
        raise ValidationError({"period": "That reporting period belongs to another grant."})
    if cell_key not in project_indicator.cell_keys:
        raise ValidationError({"cell_key": "This indicator has no such disaggregation cell."})
    if cell_key != TOTAL and not project_indicator.disaggregated_targets:
        raise ValidationError(
            {
                "cell_key": "Targets for this indicator are set for the total only; switch on disaggregated targets first."
            }
        )


@transaction.atomic
def target_set(
    *,
    project_indicator: ProjectIndicator,
    period: ReportingPeriod,
    value: object,
    actor: User,
    cell_key: str = TOTAL,
) -> Target:
    """Set a period target the first time. An existing target changes only through target_revise."""
    project_indicator = (
        ProjectIndicator.objects.with_library().select_related("country_project").get(pk=project_indicator.pk)
    )
    _check_target_place(project_indicator, period, cell_key)
    number = _check_figure_for(project_indicator.indicator, value, "value", is_target=True)
    if number is None:
        raise ValidationError({"value": "Enter the target."})
    target = Target(
        project_indicator=project_indicator,
        period=period,
        cell_key=cell_key,
        value=number,
        original_value=number,
    )
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def target_revise(
    *,
    new_value: object,
    reason: str,
    actor: User,
    target: Target | None = None,
    project_indicator: ProjectIndicator | None = None,
    modification: Modification | None = None,
) -> TargetRevision:
    """Change a period target (``target``) or the life-of-project target (``project_indicator``).

    The current figure changes; the original agreed figure and a revision row with the previous value, the
    reason and the grant modification behind it (if any) are kept, so reports can show original and revised.
    """
    if (target is None) == (project_indicator is None):
        raise TypeError("target_revise() revises either a target or a project indicator's LOP target.")
    if target is not None:
        target = Target.objects.select_for_update().get(pk=target.pk)
        project_indicator = ProjectIndicator.objects.select_related("indicator", "country_project").get(
            pk=target.project_indicator_id
        )
        previous, kind = target.value, RevisionKind.PERIOD
    else:
        project_indicator = (
            ProjectIndicator.objects.select_for_update()
            .select_related("indicator", "country_project")
            .get(pk=project_indicator.pk)
        )
        previous, kind = project_indicator.lop_target, RevisionKind.LIFE_OF_PROJECT
    number = _check_figure_for(project_indicator.indicator, new_value, "new_value", is_target=True)
    errors: dict[str, str] = {}
    if number is None:
        errors["new_value"] = "Enter the revised target."
    elif number == previous:
        errors["new_value"] = "The revised target is the same as the current one."
    if not reason.strip():
        errors["reason"] = "Say why the target changes; the reason stays on record."
    if modification is not None and modification.grant_id != project_indicator.country_project.grant_id:
        errors["modification"] = "That modification belongs to another grant."
    if errors:
        raise ValidationError(errors)
    if target is not None:
        target.value = number
        target.full_clean()
        target.save(update_fields=["value"])
    else:
        project_indicator.lop_target = number
        if project_indicator.original_lop_target is None:
            project_indicator.original_lop_target = number
        project_indicator.full_clean()
        _attribute(project_indicator, actor)
        project_indicator.save(update_fields=["lop_target", "original_lop_target"])
    revision = TargetRevision(
        project_indicator=project_indicator,
        target=target,
        kind=kind,
        previous_value=previous,
        new_value=number,
        reason=reason.strip(),
        modification=modification,
        actor=actor,
    )
    revision.full_clean()
    revision.save()
    return revision


@transaction.atomic
def cross_indicator_rule_create(
    *,
    country_project: CountryProject,
    left: ProjectIndicator,
    operator: str,
    right: ProjectIndicator,
    actor: User,
) -> CrossIndicatorRule:
    rule = CrossIndicatorRule(
        country_project=country_project, left=left, operator=operator, right=right, created_by=actor
    )
    rule.full_clean()
    rule.save()
    return rule
