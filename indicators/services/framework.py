"""A country project's results framework: result nodes, adopted indicators, baselines, targets and their revisions, cross-indicator rules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from grants.models import CountryProject, Modification, User
from indicators.cells import TOTAL
from indicators.models import (
    ActualValue,
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


# --- editing and removing framework pieces (the officer's setup screens) ------------------------------------


@transaction.atomic
def result_node_update(*, node: ResultNode, actor: User, **fields: Any) -> ResultNode:
    """Code, statement, parent and order of a result. Its level stays: children and indicators hang on it."""
    allowed = {"code", "statement", "parent", "sort_order"}
    if set(fields) - allowed:
        raise TypeError(f"result_node_update() cannot change {sorted(set(fields) - allowed)}.")
    node = ResultNode.objects.select_for_update().get(pk=node.pk)
    for name, value in fields.items():
        setattr(node, name, value.strip() if isinstance(value, str) else value)
    node.full_clean()
    node.save()
    return node


@transaction.atomic
def result_node_delete(*, node: ResultNode, actor: User) -> None:
    """Remove a result that nothing hangs on; its children and indicators must be moved or removed first."""
    node = ResultNode.objects.select_for_update().get(pk=node.pk)
    if node.children.exists():
        raise ValidationError(
            "This result has results under it; delete or move them first.", code="has_children"
        )
    if node.project_indicators.exists():
        raise ValidationError(
            "Indicators measure this result; move them to another result or remove them first.",
            code="has_indicators",
        )
    node.delete()


@transaction.atomic
def project_indicator_remove(*, project_indicator: ProjectIndicator, actor: User) -> None:
    """Take an indicator out of a project's framework, with its targets, while no value was reported for it.
    Once a grantee reported against it, it stays: reports and their history refer to it."""
    project_indicator = ProjectIndicator.objects.select_for_update().get(pk=project_indicator.pk)
    if ActualValue.objects.filter(project_indicator=project_indicator).exists():
        raise ValidationError(
            "Values were already reported for this indicator, so it stays in the framework.",
            code="reported",
        )
    _attribute(project_indicator, actor)
    project_indicator.delete()


@transaction.atomic
def cross_indicator_rule_delete(*, rule: CrossIndicatorRule, actor: User) -> None:
    """Rules only check future reports, so removing one changes no stored figure."""
    CrossIndicatorRule.objects.filter(pk=rule.pk).delete()


# --- the targets grid: many targets at once, all or nothing -------------------------------------------------


@dataclass(frozen=True)
class TargetEntry:
    """One cell of the targets grid as typed. ``key`` names its input, so errors land next to it."""

    period: ReportingPeriod
    cell_key: str
    raw: object
    key: str


@dataclass(frozen=True)
class TargetsSaved:
    set: int
    revised: int


LOCKED_TARGET = "A target once set stays on record; enter the revised figure instead of clearing it."


@transaction.atomic
def targets_save(
    *,
    project_indicator: ProjectIndicator,
    entries: list[TargetEntry],
    reason: str,
    actor: User,
    modification: Modification | None = None,
) -> TargetsSaved:
    """Set the targets that are missing and revise those whose figure changed, in one go.

    Every entry is checked before anything is written, and the errors of all of them are raised together,
    keyed by each entry's ``key`` (plus ``reason`` and ``modification``), so nothing is written unless
    everything can be. A blank entry without a target is left alone; one with a target is refused.
    """
    project_indicator = (
        ProjectIndicator.objects.with_library().select_related("country_project").get(pk=project_indicator.pk)
    )
    indicator = project_indicator.indicator
    existing = {(t.period_id, t.cell_key): t for t in project_indicator.targets.select_for_update()}
    errors: dict[str, list[str]] = {}
    to_set: list[tuple[TargetEntry, Decimal]] = []
    to_revise: list[tuple[TargetEntry, Target, Decimal]] = []
    for entry in entries:
        try:
            _check_target_place(project_indicator, entry.period, entry.cell_key)
            number = _check_figure_for(indicator, entry.raw, entry.key, is_target=True)
        except ValidationError as exc:
            errors[entry.key] = [m for messages in exc.message_dict.values() for m in messages]
            continue
        current = existing.get((entry.period.pk, entry.cell_key))
        if current is None:
            if number is not None:
                to_set.append((entry, number))
        elif number is None:
            errors[entry.key] = [LOCKED_TARGET]
        elif number != current.value:
            to_revise.append((entry, current, number))
    if to_revise and not reason.strip():
        errors["reason"] = ["Say why the target changes; the reason stays on record."]
    if modification is not None and modification.grant_id != project_indicator.country_project.grant_id:
        errors["modification"] = ["That modification belongs to another grant."]
    if errors:
        raise ValidationError(errors)
    for entry, number in to_set:
        target_set(
            project_indicator=project_indicator,
            period=entry.period,
            cell_key=entry.cell_key,
            value=number,
            actor=actor,
        )
    for _entry, target, number in to_revise:
        target_revise(target=target, new_value=number, reason=reason, modification=modification, actor=actor)
    return TargetsSaved(set=len(to_set), revised=len(to_revise))
