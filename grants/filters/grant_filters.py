"""Filters of the grant list and its export. Every choice list is drawn from what the user may see."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet

from grants.filters.common import (
    GranteeChoiceFilter,
    OfficerChoiceFilter,
    country_choices,
    grantee_choices,
    officer_choices,
)
from grants.models import CountryProject, Grant, GrantStatus, Theme
from portfolio.widgets import fast_select


class GrantFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Title or award number", method="filter_q")
    status = django_filters.ChoiceFilter(
        label="Status", choices=GrantStatus.choices, empty_label="Any status"
    )
    country = django_filters.ChoiceFilter(label="Country", method="filter_country", empty_label="Any country")
    theme = django_filters.ModelChoiceFilter(
        label="Theme", field_name="themes", queryset=Theme.objects.all(), empty_label="Any theme"
    )
    program_officer = OfficerChoiceFilter(
        label="Program officer", queryset=officer_choices, empty_label="Any officer"
    )
    grantee = GranteeChoiceFilter(label="Grantee", queryset=grantee_choices, empty_label="Any grantee")

    class Meta:
        model = Grant
        fields = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.request.user if self.request is not None else None
        if user is None or user.is_grantee:
            # A grantee sees only its own organisation: a grantee filter would have one choice.
            del self.filters["grantee"]
        self.filters["country"].extra["choices"] = country_choices(user)
        for name, form_field in self.form.fields.items():
            # Bootstrap classes for the filter bar, so the template only lays the fields out.
            css = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            form_field.widget.attrs.setdefault("class", css)
            # Selects write their options in Python (same HTML): the template per option is most of the bar.
            form_field.widget = fast_select(form_field.widget)
        self.form.fields["q"].widget.attrs.setdefault("placeholder", "e.g. IL-24943 or migrant")

    def filter_q(self, queryset: QuerySet[Grant], name: str, value: str) -> QuerySet[Grant]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(award_number__icontains=value))

    def filter_country(self, queryset: QuerySet[Grant], name: str, value: str) -> QuerySet[Grant]:
        # EXISTS rather than a join: a grant is listed once however many projects match.
        return queryset.filter(Exists(CountryProject.objects.filter(grant=OuterRef("pk"), country=value)))
