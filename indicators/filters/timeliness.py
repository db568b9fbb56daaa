"""Filters of the timeliness page: which grants to show. Every choice list is drawn from what the user may see,
so a grantee's grantee list holds only its own organisation and another's id is rejected as an invalid choice."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from grants.filters.common import (
    GranteeChoiceFilter,
    OfficerChoiceFilter,
    country_choices,
    grantee_choices,
    officer_choices,
)
from grants.models import Grant
from portfolio.widgets import fast_select


class TimelinessFilter(django_filters.FilterSet):
    country = django_filters.ChoiceFilter(label="Country", method="filter_country", empty_label="Any country")
    officer = OfficerChoiceFilter(
        label="Program officer",
        field_name="program_officer",
        queryset=officer_choices,
        empty_label="Any officer",
    )
    grantee = GranteeChoiceFilter(
        label="Grantee", field_name="grantee", queryset=grantee_choices, empty_label="Any grantee"
    )

    class Meta:
        model = Grant
        fields = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.request.user if self.request is not None else None
        self.filters["country"].extra["choices"] = country_choices(user)
        if user is not None and user.is_grantee:
            # A grantee's own organisation is the only choice: the field would say nothing.
            del self.filters["grantee"]
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
            # Selects write their options in Python (same HTML): the template per option is most of the bar.
            field.widget = fast_select(field.widget)

    def filter_country(self, queryset: QuerySet[Grant], name: str, value: str) -> QuerySet[Grant]:
        # Grants with a country project there (the view counts only their projects in that country).
        return queryset.filter(country_projects__country=value).distinct()
