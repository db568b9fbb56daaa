"""Reads for the indicator library: the list with project counts the viewer may see, the export rows, an
indicator's projects and history, and how its values combine, in plain words."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from grants.access import country_projects_visible_to
from grants.models import User
from grants.selectors.grant_selectors import HistorySource, M2MHistory, history_entries
from indicators.access import project_indicators_visible_to
from indicators.models import (
    ActualValue,
    AggregationChoice,
    DirectionChoice,
    Indicator,
    MeasureType,
    ProjectIndicator,
)
from indicators.services import library as services
from portfolio.exports import Column

# --- the list and its export -----------------------------------------------------------------------------------

HISTORY_LIMIT = 20

# --- reads ---------------------------------------------------------------------------------------------------


def library_list(*, user: User) -> QuerySet[Indicator]:
    """Every indicator, with its categories and the number of country projects using it that ``user`` sees.

    A grantee's count covers only its own organisation's projects: the library is shared, the portfolio is not.
    """
    visible = Q(project_indicators__country_project__in=country_projects_visible_to(user))
    return (
        Indicator.objects.prefetch_related("categories")
        .annotate(n_projects=Count("project_indicators", filter=visible, distinct=True))
        .order_by("code")
    )


EXPORT_COLUMNS: Sequence[Column] = (
    Column("Code", width=8),
    Column("Name", width=50),
    Column("Definition", width=60),
    Column("Domain", width=20),
    Column("Level", width=10),
    Column("Unit", width=18),
    Column("Measure type", width=18),
    Column("Direction", width=10),
    Column("Combines over time", width=30),
    Column("Disaggregations", width=30),
    Column("Data source", width=40),
    Column("Collection method", width=40),
    Column("Active", width=8),
    Column("Projects", "0", 10),
)


def library_export_rows(queryset: QuerySet[Indicator]) -> Iterator[list[Any]]:
    for indicator in queryset:
        yield [
            indicator.code,
            indicator.name,
            indicator.definition,
            indicator.get_domain_display(),
            indicator.get_level_display(),
            indicator.unit,
            indicator.get_measure_type_display(),
            indicator.get_direction_display(),
            indicator.get_aggregation_display(),
            ", ".join(c.name for c in indicator.categories.all()),
            indicator.data_source,
            indicator.collection_method,
            "yes" if indicator.is_active else "no",
            indicator.n_projects,
        ]


def indicator_projects(*, user: User, indicator: Indicator) -> list[ProjectIndicator]:
    """The visible country projects that adopted ``indicator``, with whether each has reported values."""
    reported = ActualValue.objects.filter(project_indicator=OuterRef("pk"))
    return list(
        project_indicators_visible_to(user)
        .filter(indicator=indicator)
        .select_related("country_project__grant__grantee")
        .annotate(has_values=Exists(reported))
        .order_by("country_project__grant__award_number", "country_project__country")
    )


def indicator_history(indicator: Indicator) -> list[Any]:
    fields = (*services.INDICATOR_FIELDS, "is_active")
    source = HistorySource(
        Indicator.history.filter(id=indicator.pk),
        fields,
        lambda r: f"Indicator {r.code}",
        lambda r: "",
        (
            M2MHistory(
                "Disaggregations",
                apps.get_model("indicators", "HistoricalIndicator_categories"),
                "disaggregationcategory",
            ),
        ),
    )
    return history_entries([source], limit=HISTORY_LIMIT)


# --- how an indicator's values combine, in plain words ---------------------------------------------------------

_AGGREGATION_WORDS = {
    AggregationChoice.SUM: (
        "Each period's value counts what happened in that period (a flow). Over several periods, for the "
        "life of the project, and across countries, the values are added up."
    ),
    AggregationChoice.LATEST: (
        "Each period's value is the situation at the end of that period (a stock). Over several periods the "
        "latest reported value stands: values are never added up over time. Across countries, in the "
        "same period, the values are added up."
    ),
    AggregationChoice.RATIO: (
        "Each period reports a numerator and a denominator. Over several periods and across countries the "
        "numerators are added up, the denominators are added up, and the percentage is recomputed from the "
        "two sums. Percentages are never averaged."
    ),
}


def aggregation_explained(indicator: Indicator) -> list[str]:
    words = [_AGGREGATION_WORDS.get(indicator.aggregation, indicator.get_aggregation_display())]
    if indicator.measure_type == MeasureType.MONEY:
        words.append("Values are amounts in US dollars, with cents.")
    if indicator.direction == DirectionChoice.INCREASE:
        words.append("Progress means higher values: a target is met when the actual reaches it.")
    else:
        words.append("Progress means lower values: a target is met when the actual falls to it or below.")
    return words
