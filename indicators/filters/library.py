"""Filters of the indicator library list and its export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from indicators.models import Domain, Indicator, Level, MeasureType
from portfolio.widgets import fast_select

ACTIVE_CHOICES = (("yes", "Active"), ("no", "Inactive"))


class IndicatorFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_q")
    domain = django_filters.ChoiceFilter(label="Domain", choices=Domain.choices, empty_label="Any domain")
    level = django_filters.ChoiceFilter(label="Level", choices=Level.choices, empty_label="Any level")
    measure_type = django_filters.ChoiceFilter(
        label="Measure type", choices=MeasureType.choices, empty_label="Any measure"
    )
    active = django_filters.ChoiceFilter(
        label="In use", choices=ACTIVE_CHOICES, method="filter_active", empty_label="Active or not"
    )

    class Meta:
        model = Indicator
        fields = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, form_field in self.form.fields.items():
            # Bootstrap classes for the filter bar, so the template only lays the fields out.
            css = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            form_field.widget.attrs.setdefault("class", css)
            # Selects write their options in Python (same HTML): the template per option is most of the bar.
            form_field.widget = fast_select(form_field.widget)
        self.form.fields["q"].widget.attrs.setdefault("placeholder", "Code, name or definition")

    def filter_q(self, queryset: QuerySet[Indicator], name: str, value: str) -> QuerySet[Indicator]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(definition__icontains=value)
        )

    def filter_active(self, queryset: QuerySet[Indicator], name: str, value: str) -> QuerySet[Indicator]:
        return queryset.filter(is_active=(value == "yes"))
