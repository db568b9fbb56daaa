"""Filters of the review queue. Every choice list is drawn from what the user may see."""

from __future__ import annotations

from typing import Any

import django_filters
from django.http import QueryDict

from grants.filters.common import (
    AwardChoiceFilter,
    OfficerChoiceFilter,
    country_choices,
    grant_choices,
    officer_choices,
)
from indicators.models import Submission, SubmissionStatus
from portfolio.widgets import fast_select


class ReviewQueueFilter(django_filters.FilterSet):
    """Opens on what waits for review (status "submitted") and, for a program officer, on their own grants.

    A key missing from the query means "use the default"; present but empty means "any", so "Any status" and
    "Any officer" in the filter bar show everything the user can see.
    """

    # Short labels: the filter bar's selects are narrow.
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[
            (SubmissionStatus.SUBMITTED, "Awaiting review"),
            (SubmissionStatus.RETURNED, "Returned"),
            (SubmissionStatus.DRAFT, "Draft"),
            (SubmissionStatus.APPROVED, "Approved"),
        ],
        empty_label="Any status",
    )
    grant = AwardChoiceFilter(
        label="Grant", field_name="country_project__grant", queryset=grant_choices, empty_label="Any grant"
    )
    country = django_filters.ChoiceFilter(
        label="Country", field_name="country_project__country", empty_label="Any country"
    )
    officer = OfficerChoiceFilter(
        label="Program officer",
        field_name="country_project__grant__program_officer",
        queryset=officer_choices,
        empty_label="Any officer",
    )

    class Meta:
        model = Submission
        fields = ()

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else QueryDict(mutable=True)
        request = kwargs.get("request")
        user = request.user if request is not None else None
        data.setdefault("status", SubmissionStatus.SUBMITTED)
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
