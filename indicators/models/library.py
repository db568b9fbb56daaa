"""Reference data and the shared indicator library (administrators and program officers maintain them)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from indicators.calculations import Aggregation, Direction


class DisaggregationCategory(models.Model):
    """Sex, age band, migration status. ``complete``: its options cover everyone, so cells add up to the total."""

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(max_length=100, unique=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    complete = models.BooleanField(
        default=True,
        help_text="The options cover the whole population counted, so the cells must add up to the total.",
    )

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "disaggregation categories"

    def __str__(self) -> str:
        return self.name


class DisaggregationOption(models.Model):
    category = models.ForeignKey(DisaggregationCategory, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=100)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["category__sort_order", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"],
                name="disaggregation_option_code_unique_per_category",
                violation_error_message="This category already has an option with that code.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.category.name}: {self.name}"


class Domain(models.TextChoices):
    EDUCATION = "education", "Education"
    LIVELIHOODS = "livelihoods", "Livelihoods"
    PROTECTION = "protection", "Protection and rights"
    SYSTEMS = "systems", "Systems strengthening"


class Level(models.TextChoices):
    OUTCOME = "outcome", "Outcome"
    OUTPUT = "output", "Output"


class MeasureType(models.TextChoices):
    COUNT = "count", "Count"
    PERCENTAGE = "percentage", "Percentage (numerator and denominator)"
    MONEY = "money", "Money (USD)"


class DirectionChoice(models.TextChoices):
    INCREASE = Direction.INCREASE.value, "Increase"
    DECREASE = Direction.DECREASE.value, "Decrease"


class AggregationChoice(models.TextChoices):
    SUM = Aggregation.SUM.value, "Sum of the periods (a flow)"
    LATEST = Aggregation.LATEST.value, "Latest value (a stock)"
    RATIO = Aggregation.RATIO.value, "Percentage from summed numerators and denominators"


class Indicator(models.Model):
    code = models.CharField(
        max_length=10,
        unique=True,
        help_text="The office's number, such as E1 or L3.",
        error_messages={"unique": "Another indicator already has this code."},
    )
    name = models.CharField(max_length=300)
    definition = models.TextField()
    domain = models.CharField(max_length=12, choices=Domain.choices)
    level = models.CharField(max_length=8, choices=Level.choices)
    unit = models.CharField("unit of measure", max_length=60)
    measure_type = models.CharField(max_length=10, choices=MeasureType.choices, default=MeasureType.COUNT)
    direction = models.CharField(
        "direction of change", max_length=8, choices=DirectionChoice.choices, default=DirectionChoice.INCREASE
    )
    aggregation = models.CharField(
        "how values combine over time",
        max_length=8,
        choices=AggregationChoice.choices,
        default=AggregationChoice.SUM,
    )
    categories = models.ManyToManyField(
        DisaggregationCategory, related_name="indicators", blank=True, verbose_name="disaggregations"
    )
    data_source = models.CharField(max_length=300, blank=True)
    collection_method = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Inactive indicators cannot be adopted by projects."
    )

    history = HistoricalRecords(m2m_fields=[categories])

    class Meta:
        ordering = ["code"]
        constraints = [
            # A percentage is only ever recomputed from summed parts, and only percentages have parts.
            models.CheckConstraint(
                condition=(Q(measure_type="percentage") & Q(aggregation="ratio"))
                | (~Q(measure_type="percentage") & ~Q(aggregation="ratio")),
                name="indicator_percentage_iff_ratio",
                violation_error_message="Percentage indicators, and only they, combine as a ratio of summed "
                "numerators and denominators.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_percentage(self) -> bool:
        return self.measure_type == MeasureType.PERCENTAGE
