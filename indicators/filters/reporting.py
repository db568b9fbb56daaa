"""Filters of the reporting overview. Every choice list is drawn from what the user may see."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from grants.filters.common import (
    AwardChoiceFilter,
    OfficerChoiceFilter,
    country_choices,
    grant_choices,
    officer_choices,
)
from grants.models import CountryProject
from indicators.selectors.entry import REPORT_STATES, projects_reporting_now
from portfolio.widgets import fast_select


class ReportingOverviewFilter(django_filters.FilterSet):
    """Country projects by grant, country, program officer and the state of their open periods' reports.

    A program officer opens on their own grants. A key missing from the query means "use the default"; present
    but empty means "any", so "Any officer" in the filter bar shows every project the user can see (the same
    convention as the review queue).
    """

    grant = AwardChoiceFilter(label="Grant", queryset=grant_choices, empty_label="Any grant")
    country = django_filters.ChoiceFilter(label="Country", empty_label="Any country")
    officer = OfficerChoiceFilter(
        label="Program officer",
        field_name="grant__program_officer",
        queryset=officer_choices,
        empty_label="Any officer",
    )
    state = django_filters.ChoiceFilter(
        label="Report state", choices=REPORT_STATES, empty_label="Any state", method="filter_state"
    )

    class Meta:
        model = CountryProject
        fields = ()

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else QueryDict(mutable=True)
        request = kwargs.get("request")
        user = request.user if request is not None else None
        if (
            user is not None
            and user.is_program_officer
            and officer_choices(request).filter(pk=user.pk).exists()
        ):
            # An officer's own grants first; one with no grants yet starts on everyone's.
            data.setdefault("officer", str(user.pk))
        super().__init__(data, *args, **kwargs)
        self.filters["country"].extra["choices"] = country_choices(user)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
            # Selects write their options in Python (same HTML): the template per option is most of the bar.
            field.widget = fast_select(field.widget)

    def filter_state(
        self, queryset: QuerySet[CountryProject], name: str, value: str
    ) -> QuerySet[CountryProject]:
        # The selector then shows, in each project, only the periods whose report is in this state.
        return projects_reporting_now(queryset, today=timezone.localdate(), state=value)
