"""A country project's results framework: goal, outcomes and outputs, the indicators it adopted, targets."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from grants.models import CountryProject, Modification
from indicators.models.library import Indicator
from indicators.models.reporting import ReportingPeriod
from indicators.querysets import ProjectIndicatorQuerySet
from indicators.validation import CategorySpec, IndicatorSpec

# Indicator figures: whole counts, USD with cents, numerators and denominators. 16 digits before the point.
FIGURE = {"max_digits": 18, "decimal_places": 2}
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class NodeLevel(models.TextChoices):
    GOAL = "goal", "Goal"
    OUTCOME = "outcome", "Outcome"
    OUTPUT = "output", "Output"


# Which level a node's parent must be at; a goal is a root.
PARENT_LEVEL = {NodeLevel.GOAL: None, NodeLevel.OUTCOME: NodeLevel.GOAL, NodeLevel.OUTPUT: NodeLevel.OUTCOME}


def _a(level: str) -> str:
    return f"{'an' if level[0] in 'aeiou' else 'a'} {level}"


class ResultNode(models.Model):
    country_project = models.ForeignKey(CountryProject, on_delete=models.CASCADE, related_name="result_nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.CharField(max_length=8, choices=NodeLevel.choices)
    code = models.CharField(max_length=20, help_text='As in the project document: "1", "1.1", "1.1.2".')
    statement = models.TextField()
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["country_project", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["country_project", "code"],
                name="result_node_code_unique_per_project",
                violation_error_message="This project's results framework already uses that code.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.code}: {self.statement[:80]}"

    def clean(self) -> None:
        expected = PARENT_LEVEL.get(self.level)
        if self.parent is None:
            if expected is not None:
                raise ValidationError(
                    {"parent": f"An {self.get_level_display().lower()} sits under {_a(expected)}."}
                )
            return
        if expected is None:
            raise ValidationError({"parent": "A goal is the top of the framework and has no parent."})
        if self.parent.level != expected:
            raise ValidationError(
                {
                    "parent": f"An {self.get_level_display().lower()} sits under {_a(expected)}, "
                    f"not {_a(self.parent.level)}."
                }
            )
        if self.parent.country_project_id != self.country_project_id:
            raise ValidationError({"parent": "The parent belongs to another country project."})


class ProjectIndicator(models.Model):
    """An indicator a country project adopted, with its baseline and life-of-project (LOP) target.

    For percentage indicators the baseline is kept as numerator and denominator and the targets are percents.
    The LOP target changes only through ``target_revise``; ``original_lop_target`` keeps the agreed figure.
    """

    country_project = models.ForeignKey(
        CountryProject, on_delete=models.CASCADE, related_name="project_indicators"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="project_indicators")
    result_node = models.ForeignKey(
        ResultNode, on_delete=models.SET_NULL, null=True, blank=True, related_name="project_indicators"
    )
    baseline_value = models.DecimalField(**FIGURE, null=True, blank=True, validators=NON_NEGATIVE)
    baseline_numerator = models.DecimalField(**FIGURE, null=True, blank=True, validators=NON_NEGATIVE)
    baseline_denominator = models.DecimalField(**FIGURE, null=True, blank=True, validators=NON_NEGATIVE)
    baseline_date = models.DateField(null=True, blank=True)
    baseline_source = models.CharField(max_length=300, blank=True)
    lop_target = models.DecimalField(
        "life-of-project target", **FIGURE, null=True, blank=True, validators=NON_NEGATIVE
    )
    original_lop_target = models.DecimalField(**FIGURE, null=True, blank=True, editable=False)
    disaggregated_targets = models.BooleanField(
        default=False, help_text="Set period targets per disaggregation cell, not only for the total."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()
    objects = ProjectIndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["country_project", "sort_order", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["country_project", "indicator"],
                name="project_indicator_unique",
                violation_error_message="This country project already uses that indicator.",
            ),
            models.CheckConstraint(
                condition=Q(baseline_numerator__isnull=True)
                | Q(baseline_denominator__isnull=True)
                | Q(baseline_numerator__lte=F("baseline_denominator")),
                name="project_indicator_baseline_numerator_within_denominator",
                violation_error_message="The baseline numerator cannot exceed its denominator.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} in {self.country_project}"

    def spec(self) -> IndicatorSpec:
        """What validation and data entry need: the indicator and its categories' options, in display order.
        Load with ``ProjectIndicator.objects.with_library()`` so this runs no queries."""
        indicator = self.indicator
        return IndicatorSpec(
            id=self.pk,
            code=indicator.code,
            name=indicator.name,
            measure_type=indicator.measure_type,
            aggregation=indicator.aggregation,
            categories=tuple(
                CategorySpec(
                    code=category.code,
                    name=category.name,
                    complete=category.complete,
                    options=tuple((option.code, option.name) for option in category.options.all()),
                )
                for category in indicator.categories.all()
            ),
        )

    @property
    def cell_keys(self) -> list[str]:
        return self.spec().cell_keys

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.result_node_id and self.result_node.country_project_id != self.country_project_id:
            errors["result_node"] = "That result belongs to another country project."
        indicator = self.indicator if self.indicator_id else None
        if indicator is not None:
            if indicator.is_percentage:
                if self.baseline_value is not None:
                    errors["baseline_value"] = "A percentage baseline is a numerator and a denominator."
                if (self.baseline_numerator is None) != (self.baseline_denominator is None):
                    errors["baseline_denominator"] = "Give both the baseline numerator and denominator."
                if self.lop_target is not None and self.lop_target > 100:
                    errors["lop_target"] = "A percentage target is at most 100."
            elif self.baseline_numerator is not None or self.baseline_denominator is not None:
                errors["baseline_numerator"] = "Only percentage indicators have a numerator and denominator."
        if errors:
            raise ValidationError(errors)


class Target(models.Model):
    """The target for one reporting period and one disaggregation cell ('' = the total)."""

    project_indicator = models.ForeignKey(ProjectIndicator, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="targets")
    cell_key = models.CharField(max_length=200, blank=True)
    value = models.DecimalField(**FIGURE, validators=NON_NEGATIVE)
    original_value = models.DecimalField(**FIGURE, editable=False)

    class Meta:
        ordering = ["project_indicator", "period__start_date", "cell_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["project_indicator", "period", "cell_key"],
                name="target_unique_per_period_and_cell",
                violation_error_message="This cell already has a target for that period; revise it instead.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_indicator} {self.period} {self.cell_key or 'total'}: {self.value}"

    @property
    def is_revised(self) -> bool:
        return self.value != self.original_value


class RevisionKind(models.TextChoices):
    PERIOD = "period", "Period target"
    LIFE_OF_PROJECT = "lop", "Life-of-project target"


class TargetRevision(models.Model):
    """One change to a target. Rows are only ever added, so every earlier value stays on record."""

    project_indicator = models.ForeignKey(
        ProjectIndicator, on_delete=models.CASCADE, related_name="target_revisions"
    )
    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, null=True, blank=True, related_name="revisions"
    )
    kind = models.CharField(max_length=6, choices=RevisionKind.choices)
    previous_value = models.DecimalField(**FIGURE, null=True, blank=True)
    new_value = models.DecimalField(**FIGURE)
    reason = models.TextField()
    modification = models.ForeignKey(
        Modification, on_delete=models.PROTECT, null=True, blank=True, related_name="target_revisions"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="period") & Q(target__isnull=False))
                | (Q(kind="lop") & Q(target__isnull=True)),
                name="target_revision_kind_matches_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_indicator}: {self.previous_value} -> {self.new_value}"


class Operator(models.TextChoices):
    LTE = "lte", "at most"
    GTE = "gte", "at least"
    EQ = "eq", "equal to"


class CrossIndicatorRule(models.Model):
    """A rule an officer declares between two indicators' totals, e.g. children enrolled <= children reached."""

    country_project = models.ForeignKey(
        CountryProject, on_delete=models.CASCADE, related_name="cross_indicator_rules"
    )
    left = models.ForeignKey(ProjectIndicator, on_delete=models.CASCADE, related_name="+")
    operator = models.CharField(max_length=3, choices=Operator.choices)
    right = models.ForeignKey(ProjectIndicator, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country_project", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["left", "operator", "right"],
                name="cross_indicator_rule_unique",
                violation_error_message="This rule already exists.",
            ),
            models.CheckConstraint(
                condition=~Q(left=F("right")),
                name="cross_indicator_rule_two_indicators",
                violation_error_message="A rule compares two different indicators.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.left.indicator.code} {self.get_operator_display()} {self.right.indicator.code}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for side in ("left", "right"):
            pi = getattr(self, side) if getattr(self, f"{side}_id") else None
            if pi is not None and pi.country_project_id != self.country_project_id:
                errors[side] = "That indicator belongs to another country project."
        if (
            not errors
            and self.left_id
            and self.right_id
            and self.left.indicator.measure_type != self.right.indicator.measure_type
        ):
            errors["right"] = (
                "Compare indicators measured the same way (counts with counts, percentages with percentages)."
            )
        if errors:
            raise ValidationError(errors)
