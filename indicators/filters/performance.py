"""The filter bar of the grant and portfolio performance pages.

The FilterSet narrows the country projects in scope (country, theme, grant, and projects that adopted the
chosen indicator or domain); the builder then reads the indicator, domain and period choices from
``cleaned_data`` to narrow the indicators and periods. Every choice list is drawn from what the user may see.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet

from grants.access import country_projects_visible_to
from grants.filters.common import AwardChoiceFilter, country_choices, grant_choices
from grants.models import CountryProject, Grant, Theme
from indicators.models import Domain, Indicator, ProjectIndicator, ReportingPeriod
from portfolio.widgets import fast_select


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return f"{obj.code} {obj.name[:60]}"


class IndicatorChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IndicatorChoiceField


def _period_choices(grants: QuerySet[Grant]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Choices of periods by start date and by end date (one query). Grants on the same calendar share them,
    and a project's partial first period joins the full one ending with it. Labelled by the periods' names
    ("FY2025 H2 / FY2025 Q3" where a quarter and a half-year start or end together)."""
    # Distinct rows: grants on one calendar repeat the same periods (3,500 rows fold to about 600), and the
    # fold below only collects sets and minima, so the repeats add Python time and nothing else.
    rows = list(
        ReportingPeriod.objects.filter(grant__in=grants)
        .order_by()
        .values_list("start_date", "end_date", "label")
        .distinct()
    )
    ends: dict[datetime.date, set[str]] = {}
    first_start: dict[datetime.date, datetime.date] = {}
    for start, end, label in rows:
        ends.setdefault(end, set()).add(label.split(" (")[0])
        first_start[end] = min(start, first_start.get(end, start))
    # A partial first period is offered "from" the start of the full periods ending with it.
    starts: dict[datetime.date, set[str]] = {}
    for start, end, label in rows:
        key = first_start[end] if "partial" in label else start
        starts.setdefault(key, set()).add(label.split(" (")[0])

    def choices(names: dict[datetime.date, set[str]]) -> list[tuple[str, str]]:
        return [(day.isoformat(), " / ".join(sorted(names[day]))) for day in sorted(names)]

    return choices(starts), choices(ends)


class PerformanceFilter(django_filters.FilterSet):
    grant = AwardChoiceFilter(label="Grant", queryset=grant_choices, empty_label="Any grant")
    country = django_filters.ChoiceFilter(label="Country", empty_label="Any country")
    theme = django_filters.ModelChoiceFilter(
        label="Theme", field_name="grant__themes", queryset=Theme.objects.all(), empty_label="Any theme"
    )
    domain = django_filters.ChoiceFilter(
        label="Indicator domain", choices=Domain.choices, method="filter_domain", empty_label="Any domain"
    )
    indicator = IndicatorChoiceFilter(
        label="Indicator",
        queryset=Indicator.objects.none(),
        method="filter_indicator",
        empty_label="Any indicator",
    )
    period_from = django_filters.ChoiceFilter(label="From period", method="keep", empty_label="First period")
    period_to = django_filters.ChoiceFilter(label="As of period", method="keep", empty_label="Latest")

    class Meta:
        model = CountryProject
        fields = ()

    def __init__(self, *args: Any, grant: Grant | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.request.user if self.request is not None else None
        projects = country_projects_visible_to(user) if user is not None else CountryProject.objects.none()
        if grant is not None:
            # On one grant's page the grant is given; choices come from its projects only.
            del self.filters["grant"]
            del self.filters["theme"]
            projects = projects.filter(grant=grant)
            self.filters["country"].extra["choices"] = sorted(
                {(p.country.code, p.country.name) for p in projects.only("country")}, key=lambda c: c[1]
            )
            grants = Grant.objects.filter(pk=grant.pk)
        else:
            self.filters["country"].extra["choices"] = country_choices(user)
            grants = Grant.objects.filter(pk__in=projects.values("grant_id"))
        self.filters["indicator"].queryset = Indicator.objects.filter(
            pk__in=ProjectIndicator.objects.filter(country_project__in=projects).values("indicator_id")
        ).order_by("code")
        starts, ends = _period_choices(grants)
        self.filters["period_from"].extra["choices"] = starts
        self.filters["period_to"].extra["choices"] = ends
        for form_field in self.form.fields.values():
            form_field.widget.attrs.setdefault("class", "form-select form-select-sm")
            # Selects write their options in Python (same HTML): the template per option is most of the bar.
            form_field.widget = fast_select(form_field.widget)

    def keep(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        """Period choices shape the table, not which projects are in scope (see ``performance_options``)."""
        return queryset

    def filter_domain(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        adopted = ProjectIndicator.objects.filter(country_project=OuterRef("pk"), indicator__domain=value)
        return queryset.filter(Exists(adopted))

    def filter_indicator(self, queryset: QuerySet, name: str, value: Indicator) -> QuerySet:
        return queryset.filter(
            Exists(ProjectIndicator.objects.filter(country_project=OuterRef("pk"), indicator=value))
        )

    def performance_options(self) -> dict[str, Any]:
        """The builder's keyword arguments from the valid form: indicator, domain and period range."""
        data = self.form.cleaned_data if self.is_valid() else {}

        def day(key: str) -> datetime.date | None:
            return datetime.date.fromisoformat(data[key]) if data.get(key) else None

        indicator = data.get("indicator")
        return {
            "indicator_ids": [indicator.pk] if indicator else None,
            "domain": data.get("domain") or None,
            "period_from": day("period_from"),
            "period_to": day("period_to"),
        }
