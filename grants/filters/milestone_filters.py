"""Filters of the milestone list and its export. Every choice list is drawn from what the user may see."""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from grants.filters.common import (
    AwardChoiceFilter,
    GranteeChoiceFilter,
    OfficerChoiceFilter,
    country_choices,
    grant_choices,
    grantee_choices,
    officer_choices,
)
from grants.models import (
    DELIVERABLE_CATEGORIES,
    Milestone,
    MilestoneCategory,
    MilestoneStatus,
)
from portfolio.widgets import fast_select

DELIVERABLES = "deliverables"


class TimingChoices:
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OPEN = "open"
    ALL = "all"


class MilestoneFilter(django_filters.FilterSet):
    timing = django_filters.ChoiceFilter(
        label="Timing",
        # No empty choice: an absent timing means "open" (see __init__), so the select shows what the list shows.
        empty_label=None,
        choices=[
            (TimingChoices.OPEN, "Open"),
            (TimingChoices.OVERDUE, "Overdue"),
            (TimingChoices.DUE_SOON, f"Due in the next {settings.DUE_SOON_DAYS} days"),
            (TimingChoices.ALL, "All, incl. completed"),
        ],
        method="filter_timing",
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=MilestoneStatus.choices, empty_label="Any status"
    )
    category = django_filters.ChoiceFilter(
        label="Category",
        choices=[(DELIVERABLES, "Deliverables only"), *MilestoneCategory.choices],
        empty_label="Any category",
        method="filter_category",
    )
    country = django_filters.ChoiceFilter(
        label="Country", field_name="country_project__country", empty_label="Any country"
    )
    grant = AwardChoiceFilter(
        label="Grant", field_name="country_project__grant", queryset=grant_choices, empty_label="Any grant"
    )
    program_officer = OfficerChoiceFilter(
        label="Program officer",
        field_name="country_project__grant__program_officer",
        queryset=officer_choices,
        empty_label="Any officer",
    )
    grantee = GranteeChoiceFilter(
        label="Grantee",
        field_name="country_project__grant__grantee",
        queryset=grantee_choices,
        empty_label="Any grantee",
    )
    q = django_filters.CharFilter(label="Title contains", field_name="title", lookup_expr="icontains")

    class Meta:
        model = Milestone
        fields = ()

    def __init__(
        self, data: Any = None, *args: Any, today: datetime.date | None = None, **kwargs: Any
    ) -> None:
        if data is None or not data.get("timing"):
            # With no timing chosen the list shows what still needs doing; "All" is one click away.
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data["timing"] = TimingChoices.OPEN
        super().__init__(data, *args, **kwargs)
        self.today = today or timezone.localdate()
        user = self.request.user if self.request is not None else None
        if user is None or user.is_grantee:
            # A grantee sees only its own organisation: a grantee filter would have one choice.
            del self.filters["grantee"]
        self.filters["country"].extra["choices"] = country_choices(user)
        for name, field in self.form.fields.items():
            # Bootstrap classes for the filter bar, so the template only lays the fields out.
            css = "form-control form-control-sm" if name == "q" else "form-select form-select-sm"
            field.widget.attrs.setdefault("class", css)
            # Selects write their options in Python (same HTML): the template per option is most of the bar.
            field.widget = fast_select(field.widget)

    def filter_timing(self, queryset: QuerySet[Milestone], name: str, value: str) -> QuerySet[Milestone]:
        if value == TimingChoices.OVERDUE:
            return queryset.overdue(self.today)
        if value == TimingChoices.DUE_SOON:
            return queryset.due_within(self.today, settings.DUE_SOON_DAYS)
        if value == TimingChoices.OPEN:
            return queryset.open()
        return queryset

    def filter_category(self, queryset: QuerySet[Milestone], name: str, value: str) -> QuerySet[Milestone]:
        if value == DELIVERABLES:
            return queryset.filter(category__in=DELIVERABLE_CATEGORIES)
        return queryset.filter(category=value)
