"""Writes to the shared indicator library: create, edit, deactivate and reactivate indicators.

Callers check ``indicators.access.can_manage_library`` first. Once a country project has reported values for an
indicator, what those values mean is fixed: the measure type, how values combine over time and the
disaggregations (the cells the values sit in) can no longer change, while the wording (name, definition,
data source, ...) still can.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from grants.models import User
from indicators.models import ActualValue, AggregationChoice, DisaggregationCategory, Indicator, MeasureType
from indicators.services.common import _attribute

INDICATOR_FIELDS = (
    "code",
    "name",
    "definition",
    "domain",
    "level",
    "unit",
    "measure_type",
    "direction",
    "aggregation",
    "data_source",
    "collection_method",
)
# What the stored values depend on; fixed once any project has reported a value for the indicator.
LOCKED_ONCE_REPORTED = ("measure_type", "aggregation", "categories")
LOCKED_MESSAGE = "Projects have already reported values for this indicator, so this can no longer change."
DUPLICATE_CODE = "Another indicator already has this code."
RATIO_MESSAGE = (
    "Percentage indicators combine as a percentage of summed numerators and denominators, and only they do."
)


def indicator_has_reported_values(indicator: Indicator) -> bool:
    """Whether any country project has stored a value (draft or not) for this indicator."""
    return ActualValue.objects.filter(project_indicator__indicator=indicator).exists()


def _check_fields(fields: dict[str, Any], name: str) -> None:
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise TypeError(f"{name}() got unexpected fields: {sorted(unknown)}")


def _ensure_history_baseline(indicator: Indicator) -> None:
    """Indicators seeded by the data migration have no history row. Record their state (and categories) once,
    before their first change, so that change can be shown against what was there; the baseline itself is
    attributed to no one."""
    if not indicator.history.exists():
        indicator._history_user = None
        indicator.save(update_fields=["code"])


def _validate(indicator: Indicator) -> None:
    """``full_clean`` with the percentage/ratio rule keyed to ``aggregation``: the model's check constraint says
    the same as a form-wide error, and the database still enforces it."""
    errors: dict[str, list[str]] = {}
    try:
        indicator.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    # "e1" and "E1" would be the same indicator to anyone reading a report: codes are unique in any case.
    code = (indicator.code or "").strip()
    if code and "code" not in errors:
        taken = Indicator.objects.filter(code__iexact=code).exclude(pk=indicator.pk).exists()
        if taken:
            errors["code"] = [DUPLICATE_CODE]
    is_ratio = indicator.aggregation == AggregationChoice.RATIO
    if (indicator.measure_type == MeasureType.PERCENTAGE) != is_ratio and "aggregation" not in errors:
        errors["aggregation"] = [RATIO_MESSAGE]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def indicator_create(
    *, actor: User, categories: Iterable[DisaggregationCategory] = (), **fields: Any
) -> Indicator:
    """A new, active library indicator. Codes are unique ("Another indicator already has this code.")."""
    _check_fields(fields, "indicator_create")
    indicator = Indicator(**fields)
    _validate(indicator)
    _attribute(indicator, actor)
    indicator.save()
    indicator.categories.set(list(categories))
    return indicator


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    actor: User,
    categories: Iterable[DisaggregationCategory] | None = None,
    **fields: Any,
) -> Indicator:
    """Change an indicator's fields; refuses (writing nothing) to change what reported values depend on."""
    _check_fields(fields, "indicator_update")
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    new_categories = None if categories is None else {c.pk for c in categories}
    changed = [
        name
        for name in ("measure_type", "aggregation")
        if name in fields and fields[name] != getattr(indicator, name)
    ]
    if new_categories is not None and new_categories != set(
        indicator.categories.values_list("pk", flat=True)
    ):
        changed.append("categories")
    if changed and indicator_has_reported_values(indicator):
        raise ValidationError({name: LOCKED_MESSAGE for name in changed})
    _ensure_history_baseline(indicator)
    for name, value in fields.items():
        setattr(indicator, name, value)
    _validate(indicator)
    _attribute(indicator, actor)
    indicator.save()
    if new_categories is not None and "categories" in changed:
        indicator.categories.set(list(new_categories))
    return indicator


@transaction.atomic
def indicator_set_active(*, indicator: Indicator, is_active: bool, actor: User) -> Indicator:
    """Deactivate (no new adoptions; projects that use it keep it) or reactivate an indicator."""
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if indicator.is_active == is_active:
        state = "active" if is_active else "inactive"
        raise ValidationError({"is_active": f"The indicator is already {state}."})
    _ensure_history_baseline(indicator)
    indicator.is_active = is_active
    _validate(indicator)
    _attribute(indicator, actor)
    indicator.save(update_fields=["is_active"])
    return indicator
